// The words inside an ss filter: state names and groups, dst/src hosts,
// dport/sport ports. Used by the parser (model/ss_filter_parse.h).
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/ss_filter.h"

namespace sockscope {

// A filter the parser refuses, with the offset in the filter's text where
// the trouble is (describe_filter_error() draws the caret).
struct FilterError : std::runtime_error {
  FilterError(size_t at, const std::string& what) : std::runtime_error(what), pos(at) {}
  size_t pos;
};

// A STATE-FILTER word: a state ("established", "syn-sent", "listening",
// "closed", ... and the kernel's spellings) or a group ("all",
// "connected", "synchronized", "bucket", "big"). nullopt: not one.
std::optional<StateSet> state_word(std::string_view w);

// dst/src's [FAMILY:]ADDRESS[/PREFIX][:PORT], "[v6]:PORT" or "*:PORT";
// `at` is where the word starts in the text. Throws FilterError.
HostMatch parse_host(std::string_view w, size_t at);
// dport/sport's [FAMILY:][:]PORT, a number, a service name or '*'.
HostMatch parse_port(std::string_view w, size_t at);

}  // namespace sockscope
