// ss filter expressions on the command line: every command that shows
// sockets takes one, a bad one exits 2 with a caret under the word, and a
// trace read with -r is filtered by it. No BPF needed.
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_run.h"
#include "tests/helpers/child.h"

using namespace testing;
using nlohmann::json;

namespace {

using Result = CliResult;

Result run(const std::vector<std::string>& args) { return run_sockscope(args, "cli-filter"); }

std::string write_file(const std::string& name, const std::string& text) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

}  // namespace

TEST_CASE("filter: every socket command refuses a bad filter before loading anything, with a caret", "[cli][filter]") {
  const std::vector<std::vector<std::string>> commands = {
      {"list"}, {"watch"}, {"top"}, {"record", "-w", temp_path("never.ssc")}, {"diagnose"},
      {"export", "-r", seed_trace(), "--format", "jsonl"}};
  for (auto args : commands) {
    args.push_back("state established ( dport = :4430000 )");
    INFO(args[0]);
    auto r = run(args);
    CHECK(r.status == 2);
    CHECK(r.err.find("sockscope: filter: port 4430000 is out of range") != std::string::npos);
    CHECK(r.err.find("\n  state established ( dport = :4430000 )\n                               ^") !=
          std::string::npos);
    CHECK(r.err.find("probes attached") == std::string::npos);
  }
}

TEST_CASE("filter: the words may be separate arguments, next to the options", "[cli][filter]") {
  auto r = run({"list", "-r", seed_trace(), "--json", "state", "established", "(", "dport", "=", ":443", "or",
                "sport", "=", ":443", ")"});
  INFO(r.err);
  CHECK(r.status == 0);
  r = run({"list", "--port", "80", "-r", seed_trace(), "sport = :80", "--json"});
  INFO(r.err);
  CHECK(r.status == 0);
  r = run({"list", "-r", seed_trace(), "dport", "=", ":99999"});
  CHECK(r.status == 2);
  CHECK(r.err.find("\n  dport = :99999\n           ^") != std::string::npos);
}

TEST_CASE("filter: dev and cgroup name what exists on this host, fwmark is refused as not supported yet",
          "[cli][filter]") {
  auto r = run({"list", "-r", seed_trace(), "sport = :80 or dev = nosuchdev0"});
  CHECK(r.status == 2);
  CHECK(r.err.find("no device 'nosuchdev0' here") != std::string::npos);
  CHECK(r.err.find("\n  sport = :80 or dev = nosuchdev0\n                 ^") != std::string::npos);
  r = run({"list", "-r", seed_trace(), "cgroup", "=", "/no/such/cgroup/here"});
  CHECK(r.status == 2);
  CHECK(r.err.find("no cgroup '/no/such/cgroup/here'") != std::string::npos);
  r = run({"list", "-r", seed_trace(), "dev = lo", "--json"});
  INFO(r.err);
  CHECK(r.status == 0);
  r = run({"watch", "fwmark", "=", "1"});
  CHECK(r.status == 2);
  CHECK(r.err.find("'fwmark' is not supported yet") != std::string::npos);
}

TEST_CASE("filter: -F reads the filter from a file, comments skipped", "[cli][filter]") {
  auto bad = write_file("filter-bad.txt", "# web traffic\nstate established\n( dport = :443 or\n  sport = :http5 )\n");
  auto r = run({"list", "-F", bad});
  CHECK(r.status == 2);
  CHECK(r.err.find("'http5' is not a port") != std::string::npos);
  CHECK(r.err.find("state established ( dport = :443 or   sport = :http5 )") != std::string::npos);

  auto good = write_file("filter-good.txt", "# nothing matches\nsport = :1 and sport = :2\n");
  r = run({"list", "--json", "-r", seed_trace(), "-F", good});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(json::parse(r.out).empty());

  r = run({"list", "-F", temp_path("no-such-filter-file")});
  CHECK(r.status == 2);
  CHECK(r.err.find("cannot read it") != std::string::npos);
}

TEST_CASE("filter: list -r keeps the sockets the expression selects", "[cli][filter][trace]") {
  auto all = run({"list", "--json", "-r", seed_trace()});
  REQUIRE(all.status == 0);
  auto sockets = json::parse(all.out);
  REQUIRE(!sockets.empty());
  // the first socket's local port, selected by sport, and then excluded by not
  std::string local = sockets[0]["local"];
  std::string port = local.substr(local.rfind(':') + 1);
  auto with = run({"list", "--json", "-r", seed_trace(), "sport = :" + port});
  auto without = run({"list", "--json", "-r", seed_trace(), "not sport = :" + port});
  REQUIRE(with.status == 0);
  REQUIRE(without.status == 0);
  auto w = json::parse(with.out), wo = json::parse(without.out);
  CHECK(w.size() >= 1);
  CHECK(w.size() + wo.size() == sockets.size());
  for (const auto& s : w) CHECK(s["local"].get<std::string>().ends_with(":" + port));
}
