#include "cli/suggest.h"

#include <algorithm>

namespace sockscope {

size_t edit_distance(const std::string& a, const std::string& b) {
  // optimal string alignment: Levenshtein plus swaps of neighbours ("nci")
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  const size_t limit = word.size() >= 5 ? 2 : 1;
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  if (!best.empty()) return best;
  if (word.size() < 3) return {};
  std::string only;
  for (const auto& c : candidates)
    if (c.compare(0, word.size(), word) == 0) {
      if (!only.empty()) return {};  // ambiguous
      only = c;
    }
  return only;
}

}  // namespace sockscope
