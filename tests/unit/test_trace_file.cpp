// Trace files: what is written reads back record for record, through the
// same decoder; a file cut at any byte reads up to its last complete block
// and says where it stopped; a damaged block is reported and skipped; a
// foreign, newer or corrupt file is refused with a clear message.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "run/pipeline.h"
#include "source/file_source.h"
#include "tests/support/synthetic.h"
#include "trace/format.h"
#include "trace/reader.h"
#include "trace/writer.h"
#include "util/user_error.h"

using namespace sockscope;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

struct Rec {
  uint16_t kind;
  Bytes bytes;
  bool operator==(const Rec&) const = default;
};

// A fresh directory per test, removed after.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/sockscope-trace-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

trace::Meta test_meta() {
  trace::Meta m;
  m.host = "testhost";
  m.kernel = "6.18.0-test";
  m.sockscope_version = "0.1";
  m.command = "sockscope record -w t";
  m.wall_offset_ns = 1'700'000'000'000'000'000;
  m.start_ns = 1'000'000'000;
  m.probes = {{"ss_state", "tp_btf/inet_sock_set_state", true, ""},
              {"ss_old", "kprobe/x", false, "no kprobes"},
              {"ss_send_length", "tp_btf/sock_send_length", false, "", "packets", true}};
  m.sample_interval_ns = 2'000'000'000;
  m.reasons.drop = {{2, "NOT_SPECIFIED"}, {6, "NETFILTER_DROP"}};
  m.reasons.reset = {{1, "NO_SOCKET"}};
  return m;
}

// Writes a synthetic workload; blocks are cut every `per_block` records.
std::vector<Rec> write_trace(const std::string& path, uint32_t connections, uint32_t per_block,
                             bool compress = false) {
  trace::WriterOptions o;
  o.path = path;
  o.compress = compress;
  o.flush_interval_ns = 0;  // every tick writes the block
  trace::TraceWriter w(o, test_meta());
  std::vector<Rec> recs;
  synth::Options so;
  so.connections = connections;
  so.samples_per_connection = 4;
  so.concurrent = 3;
  synth::generate(so, [&](RawKind k, std::span<const uint8_t> b) {
    w.write(k, b);
    recs.push_back({uint16_t(k), Bytes(b.begin(), b.end())});
    if (recs.size() % per_block == 0) w.tick();
  });
  w.close(99'000'000'000);
  return recs;
}

struct Replay {
  std::vector<Event> events;
  std::vector<std::string> warnings;
  bool complete = false;
  uint64_t now = 0;
  uint64_t malformed = 0;
};

Replay replay(const std::string& path) {
  Replay r;
  FileSource src(path);
  src.on_warning([&](const std::string& m) { r.warnings.push_back(m); });
  while (src.poll(0, [&](const Event& e) { r.events.push_back(e); })) {
  }
  r.complete = src.complete();
  r.now = src.now_ns();
  r.malformed = src.decode_stats().malformed;
  return r;
}

Bytes read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const Bytes& b, size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(n));
}

// Where each block starts and how many records it holds, read from the
// well-formed file's own headers.
struct BlockSpan {
  size_t start, end;
  uint32_t records;
};
std::vector<BlockSpan> blocks_of(const Bytes& f) {
  trace::FileHeader h;
  std::memcpy(&h, f.data(), sizeof(h));
  std::vector<BlockSpan> out;
  size_t at = sizeof(h) + h.meta_len;
  while (at < f.size()) {
    trace::BlockHeader b;
    std::memcpy(&b, f.data() + at, sizeof(b));
    out.push_back({at, at + sizeof(b) + b.stored_len, b.records});
    at += sizeof(b) + b.stored_len;
  }
  return out;
}

std::string error_of(const std::string& path) {
  try {
    FileSource src(path);
  } catch (const UserError& e) {
    CHECK(e.exit_code() != 0);
    return e.what();
  }
  return "";
}

