// CLI11 validators for numeric options whose messages say what is allowed
// in words ("--duration: 0 is too small; it must be more than 0 seconds"),
// where CLI11's own Range prints its bounds as raw doubles (a 300-digit
// DBL_MAX for PositiveNumber) and calls a word that is no number "not in
// range".
#pragma once

#include <limits>
#include <string>

#include <CLI/CLI.hpp>

namespace sockscope {

struct NumberRule {
  double lo = 0;
  double hi = std::numeric_limits<double>::infinity();  // infinity: no upper bound
  bool lo_open = false;  // lo itself is refused ("more than lo")
  bool whole = false;    // integers only
  std::string unit;      // "seconds", "MiB", ...; may be empty
};

// The rule in words: "more than 0 seconds", "a whole number from 1 to 65535".
std::string describe(const NumberRule& r);
// Empty when text satisfies the rule, else why not, for CLI11 to prefix
// with the option's name.
std::string check_number(const std::string& text, const NumberRule& r);
CLI::Validator number(NumberRule r);
// A whole power of 2 from lo to hi (both powers of 2 themselves).
CLI::Validator power_of_two(double lo, double hi, std::string unit);

// The rules used most.
inline CLI::Validator seconds_above_zero() { return number({0, NumberRule{}.hi, true, false, "seconds"}); }
inline CLI::Validator seconds_at_least(double lo) { return number({lo, NumberRule{}.hi, false, false, "seconds"}); }
inline CLI::Validator seconds_between(double lo, double hi) { return number({lo, hi, false, false, "seconds"}); }
inline CLI::Validator whole_between(double lo, double hi, std::string unit = "") {
  return number({lo, hi, false, true, std::move(unit)});
}
inline CLI::Validator not_negative(std::string unit = "") {
  return number({0, NumberRule{}.hi, false, false, std::move(unit)});
}

}  // namespace sockscope
