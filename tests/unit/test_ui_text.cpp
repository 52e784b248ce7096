// The live view's small text pieces (ui/text.h): bars.
#include <catch2/catch.hpp>

#include <string>

#include "ui/text.h"

using namespace sockscope::ui;

// Issue 16: a bar for 7 bytes of 128K looked like one for 100 % (on a
// 2-cell bar, one '#' was also half the buffer).
TEST_CASE("a bar tells empty, a sliver and proportional fills apart", "[ui][text]") {
  CHECK(bar(0, 4) == "    ");
  CHECK(bar(0.005, 4) == "|   ");  // 7 bytes of 128K
  CHECK(bar(12, 4) == "|   ");     // under half a cell
  CHECK(bar(13, 4) == "#   ");
  CHECK(bar(50, 4) == "##  ");
  CHECK(bar(100, 4) == "####");
  CHECK(bar(250, 4) == "####");  // over the limit: full, never wider
  CHECK(bar(-3, 4) == "    ");
  // two cells: sliver, half, full all differ
  CHECK(bar(0.005, 2) == "| ");
  CHECK(bar(50, 2) == "# ");
  CHECK(bar(100, 2) == "##");
  CHECK(bar(0.005, 1) == "|");
  CHECK(bar(100, 1) == "#");
  CHECK(bar(50, 0).empty());
}
