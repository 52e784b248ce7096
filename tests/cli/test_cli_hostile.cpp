// The hostile trace files of docs/soak.md, each read by the whole command
// as a user would run it, its CPU time and largest resident set measured
// by the kernel at its exit (wait4). Each file once cost far more than its
// size asked: a quadratic parse, a table or an output with no bound. The
// bounds below are the budget for memory (256 MiB) and a generous
// one for time (a complexity check, not a speed check: each run takes
// 0.05 to 5 s where it is linear, minutes where it is not).
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/helpers/child.h"

using namespace testing;

namespace {

constexpr long kMaxRssKib = 256 * 1024;
constexpr double kMaxCpuSeconds = 20;

struct Run {
  int status;
  double cpu_s;
  long rss_kib;
  std::string out, err;
};

// Writes the file with make_hostile, runs sockscope on it, removes it.
Run run_on(const std::string& name, std::vector<std::string> args, bool keep_output) {
  const std::string dir = temp_path("hostile");
  std::filesystem::create_directories(dir);
  Child make({MAKE_HOSTILE_BIN, dir, name}, temp_path("hostile-make.out"), temp_path("hostile-make.err"));
  REQUIRE(make.wait(120) == 0);
  const std::string file = dir + "/" + name;
  args.insert(args.begin(), sockscope_bin());
  args.push_back(file);
  // the output of a run that prints 400 MB goes nowhere: memory, not disk, is measured
  Child c(args, keep_output ? temp_path("hostile.out") : "/dev/null", temp_path("hostile.err"));
  const int st = c.wait(300);
  Run r{st, c.cpu_seconds(), c.max_rss_kib(), keep_output ? c.out() : "", c.err()};
  std::filesystem::remove_all(dir);
  INFO(r.err);
  INFO("cpu " << r.cpu_s << " s, max RSS " << r.rss_kib / 1024 << " MiB");
  CHECK(r.rss_kib < kMaxRssKib);
  CHECK(r.cpu_s < kMaxCpuSeconds);
  return r;
}

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("hostile: 1,000,000 seeds a nanosecond apart, --max-sockets 1000, print 1,000", "[cli][hostile]") {
  auto r = run_on("seeds-1m.ssc", {"list", "--max-sockets", "1000", "-r"}, true);
  CHECK(r.status == 0);
  CHECK(lines(r.out) == 1001);  // the header and 1,000 sockets
  CHECK(r.err.find("evicted_for_room=999000") != std::string::npos);
}

TEST_CASE("hostile: list --json of 262,144 sockets streams, memory is the table's", "[cli][hostile]") {
  auto r = run_on("sockets-262k.ssc", {"list", "--json", "-r"}, false);
  CHECK(r.status == 0);
  CHECK(r.err.find("sockets=262144 ") != std::string::npos);
}

TEST_CASE("hostile: list of 262,144 sockets as text is written row by row", "[cli][hostile]") {
  auto r = run_on("sockets-262k.ssc", {"list", "-r"}, false);
  CHECK(r.status == 0);
  CHECK(r.err.find("sockets=262144 ") != std::string::npos);
}

TEST_CASE("hostile: 1,000,000 device keys are held to the NIC table's cap", "[cli][hostile]") {
  auto r = run_on("devices-1m.ssc", {"nic", "-r"}, true);
  CHECK(r.status == 0);
  CHECK(r.err.find("devices_evicted=934464") != std::string::npos);
}

TEST_CASE("hostile: a header of 250,000 empty probes is refused at once", "[cli][hostile]") {
  auto r = run_on("probes-250k.ssc", {"list", "-r"}, true);
  CHECK(r.status == 2);
  CHECK(r.err.find("probes, more than 4096") != std::string::npos);
  CHECK(r.cpu_s < 1);  // was 10.9 s: it must not even come close
}
