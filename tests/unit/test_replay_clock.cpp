// The replay's pacing: the recording's time the view reaches at a given
// wall time, through pause, speed changes, steps and seeks (ui/replay.h),
// and FileSource::set_until, which holds back what is newer than that.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "source/file_source.h"
#include "tests/support/synthetic.h"
#include "trace/writer.h"
#include "ui/replay.h"

using sockscope::ui::ReplayClock;
using namespace sockscope;

namespace {

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kStart = 100 * kSec;  // the recording's start
constexpr uint64_t kWall = 5000 * kSec;  // the wall clock when the replay began

}  // namespace

TEST_CASE("replay clock: plays from the recording's start at its speed", "[replay]") {
  ReplayClock c(kStart, 1, kWall);
  CHECK(c.position(kWall) == kStart);
  CHECK(c.position(kWall + 2500 * kMs) == kStart + 2500 * kMs);
  CHECK_FALSE(c.paused());
  CHECK(c.speed() == 1);

  ReplayClock fast(kStart, 4, kWall);
  CHECK(fast.position(kWall + 2 * kSec) == kStart + 8 * kSec);
  ReplayClock slow(kStart, 0.25, kWall);
  CHECK(slow.position(kWall + 2 * kSec) == kStart + 500 * kMs);
}

TEST_CASE("replay clock: a pause holds the position until play", "[replay]") {
  ReplayClock c(kStart, 1, kWall);
  c.toggle_pause(kWall + 3 * kSec);
  CHECK(c.paused());
  CHECK(c.position(kWall + 3 * kSec) == kStart + 3 * kSec);
  CHECK(c.position(kWall + 60 * kSec) == kStart + 3 * kSec);
  c.toggle_pause(kWall + 60 * kSec);  // play: the paused time is not skipped
  CHECK_FALSE(c.paused());
  CHECK(c.position(kWall + 61 * kSec) == kStart + 4 * kSec);
}

TEST_CASE("replay clock: speed changes mid-play keep the position reached", "[replay]") {
  ReplayClock c(kStart, 1, kWall);
  c.faster(kWall + 2 * kSec);  // 2 s at 1x, then 2x
  CHECK(c.speed() == 2);
  CHECK(c.position(kWall + 2 * kSec) == kStart + 2 * kSec);
  CHECK(c.position(kWall + 5 * kSec) == kStart + 8 * kSec);
  c.slower(kWall + 5 * kSec);
  c.slower(kWall + 5 * kSec);  // 0.5x from here
  CHECK(c.speed() == 0.5);
  CHECK(c.position(kWall + 7 * kSec) == kStart + 9 * kSec);

  SECTION("a speed change while paused stays paused") {
    c.toggle_pause(kWall + 7 * kSec);
    c.faster(kWall + 8 * kSec);
    CHECK(c.paused());
    CHECK(c.position(kWall + 20 * kSec) == kStart + 9 * kSec);
    c.toggle_pause(kWall + 20 * kSec);
    CHECK(c.position(kWall + 21 * kSec) == kStart + 10 * kSec);  // at 1x
  }
}

TEST_CASE("replay clock: the speed stays within 1/16x and 1024x", "[replay]") {
  ReplayClock c(kStart, 1, kWall);
  for (int i = 0; i < 20; ++i) c.faster(kWall);
  CHECK(c.speed() == ReplayClock::kMaxSpeed);
  CHECK(c.speed() == 1024);
  for (int i = 0; i < 40; ++i) c.slower(kWall);
  CHECK(c.speed() == ReplayClock::kMinSpeed);
  CHECK(c.speed() == 1.0 / 16);
  // a start speed out of bounds (the command line checks its own) is held in
  CHECK(ReplayClock(kStart, 5000, kWall).speed() == 1024);
}

TEST_CASE("replay clock: a step moves one second of the recording and pauses", "[replay]") {
  ReplayClock c(kStart, 8, kWall);
  c.step(kWall + kSec);  // 8 s played, then one more
  CHECK(c.paused());
  CHECK(c.position(kWall + kSec) == kStart + 9 * kSec);
  CHECK(c.position(kWall + 30 * kSec) == kStart + 9 * kSec);
  c.step(kWall + 31 * kSec);  // from paused: one more second, at any speed
  CHECK(c.position(kWall + 40 * kSec) == kStart + 10 * kSec);
  CHECK(c.paused());
}

