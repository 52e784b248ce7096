// Trace files from the command line, without root: -r reads a file with
// no BPF at all; bad files and bad trace options get a clear message.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_run.h"
#include "tests/helpers/child.h"

using namespace testing;
using nlohmann::json;

namespace {

using Result = CliResult;

Result run(const std::vector<std::string>& args) { return run_sockscope(args, "cli-trace"); }

std::string copy_cut(size_t keep) {
  std::string path = temp_path("cut.ssc");
  std::ifstream in(seed_trace(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(bytes.size() > keep);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(keep));
  return path;
}

}  // namespace

TEST_CASE("trace: list -r reads a trace without root or BPF", "[cli][trace]") {
  auto r = run({"list", "--json", "-r", seed_trace()});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto list = json::parse(r.out);
  REQUIRE(list.size() == 4);
  CHECK(list[0]["cookie"] == 4242);
  CHECK(list[0]["drops_by_reason"]["NETFILTER_DROP"] == 3);  // the recording kernel's name
  CHECK(r.err.find("not attached") == std::string::npos);
}

TEST_CASE("trace: a file that is not a trace, or missing, exits 2 and says so", "[cli][trace]") {
  auto r = run({"list", "-r", "/etc/hostname"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("/etc/hostname is not a sockscope trace"));
  r = run({"nic", "-r", "/nonexistent/t.ssc"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot open the trace file /nonexistent/t.ssc"));
  r = run({"export", "--format", "csv", "-r", copy_cut(20)});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("ends inside the trace header"));
}

TEST_CASE("trace: a cut file reads up to its last block and says where it stopped", "[cli][trace]") {
  auto whole = run({"watch", "--json", "-r", seed_trace()});
  REQUIRE(whole.status == 0);
  auto r = run({"watch", "--json", "-r", copy_cut(5000)});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Catch::Contains("the file ends inside block") && Catch::Contains("read up to byte"));
  // a prefix of what the whole file gives
  CHECK(!r.out.empty());
  CHECK(whole.out.compare(0, r.out.size(), r.out) == 0);
  CHECK(r.out.size() < whole.out.size());
}

TEST_CASE("trace: export writes jsonl, csv and perfetto", "[cli][trace][export]") {
  auto j = run({"export", "-r", seed_trace(), "--format", "jsonl"});
  REQUIRE(j.status == 0);
  std::istringstream lines(j.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) CHECK(json::parse(line).contains("type"));
  CHECK(n > 10);

  auto c = run({"export", "-r", seed_trace(), "--format", "csv"});
  REQUIRE(c.status == 0);
  CHECK(c.out.rfind("netid,state,", 0) == 0);
  CHECK(std::count(c.out.begin(), c.out.end(), '\n') == 5);  // header and 4 sockets

  std::string out = temp_path("export.json");
  std::filesystem::remove(out);
  auto p = run({"export", "-r", seed_trace(), "--format", "perfetto", "-o", out});
  REQUIRE(p.status == 0);
  CHECK((std::filesystem::status(out).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto doc = json::parse(read_file(out));
  REQUIRE(doc["traceEvents"].is_array());
  CHECK(doc["traceEvents"].size() > 10);
}

TEST_CASE("trace: bad trace options exit 2", "[cli][trace]") {
  CHECK(run({"record"}).status == 2);                                       // no -w
  CHECK(run({"export", "--format", "csv"}).status == 2);                    // no -r
  CHECK(run({"export", "-r", seed_trace(), "--format", "pcap"}).status == 2);
  CHECK(run({"record", "-w", "/tmp/x", "--keep", "3"}).status == 2);       // --keep needs --rotate-size
  auto r = run({"record", "-w", "/tmp/x", "--rotate-size", "1K"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("at least 64K"));
  CHECK(run({"list", "--compress"}).status == 2);  // needs -w
}

TEST_CASE("trace: watch -r shows each gap as a line, whatever the filter", "[cli][trace]") {
  // the seed trace has one Lost record: 5 ring-buffer records lost
  auto text = run({"watch", "-r", seed_trace()});
  INFO(text.err);
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("(gap)") && Catch::Contains("5 lost, 5 in all (ringbuf): records the ring buffer had no room for"));
  auto js = run({"watch", "--json", "--port", "9", "-r", seed_trace()});
  REQUIRE(js.status == 0);
  int gaps = 0;
  std::istringstream lines(js.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    if (j["type"] != "lost") continue;  // --port 9 admits no socket of the trace
    ++gaps;
    CHECK(j["kind"] == "ringbuf");
    CHECK(j["lost"] == 5);
    CHECK(j["lost_total"] == 5);
  }
  CHECK(gaps == 1);
}