bool any_contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("trace: records read back byte for byte, with the header's metadata", "[trace]") {
  TempDir d;
  for (bool compress : {false, true}) {
    std::string path = d.file(compress ? "z.ssc" : "plain.ssc");
    auto written = write_trace(path, 20, 7, compress);
    int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    trace::TraceReader r(fd, path);
    CHECK(r.meta().host == "testhost");
    CHECK(r.meta().kernel == "6.18.0-test");
    CHECK(r.meta().wall_offset_ns == 1'700'000'000'000'000'000);
    REQUIRE(r.meta().probes.size() == 3);
    CHECK(r.meta().probes[1].reason == "no kprobes");
    // the tiers of the run and how often it sampled
    CHECK(r.meta().probes[2].tier == "packets");
    CHECK(r.meta().probes[2].off);
    CHECK(r.meta().sample_interval_ns == 2'000'000'000);
    CHECK(r.meta().reasons.drop_name(6) == "NETFILTER_DROP");
    CHECK(r.abi_version() == SS_ABI_VERSION);
    std::vector<Rec> read;
    std::vector<trace::RecordView> views;
    while (r.next(views))
      for (const auto& v : views) read.push_back({v.kind, Bytes(v.bytes.begin(), v.bytes.end())});
    REQUIRE(read.size() == written.size() + 1);  // and the end record
    CHECK(read.back().kind == uint16_t(RawKind::End));
    read.pop_back();
    CHECK(read == written);
    CHECK(r.report().blocks_skipped == 0);
    CHECK_FALSE(r.report().cut_short);
  }
}

TEST_CASE("trace: compression makes a smaller file with the same events", "[trace]") {
  TempDir d;
  write_trace(d.file("p"), 200, 100, false);
  write_trace(d.file("z"), 200, 100, true);
  CHECK(fs::file_size(d.file("z")) * 2 < fs::file_size(d.file("p")));
  auto p = replay(d.file("p")), z = replay(d.file("z"));
  CHECK(p.events.size() == z.events.size());
  CHECK(p.events.size() > 2000);
  CHECK(z.complete);
  CHECK(z.now == 99'000'000'000);
}

TEST_CASE("trace: a file cut at every byte reads up to its last complete block and says where", "[trace]") {
  TempDir d;
  std::string full = d.file("full");
  auto written = write_trace(full, 3, 6);
  Bytes f = read_all(full);
  auto blocks = blocks_of(f);
  REQUIRE(blocks.size() >= 4);
  const size_t body = blocks.front().start;
  std::string cut = d.file("cut");
  for (size_t n = 0; n < f.size(); ++n) {
    write_file(cut, f, n);
    INFO("cut at byte " << n << " of " << f.size());
    if (n < body) {
      // the header is incomplete: nothing to read, said plainly
      CHECK_FALSE(error_of(cut).empty());
      continue;
    }
    Replay r = replay(cut);
    size_t whole = 0;
    uint32_t records = 0;
    for (const auto& b : blocks)
      if (b.end <= n) {
        ++whole;
        records += b.records;
      }
    CHECK(r.events.size() == records);
    CHECK_FALSE(r.complete);
    CHECK(r.malformed == 0);
    REQUIRE(r.warnings.size() == 1);
    bool at_boundary = n == body || std::any_of(blocks.begin(), blocks.end(), [&](auto& b) { return b.end == n; });
    if (at_boundary)
      CHECK(r.warnings[0].find("no end record") != std::string::npos);
    else
      CHECK(r.warnings[0].find("read up to byte " + std::to_string(whole ? blocks[whole - 1].end : body)) !=
            std::string::npos);
  }
  // and whole, it is complete and silent
  Replay r = replay(full);
  CHECK(r.complete);
  CHECK(r.warnings.empty());
  CHECK(r.events.size() == written.size());
}

TEST_CASE("trace: a flipped byte in a block loses that block alone, reported", "[trace]") {
  TempDir d;
  std::string full = d.file("full");
  write_trace(full, 3, 6);
  Bytes f = read_all(full);
  auto blocks = blocks_of(f);
  uint32_t total = 0;
  for (const auto& b : blocks) total += b.records;
  std::string bad = d.file("bad");
  for (size_t i = blocks.front().start; i < f.size(); ++i) {
    Bytes g = f;
    g[i] ^= 0x5a;
    write_file(bad, g, g.size());
    INFO("byte " << i << " flipped");
    Replay r = replay(bad);
    const BlockSpan* hit = nullptr;
    for (const auto& b : blocks)
      if (i >= b.start && i < b.end) hit = &b;
    REQUIRE(hit);
    bool last = hit == &blocks.back();  // it holds the end record, which is no event
    CHECK(r.events.size() == (total - 1) - (hit->records - (last ? 1 : 0)));
    CHECK(r.malformed == 0);
    CHECK(any_contains(r.warnings, "byte " + std::to_string(hit->start)));
    CHECK(r.complete == !last);
  }
}

TEST_CASE("trace: a refused file leaves no descriptor open", "[trace]") {
  // The reader took the descriptor and closed it in its destructor, which
  // does not run when the constructor throws: the fuzzer ran out of
  // descriptors after 20,000 bad inputs.
  TempDir d;
  write_file(d.file("text"), Bytes{'h', 'e', 'l', 'l', 'o', '\n'}, 6);
  auto open_fds = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
  };
  const auto before = open_fds();
  for (int i = 0; i < 100; ++i) CHECK_THAT(error_of(d.file("text")), Catch::Contains("is not a sockscope trace"));
  CHECK(open_fds() == before);
}

TEST_CASE("trace: a file that is not a trace, from a newer format, or with a corrupt header is refused",
          "[trace]") {
  TempDir d;
  std::string good = d.file("good");
  write_trace(good, 2, 50);
  Bytes f = read_all(good);

  write_file(d.file("text"), Bytes{'h', 'e', 'l', 'l', 'o', '\n'}, 6);
  CHECK_THAT(error_of(d.file("text")), Catch::Contains("is not a sockscope trace"));
  write_file(d.file("empty"), f, 0);
  CHECK_THAT(error_of(d.file("empty")), Catch::Contains("is not a sockscope trace"));

  auto with_header = [&](auto edit) {
    Bytes g = f;
    trace::FileHeader h;
    std::memcpy(&h, g.data(), sizeof(h));
    edit(h);
    h.header_crc = trace::crc32_of(&h, offsetof(trace::FileHeader, header_crc));
    std::memcpy(g.data(), &h, sizeof(h));
    write_file(d.file("edited"), g, g.size());
    return error_of(d.file("edited"));
  };
  CHECK_THAT(with_header([](auto& h) { h.format_version = trace::kFormatVersion + 1; }),
             Catch::Contains("newer sockscope") && Catch::Contains("format 2"));
  CHECK_THAT(with_header([](auto& h) { h.abi_version = SS_ABI_VERSION + 1; }),
             Catch::Contains("ABI version " + std::to_string(SS_ABI_VERSION + 1)));
  CHECK_THAT(with_header([](auto& h) { h.meta_len = 1u << 30; }), Catch::Contains("corrupt"));

  Bytes g = f;
  g[10] ^= 1;  // inside the fixed header, under its checksum
  write_file(d.file("flip"), g, g.size());
  CHECK_THAT(error_of(d.file("flip")), Catch::Contains("header is corrupt"));
  g = f;
  g[sizeof(trace::FileHeader) + 3] ^= 1;  // inside the metadata
  write_file(d.file("flipmeta"), g, g.size());
  CHECK_THAT(error_of(d.file("flipmeta")), Catch::Contains("metadata is corrupt"));
  CHECK_THAT(error_of(d.file("missing")), Catch::Contains("cannot open"));
}

TEST_CASE("trace: a block with a valid checksum over impossible lengths is skipped, not trusted", "[trace]") {
  TempDir d;
  std::string good = d.file("good");
  write_trace(good, 2, 1000);
  Bytes f = read_all(good);
  auto blocks = blocks_of(f);
  REQUIRE(blocks.size() == 1);
  Bytes g(f.begin(), f.begin() + long(blocks[0].start));
  trace::BlockHeader b{};
  b.magic = trace::kBlockMagic;
  b.stored_len = b.raw_len = trace::kMaxBlockRaw + 1;  // more than a reader ever allocates
  b.header_crc = trace::crc32_of(&b, offsetof(trace::BlockHeader, header_crc));
  const auto* p = reinterpret_cast<const uint8_t*>(&b);
  g.insert(g.end(), p, p + sizeof(b));
  g.insert(g.end(), f.begin() + long(blocks[0].start), f.end());
  write_file(d.file("hostile"), g, g.size());
  Replay r = replay(d.file("hostile"));
  CHECK(r.complete);  // the real block after it was found and read
  CHECK(r.events.size() == blocks[0].records - 1);
  CHECK(any_contains(r.warnings, "damaged block header at byte " + std::to_string(blocks[0].start)));
}

TEST_CASE("trace: files are created private (0600), even over an existing readable file", "[trace]") {
  TempDir d;
  std::string path = d.file("t");
  { std::ofstream(path) << "old"; }
  chmod(path.c_str(), 0644);
  mode_t old = umask(0);
  write_trace(path, 1, 10);
  umask(old);
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("trace: rotation starts FILE1, FILE2 … and keeps the newest N, each readable alone", "[trace]") {
  TempDir d;
  trace::WriterOptions o;
  o.path = d.file("ring");
  o.flush_interval_ns = 0;
  o.rotate_bytes = 64 * 1024;
  o.keep = 3;
  trace::TraceWriter w(o, test_meta());
  int snapshots = 0;
  w.on_new_file([&] { ++snapshots; });
  synth::Options so;
  so.connections = 400;
  uint64_t n = 0;
  synth::generate(so, [&](RawKind k, std::span<const uint8_t> b) {
    w.write(k, b);
    if (++n % 50 == 0) w.tick();
  });
  w.close(5);
  const auto& st = w.stats();
  REQUIRE(st.files >= 5);
  CHECK(snapshots == int(st.files) - 1);
  CHECK(st.removed == st.files - 3);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(d.path)) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  std::vector<std::string> want;
  for (uint32_t i = st.files - 3; i < st.files; ++i) want.push_back(i ? "ring" + std::to_string(i) : "ring");
  std::sort(want.begin(), want.end());
  CHECK(left == want);
  for (const auto& name : left) {
    INFO(name);
    Replay r = replay(d.file(name));
    CHECK(r.events.size() > 0);
    CHECK(r.complete);
    CHECK(r.warnings.empty());
    CHECK(fs::file_size(d.file(name)) <= o.rotate_bytes);  // never past the size asked
    if (name != fmt::format("ring{}", st.files - 1))  // the newest ends early
      CHECK(fs::file_size(d.file(name)) > o.rotate_bytes * 3 / 4);   // the others are not far short of it
  }
}

// A state run is one record holding several state changes: replayed it
// gives each, and a writer copying the source's raw records (as record
// does) stores the run once, not once per step.
TEST_CASE("trace: a state run replays as its steps and is copied as one record", "[trace]") {
  TempDir d;
  ss_state_run run{};
  run.hdr = {SS_EV_STATE_RUN, sizeof(run), 0, 3'000'000'000};
  run.sock.cookie = 77;
  run.sock.family = 2;
  run.sock.protocol = 6;
  run.n = 3;
  run.steps[0] = {2'000'000'000, 1, 7, 2, {}};
  run.steps[1] = {2'000'000'500, 1, 2, 1, {}};
  run.steps[2] = {2'500'000'000, 1, 1, 4, {}};
  ss_state_event single{};
  single.hdr = {SS_EV_STATE, sizeof(single), 0, 3'500'000'000};
  single.sock = run.sock;
  single.old_state = 4;
  single.new_state = 5;
  {
    trace::WriterOptions o;
    o.path = d.file("in.sst");
    trace::TraceWriter w(o, test_meta());
    w.write(RawKind::Kernel, {reinterpret_cast<const uint8_t*>(&run), sizeof(run)});
    w.write(RawKind::Kernel, {reinterpret_cast<const uint8_t*>(&single), sizeof(single)});
    w.close(4'000'000'000);
  }
  std::vector<TcpState> to;
  std::vector<uint64_t> ts;
  {
    FileSource src(d.file("in.sst"));
    trace::WriterOptions o;
    o.path = d.file("copy.sst");
    trace::TraceWriter copy(o, test_meta());
    while (src.poll(0, [&](const Event& e) {
      auto* c = std::get_if<StateChange>(&e);
      REQUIRE(c);
      to.push_back(c->new_state);
      ts.push_back(c->ts_ns);
      if (!src.current_raw().bytes.empty()) copy.write(src.current_raw().kind, src.current_raw().bytes);
    })) {
    }
    copy.close(4'000'000'000);
  }
  CHECK(to == std::vector<TcpState>{TcpState::SynSent, TcpState::Established, TcpState::FinWait1,
                                    TcpState::FinWait2});
  CHECK(ts == std::vector<uint64_t>{2'000'000'000, 2'000'000'500, 2'500'000'000, 3'500'000'000});
  const std::string copy_path = d.file("copy.sst");
  int fd = ::open(copy_path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  trace::TraceReader r(fd, copy_path);
  std::vector<Rec> copied;
  std::vector<trace::RecordView> views;
  while (r.next(views))
    for (const auto& v : views)
      if (v.kind != uint16_t(RawKind::End)) copied.push_back({v.kind, Bytes(v.bytes.begin(), v.bytes.end())});
  REQUIRE(copied.size() == 2);
  CHECK(copied[0].bytes.size() == sizeof(run));
  CHECK(copied[1].bytes.size() == sizeof(single));
}

TEST_CASE("trace: a replay's --duration ends at the record, not at the end of the block", "[trace][replay]") {
  TempDir d;
  const std::string path = d.file("t.ssc");
  // 300 connections in one block (no tick): about 3,000 records over a
  // few milliseconds of the recording's time
  std::vector<Rec> recs = write_trace(path, 300, 1'000'000);
  FileSource src(path);
  const uint64_t start = src.now_ns();
  uint64_t last = 0;
  for (const Rec& r : recs) last = std::max(last, raw_ts(r.kind, r.bytes));
  REQUIRE(last > start + 2'000'000);
  const uint64_t end = start + 2'000'000;  // 2 ms in: inside the one block
  size_t want = 0;
  for (const Rec& r : recs)
    if (raw_ts(r.kind, r.bytes) <= end) ++want;

  SocketTable table;
  size_t got = 0;
  uint64_t newest = 0;
  run_pipeline(src, table, 0.002, [&](const Event& e, const Socket*) {
    ++got;
    newest = std::max(newest, event_ts(e));
  });
  CHECK(newest <= end);
  CHECK(got == want);  // every record up to the end, none after
  CHECK(src.now_ns() == end);  // the clock that drives retention stops there too
}

TEST_CASE("trace: --max-sockets holds on replay at every record, however close together they are", "[trace][replay]") {
  TempDir d;
  const std::string path = d.file("seeds.ssc");
  {
    trace::WriterOptions o;
    o.path = path;
    o.flush_interval_ns = 0;
    trace::TraceWriter w(o, test_meta());
    std::vector<uint8_t> b;
    for (uint64_t i = 0; i < 50'000; ++i) {  // 1 ns apart: the clock never reaches a second
      SockSeed seed;
      seed.ts_ns = 1'000'000'000 + i;
      seed.sock.cookie = i + 1;
      seed.sock.family = kAfInet;
      seed.sock.protocol = kProtoTcp;
      seed.sock.type = 1;
      seed.sock.state = uint8_t(TcpState::Established);
      encode_seed(b, seed);
      w.write(RawKind::Seed, b);
    }
    w.close(1'000'100'000);
  }
  FileSource src(path);
  SocketTable table(TableLimits{.max_sockets = 1000});
  size_t most = 0;
  run_pipeline(src, table, 0, [&](const Event&, const Socket*) { most = std::max(most, table.size()); });
  CHECK(most <= 1000);
  CHECK(table.size() == 1000);
  CHECK(table.counters().evicted_for_room == 49'000);
  CHECK(table.find(50'000) != nullptr);  // the newest are kept
  CHECK(table.find(1) == nullptr);
}