TEST_CASE("replay clock: back to the start keeps playing or paused", "[replay]") {
  ReplayClock c(kStart, 2, kWall);
  c.seek_start(kWall + 10 * kSec);
  CHECK(c.position(kWall + 10 * kSec) == kStart);
  CHECK(c.position(kWall + 11 * kSec) == kStart + 2 * kSec);
  c.toggle_pause(kWall + 11 * kSec);
  c.seek_start(kWall + 12 * kSec);
  CHECK(c.paused());
  CHECK(c.position(kWall + 50 * kSec) == kStart);
  CHECK(c.speed() == 2);
}

TEST_CASE("replay clock: the end stops the position, and $ goes there paused", "[replay]") {
  const uint64_t end = kStart + 30 * kSec;
  SECTION("playing into the end") {
    ReplayClock c(kStart, 1, kWall);
    CHECK(c.end_ns() == 0);
    c.set_end(end);
    CHECK_FALSE(c.at_end(kWall + 29 * kSec));
    CHECK(c.position(kWall + 45 * kSec) == end);
    CHECK(c.at_end(kWall + 45 * kSec));
    c.step(kWall + 45 * kSec);  // no further than the end
    CHECK(c.position(kWall + 46 * kSec) == end);
  }
  SECTION("$ before the end is known: as far as it goes, then the end") {
    ReplayClock c(kStart, 1, kWall);
    c.seek_end(kWall + kSec);
    CHECK(c.paused());
    CHECK(c.position(kWall + kSec) > end);  // read on: nothing is held back
    c.set_end(end);                         // the reader got there
    CHECK(c.position(kWall + 2 * kSec) == end);
    CHECK(c.at_end(kWall + 2 * kSec));
    c.toggle_pause(kWall + 3 * kSec);  // play at the end: stays there
    CHECK(c.position(kWall + 9 * kSec) == end);
    c.seek_start(kWall + 9 * kSec);  // and back, playing
    CHECK(c.position(kWall + 10 * kSec) == kStart + kSec);
  }
  SECTION("$ once the end is known") {
    ReplayClock c(kStart, 1, kWall);
    c.set_end(end);
    c.seek_end(kWall + kSec);
    CHECK(c.position(kWall + kSec) == end);
    CHECK(c.paused());
  }
  SECTION("no overflow however fast and long it plays") {
    ReplayClock c(kStart, 1024, kWall);
    c.step(kWall);
    c.seek_end(kWall);
    c.toggle_pause(kWall);
    CHECK(c.position(kWall + 1'000'000 * kSec) >= kStart);  // saturates, does not wrap
    CHECK(c.position(~uint64_t(0)) >= kStart);
  }
}

namespace {

// One record as the source delivered it, with current_raw()'s bytes.
struct Got {
  uint16_t kind;
  std::vector<uint8_t> bytes;
  uint64_t ts;
  bool operator==(const Got& o) const { return kind == o.kind && bytes == o.bytes; }
};

struct TraceFile {
  std::string path = "/tmp/sockscope-replay-" + std::to_string(getpid()) + ".ssc";
  ~TraceFile() { std::filesystem::remove(path); }
};

trace::Meta meta_at(uint64_t start_ns) {
  trace::Meta m;
  m.host = "testhost";
  m.start_ns = start_ns;
  return m;
}

// Polls until the source holds a record back or ends; false once ended.
bool poll_to_limit(FileSource& src, std::vector<Got>& got, uint64_t& ts) {
  auto sink = [&](const Event& e) {
    const RawRecord& raw = src.current_raw();
    ts = event_ts(e);
    got.push_back({uint16_t(raw.kind), {raw.bytes.begin(), raw.bytes.end()}, ts});
  };
  for (int i = 0; i < 100000; ++i) {
    if (!src.poll(0, sink)) return false;
    if (src.holding()) return true;
  }
  FAIL("the source neither held back nor ended");
  return false;
}

}  // namespace

