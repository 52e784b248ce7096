// The words of the command line's errors: "did you mean" picks a near
// word and never a far-fetched one; number rules read as a person says them.
#include <catch2/catch.hpp>

#include "cli/suggest.h"
#include "cli/validators.h"

using namespace sockscope;

TEST_CASE("cli: did you mean: one or two edits, a unique prefix, or nothing", "[cli]") {
  const std::vector<std::string> commands{"watch", "top", "list", "nic", "record", "diagnose", "export"};
  struct Case {
    const char* typed;
    const char* meant;  // "" for no suggestion
  } cases[] = {
      {"lisst", "list"},      // a letter added
      {"lst", "list"},        // one dropped
      {"nci", "nic"},         // two swapped
      {"recrod", "record"},   // swapped, longer word
      {"diagnsoe", "diagnose"},
      {"diag", "diagnose"},   // the only command starting so
      {"frobnicate", ""},     // nothing near
      {"x", ""},              // too short to guess from
      {"tpo", "top"},
  };
  for (const auto& c : cases) {
    INFO(c.typed);
    CHECK(closest(c.typed, commands) == c.meant);
  }
  // a prefix of two words is no answer
  CHECK(closest("re", {"read", "record"}).empty());
  CHECK(closest("rot", {"rotate-size", "retention"}) == "rotate-size");
}

TEST_CASE("cli: number rules say the range in words and why a value fails", "[cli]") {
  NumberRule positive{0, NumberRule{}.hi, true, false, "seconds"};
  CHECK(describe(positive) == "more than 0 seconds");
  CHECK(check_number("0", positive) == "0 is too small; it must be more than 0 seconds");
  CHECK(check_number("0.5", positive).empty());
  CHECK(check_number("soon", positive) == "'soon' is not a number; it must be more than 0 seconds");
  CHECK(check_number("nan", positive).find("not a number") != std::string::npos);
  CHECK(check_number("1e999", positive).find("too large") != std::string::npos);

  NumberRule port{1, 65535, false, true, ""};
  CHECK(describe(port) == "a whole number from 1 to 65535");
  CHECK(check_number("80", port).empty());
  CHECK(check_number("80.0", port) == "80.0 is not a whole number; it must be a whole number from 1 to 65535");
  CHECK(check_number("65536", port) == "65536 is too large; it must be a whole number from 1 to 65535");
  CHECK(check_number("", port).find("is not a number") != std::string::npos);

  CHECK(describe({0.05, 3600, false, false, "seconds"}) == "from 0.05 to 3600 seconds");
  CHECK(describe({0, NumberRule{}.hi, false, false, ""}) == "0 or more");
}

TEST_CASE("cli: a power of 2 names the values it takes", "[cli]") {
  CLI::Validator mb = power_of_two(1, 256, "MiB");
  std::string three = "3", eight = "8", word = "x";
  CHECK(mb(three) == "3 is not a power of 2; it must be 1, 2, 4, 8, 16, 32, 64, 128 or 256 MiB");
  CHECK(mb(eight).empty());
  CHECK(mb(word).find("'x' is not a number") == 0);
}
