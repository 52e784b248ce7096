// "Did you mean": the known word closest to a mistyped one.
#pragma once

#include <string>
#include <vector>

namespace sockscope {

// Letters added, dropped, changed, or two neighbours swapped, to turn a into b.
size_t edit_distance(const std::string& a, const std::string& b);
// The candidate within one edit (two for words of 5 letters or more), or
// the only one that starts with word (3 letters or more); empty when none
// is that close: a far-fetched guess misleads more than none.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sockscope
