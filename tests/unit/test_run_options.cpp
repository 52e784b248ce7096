// What the command line turns into for the live source: the reader's
// wakeup threshold and record's retention of closed sockets.
#include <catch2/catch.hpp>

#include "run/run_options.h"

using namespace sockscope;

TEST_CASE("the reader is woken once per sixteenth of the ring, never more often than per 64 KiB", "[options]") {
  RunOptions o;
  CHECK(o.live().loader.wakeup_bytes == (8u << 20) / 16);  // the default ring, 8 MiB
  o.ringbuf_mb = 256;
  CHECK(o.live().loader.wakeup_bytes == (256u << 20) / 16);
  o.ringbuf_mb = 1;
  CHECK(o.live().loader.wakeup_bytes == 64 * 1024);
  // the wakeup comes well before the ring is full, whatever its size
  for (uint32_t mb : {1u, 2u, 8u, 64u, 256u}) {
    o.ringbuf_mb = mb;
    auto l = o.live().loader;
    CHECK(l.wakeup_bytes * 8 <= l.ringbuf_bytes);
  }
}

TEST_CASE("record keeps a closed socket for two sample intervals and a second, not the views' minute", "[options]") {
  CHECK(record_retention_s(0) == 3);  // not given: the 1 s default interval
  CHECK(record_retention_s(1) == 3);
  CHECK(record_retention_s(5) == 11);
  CHECK(record_retention_s(0.05) == Approx(1.1));
  CHECK(record_retention_s(0) < RunOptions{}.retention_s);
}
