#include "ui/cells.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <tuple>
#include <utility>
#include <vector>

#include "ui/text.h"

namespace sockscope::ui {
namespace {

struct Split {
  std::string_view addr, port;  // addr without brackets
  bool v6 = false;
};

Split split(std::string_view full) {
  size_t colon = full.rfind(':');
  if (colon == std::string_view::npos) return {full, {}, false};
  Split s{full.substr(0, colon), full.substr(colon + 1), false};
  if (s.addr.size() >= 2 && s.addr.front() == '[' && s.addr.back() == ']') {
    s.addr = s.addr.substr(1, s.addr.size() - 2);
    s.v6 = true;
  }
  return s;
}

std::string named_addr(const Split& s) {
  if (!s.v6 && s.addr == "127.0.0.1") return "lo";
  if (!s.v6 && s.addr == "0.0.0.0") return "*";
  return std::string(s.addr);
}

std::string with_port(const std::string& addr, const Split& s) {
  bool bracket = s.v6 && addr != "lo" && addr != "*";
  return (bracket ? "[" + addr + "]" : addr) + ":" + std::string(s.port);
}

std::vector<std::string_view> tokens(std::string_view a, char sep) {
  std::vector<std::string_view> out;
  for (size_t at = 0;;) {
    size_t next = a.find(sep, at);
    out.push_back(a.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) return out;
    at = next + 1;
  }
}

std::string join(const std::vector<std::string_view>& t, size_t from, size_t to, char sep) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += sep;
    out.append(t[i]);
  }
  return out;
}

// The address in at most room cells, its middle out: as many whole octets
// or groups as fit, the first kept where it can be (the network), then
// the most from the end (the host). Cut characters only when not even
// "first~last" fits.
std::string elide(std::string_view addr, bool v6, int room) {
  if (int(addr.size()) <= room) return std::string(addr);
  if (room <= 0) return {};
  char sep = v6 ? ':' : '.';
  auto t = tokens(addr, sep);
  size_t n = t.size();
  // ranks a choice: more kept, a head kept, balanced, then more of the end
  // (the empty groups of IPv6's "::" are not worth keeping)
  auto rank = [&](size_t head, size_t tail) {
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i) kept += (i < head || i >= n - tail) && !t[i].empty();
    long diff = long(head) - long(tail);
    return std::tuple(kept, head > 0, -std::abs(diff), tail);
  };
  std::string best;
  std::tuple<size_t, bool, long, size_t> best_rank{};
  for (size_t head = 0; head < n; ++head) {
    if (head > 0 && t[head - 1].empty()) continue;  // "2001:~": the "::" of IPv6, half kept
    for (size_t tail = 1; head + tail < n; ++tail) {
      if (t[n - tail].empty()) continue;
      std::string text = join(t, 0, head, sep) + "~" + join(t, n - tail, n, sep);
      if (int(text.size()) > room) continue;
      if (best.empty() || rank(head, tail) > best_rank) best = std::move(text), best_rank = rank(head, tail);
    }
  }
  if (!best.empty()) return best;
  return left_cut(std::string(addr), size_t(room));
}

}  // namespace

std::string named_endpoint(std::string_view full) {
  Split s = split(full);
  if (s.port.empty()) return std::string(full);
  return with_port(named_addr(s), s);
}

std::string short_endpoint(std::string_view full, int width) {
  Split s = split(full);
  if (s.port.empty()) return left_cut(std::string(full), size_t(std::max(width, 0)));
  std::string named = named_addr(s);
  std::string out = with_port(named, s);
  if (int(out.size()) <= width) return out;
  bool bracket = s.v6 && named != "lo" && named != "*";
  int room = width - int(s.port.size()) - 1 - (bracket ? 2 : 0);
  if (room < 1) return left_cut(out, size_t(std::max(width, 0)));  // the end, where the port is
  std::string addr = elide(named, s.v6, room);
  return (bracket ? "[" + addr + "]" : addr) + ":" + std::string(s.port);
}

std::string_view table_state(std::string_view k) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kSs = {{
      {"ESTABLISHED", "ESTAB"},
      {"SYN_SENT", "SYN-SENT"},
      {"SYN_RECV", "SYN-RECV"},
      {"NEW_SYN_RECV", "SYN-RECV"},
      {"FIN_WAIT1", "FIN-WAIT-1"},
      {"FIN_WAIT2", "FIN-WAIT-2"},
      {"TIME_WAIT", "TIME-WAIT"},
      {"CLOSE_WAIT", "CLOSE-WAIT"},
      {"LAST_ACK", "LAST-ACK"},
  }};
  for (const auto& [kernel, ss] : kSs)
    if (k == kernel) return ss;
  if (k == "BOUND_INACTIVE") return "BOUND";
  return k;  // LISTEN, CLOSE, CLOSING, UNCONN, ESTAB, CLOSED, (closed): short already
}

}  // namespace sockscope::ui
