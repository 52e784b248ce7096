// Parses ss's filter language (ss(8), iproute2's misc/ssfilter.y) into an
// SsFilter. As in ss: leading `state`/`exclude` words, then an expression
// whose `and`/`or` (also `&`, `&&`, `|`, `||`, or nothing between two
// conditions, meaning and) combine strictly left to right with no
// precedence, `not`/`!` binding to the one condition or parenthesised
// group after it.
#pragma once

#include <string>
#include <string_view>

#include "model/ss_filter.h"
#include "model/ss_filter_terms.h"

namespace sockscope {

// Throws FilterError with the offset of the offending word in `text`.
SsFilter parse_ss_filter(std::string_view text);

// What the user reads: the message, the filter, and a caret under the
// offending word.
std::string describe_filter_error(const FilterError& e, std::string_view text);

}  // namespace sockscope
