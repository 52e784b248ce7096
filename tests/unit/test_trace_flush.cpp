// When the trace writer's blocks reach the disk (issue 16, item 9): the
// first at the first tick that has records, so a recording cut or killed in
// its first second still reads; later ones once the flush interval has
// passed, on a fake clock.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "record/raw_record.h"
#include "trace/reader.h"
#include "trace/writer.h"

using namespace sockscope;

namespace {

struct OnDisk {
  uint64_t blocks = 0, records = 0;
};

// What a reader finds in the file now, while the writer still has it open.
OnDisk on_disk(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  trace::TraceReader r(fd, path);
  r.on_warning([](const std::string&) {});  // no end record yet: expected
  std::vector<trace::RecordView> recs;
  OnDisk d;
  while (r.next(recs)) {
    ++d.blocks;
    d.records += recs.size();
  }
  return d;
}

std::vector<uint8_t> a_seed(uint64_t cookie) {
  SockSeed s;
  s.ts_ns = 1;
  s.sock.cookie = cookie;
  std::vector<uint8_t> out;
  encode_seed(out, s);
  return out;
}

}  // namespace

TEST_CASE("trace: the first block goes out at the first tick, the next ones at the flush interval", "[trace]") {
  char tmpl[] = "/tmp/sockscope-flush-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string dir = tmpl, path = dir + "/t.ssc";
  {
    uint64_t now = 5'000'000'000;
    trace::WriterOptions o;
    o.path = path;
    o.flush_interval_ns = 1'000'000'000;
    o.clock = [&] { return now; };
    trace::TraceWriter w(o, trace::Meta{});

    // the seeds, as the first poll delivers them: nothing is on disk until a tick
    for (uint64_t c = 1; c <= 3; ++c) w.write(RawKind::Seed, a_seed(c));
    CHECK(on_disk(path).blocks == 0);
    w.tick();  // no time has passed: the first block goes anyway
    CHECK(on_disk(path).blocks == 1);
    CHECK(on_disk(path).records == 3);

    // later blocks wait for the flush interval, counted from their first record
    w.write(RawKind::Seed, a_seed(4));
    now += 600'000'000;
    w.tick();
    CHECK(on_disk(path).blocks == 1);
    now += 400'000'000;
    w.tick();
    CHECK(on_disk(path).blocks == 2);
    CHECK(on_disk(path).records == 4);

    // and a tick with nothing new writes no empty block
    now += 5'000'000'000;
    w.tick();
    CHECK(on_disk(path).blocks == 2);
  }
  std::filesystem::remove_all(dir);
}