TEST_CASE("replay pacing: a file read in steps of its own time gives every record once, in order", "[replay]") {
  TraceFile f;
  {
    trace::WriterOptions o;
    o.path = f.path;
    o.flush_interval_ns = 0;
    o.block_bytes = 4096;  // many blocks: limits fall inside and between them
    trace::TraceWriter w(o, meta_at(kSec));
    synth::Options so;
    so.connections = 40;
    so.samples_per_connection = 5;
    so.concurrent = 5;
    synth::generate(so, [&](RawKind k, std::span<const uint8_t> b) { w.write(k, b); });
    w.close(90 * kSec);
  }
  std::vector<Got> all;
  {
    FileSource src(f.path);
    uint64_t ts = 0;
    while (poll_to_limit(src, all, ts)) {
    }
    CHECK(src.now_ns() == 90 * kSec);
  }
  REQUIRE(all.size() > 100);
  const uint64_t first = all.front().ts, last = all.back().ts;
  REQUIRE(last > first);

  FileSource src(f.path);
  std::vector<Got> paced;
  uint64_t step = (last - first) / 37 + 1;  // not a divisor of anything in the file
  bool more = true;
  for (uint64_t until = first - 1; more && until < last + 3 * step; until += step) {
    src.set_until(until);
    size_t before = paced.size();
    uint64_t ts = 0;
    more = poll_to_limit(src, paced, ts);
    for (size_t i = before; i < paced.size(); ++i) CHECK(paced[i].ts <= until);
    if (more) CHECK(src.now_ns() == until);  // known to have reached the limit
  }
  if (more) {
    src.set_until(FileSource::kNoLimit);
    uint64_t ts = 0;
    while (poll_to_limit(src, paced, ts)) {
    }
  }
  CHECK(src.complete());
  CHECK(src.now_ns() == 90 * kSec);
  CHECK(paced.size() == all.size());
  CHECK(paced == all);  // the same bytes in current_raw(), in the same order
}

TEST_CASE("replay pacing: a held record keeps the ones after it back, even older ones", "[replay]") {
  TraceFile f;
  const std::vector<uint64_t> times = {10 * kSec, 20 * kSec, 15 * kSec, 30 * kSec};
  {
    trace::WriterOptions o;
    o.path = f.path;
    o.flush_interval_ns = 0;
    trace::TraceWriter w(o, meta_at(5 * kSec));
    std::vector<uint8_t> b;
    for (uint64_t t : times) {
      encode_lost(b, t, LostKind(0), t / kSec);
      w.write(RawKind::Lost, b);
    }
    w.close(40 * kSec);  // one block: the limit falls inside it
  }
  FileSource src(f.path);
  CHECK(src.now_ns() == 5 * kSec);
  std::vector<Got> got;
  uint64_t ts = 0;
  auto times_of = [&] {
    std::vector<uint64_t> out;
    for (const auto& g : got) out.push_back(g.ts);
    return out;
  };

  src.set_until(17 * kSec);
  REQUIRE(poll_to_limit(src, got, ts));
  CHECK(times_of() == std::vector<uint64_t>{10 * kSec});  // 15 s waits behind 20 s
  CHECK(src.now_ns() == 17 * kSec);
  CHECK_FALSE(src.complete());

  src.set_until(17 * kSec);  // the same limit again: nothing more
  REQUIRE(poll_to_limit(src, got, ts));
  CHECK(got.size() == 1);

  src.set_until(25 * kSec);
  REQUIRE(poll_to_limit(src, got, ts));
  CHECK(times_of() == std::vector<uint64_t>{10 * kSec, 20 * kSec, 15 * kSec});
  CHECK(src.now_ns() == 25 * kSec);

  src.set_until(35 * kSec);  // the end record (40 s) is held too
  REQUIRE(poll_to_limit(src, got, ts));
  CHECK(got.size() == 4);
  CHECK(src.now_ns() == 35 * kSec);
  CHECK_FALSE(src.complete());

  src.set_until(FileSource::kNoLimit);
  CHECK_FALSE(poll_to_limit(src, got, ts));
  CHECK(src.complete());
  CHECK(src.now_ns() == 40 * kSec);
  CHECK(times_of() == times);
}
