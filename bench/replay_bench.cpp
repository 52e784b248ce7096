// Replay throughput: how many events per second one core turns from a
// trace file into the model (reader, checksums, decoder, SocketTable).
// Generates a synthetic trace first (see synthetic.h), then replays it
// several times and reports the median. The file is read from the page
// cache: this measures sockscope, not the disk.
//
//   replay_bench [--events N] [--dir DIR] [--rounds R] [--keep]
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/socket_table.h"
#include "source/file_source.h"
#include "tests/support/synthetic.h"
#include "trace/writer.h"
#include "util/clock.h"

using namespace sockscope;

namespace {

uint64_t make_trace(const std::string& path, uint64_t events, bool compress) {
  trace::WriterOptions o;
  o.path = path;
  o.compress = compress;
  trace::Meta m;
  m.host = "bench";
  trace::TraceWriter w(o, m);
  synth::Options so;
  so.samples_per_connection = 40;
  so.concurrent = 2000;
  // about 54 records per connection (see synthetic.cpp)
  so.connections = uint32_t(std::max<uint64_t>(1, events / 54));
  uint64_t n = synth::generate(so, [&](RawKind k, std::span<const uint8_t> b) { w.write(k, b); });
  w.close(0);
  return n;
}

struct Result {
  double seconds;
  uint64_t events;
};

// with_model false: reader and decoder only
Result replay_once(const std::string& path, bool with_model) {
  FileSource src(path);
  SocketTable table;
  uint64_t n = 0;
  double t0 = thread_cpu_seconds();
  if (with_model) {
    while (src.poll(0, [&](const Event& e) {
      table.apply(e);
      ++n;
    })) {
    }
  } else {
    while (src.poll(0, [&](const Event&) { ++n; })) {
    }
  }
  return {thread_cpu_seconds() - t0, n};
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 5'000'000;
  int rounds = 5;
  std::string dir = "/tmp";
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) events = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::atoi(argv[++i]));
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: replay_bench [--events N] [--rounds R] [--dir DIR] [--keep]\n");
      return 2;
    }
  }
  // one core: the number is per core, whatever else the machine runs
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof(set), &set);

  std::printf("%-10s %-16s %12s %12s %14s %14s\n", "blocks", "path", "events", "file MB", "median ev/s",
              "min-max ev/s");
  for (bool compress : {false, true}) {
    std::string path = fmt::format("{}/sockscope-replay-bench-{}-{}.ssc", dir, getpid(), compress ? "zstd" : "raw");
    uint64_t made = make_trace(path, events, compress);
    double mb = double(std::filesystem::file_size(path)) / 1e6;
    for (bool with_model : {false, true}) {
      std::vector<double> rates;
      uint64_t n = 0;
      for (int r = 0; r < rounds; ++r) {
        Result res = replay_once(path, with_model);
        n = res.events;
        rates.push_back(double(res.events) / res.seconds);
      }
      if (n != made) {
        std::fprintf(stderr, "replay_bench: read %llu events of %llu written\n", (unsigned long long)n,
                     (unsigned long long)made);
        return 1;
      }
      std::sort(rates.begin(), rates.end());
      std::printf("%-10s %-16s %12llu %12.1f %14.0f %7.0f-%.0f\n", compress ? "zstd" : "plain",
                  with_model ? "decoder+model" : "decoder only", (unsigned long long)n, mb, rates[rates.size() / 2],
                  rates.front(), rates.back());
    }
    if (!keep) std::filesystem::remove(path);
  }
  return 0;
}
