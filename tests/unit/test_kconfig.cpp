// The tick rate measured when the kernel's config file is missing
// (source/kernel/kconfig.h): the loader gives libbpf CONFIG_HZ itself.
#include <catch2/catch.hpp>

#include "source/kernel/kconfig.h"

using sockscope::hz_from;

TEST_CASE("kconfig: the tick rate from two timer readings is the common rate nearest the measured one", "[kconfig]") {
  const uint64_t ms = 1000000;
  // 120 ms apart: 30 ticks at 250 Hz, 36 at 300, 12 at 100, 120 at 1000
  CHECK(hz_from(5 * ms, 1000, 125 * ms, 1030) == 250);
  CHECK(hz_from(5 * ms, 1000, 125 * ms, 1036) == 300);
  CHECK(hz_from(5 * ms, 1000, 125 * ms, 1012) == 100);
  CHECK(hz_from(5 * ms, 1000, 125 * ms, 1120) == 1000);
  // a tick either side of the edges still says 250, not 300
  CHECK(hz_from(0, 0, 120 * ms, 31) == 250);
  CHECK(hz_from(0, 0, 120 * ms, 29) == 250);
}

TEST_CASE("kconfig: readings that make no sense give 0, so ages show as unknown instead of wrong", "[kconfig]") {
  const uint64_t ms = 1000000;
  CHECK(hz_from(100 * ms, 10, 100 * ms, 20) == 0);  // no time passed
  CHECK(hz_from(200 * ms, 10, 100 * ms, 20) == 0);  // time ran back
  CHECK(hz_from(0, 20, 120 * ms, 20) == 0);         // no tick
  CHECK(hz_from(0, 0, 120 * ms, 60) == 0);          // 500 Hz: no kernel's rate
  CHECK(hz_from(0, 0, 120 * ms, 600) == 0);         // 5,000 Hz
}
