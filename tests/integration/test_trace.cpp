// Trace files on real traffic: what a live run saw and recorded (-w) reads
// back (-r) to the same answers; record stops cleanly on SIGINT and
// SIGTERM; a recorder killed with SIGKILL leaves a readable file, also
// when killed within its first second.
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/integration/list_helpers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;
using nlohmann::json;

namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// A connection with unread data on the server side, one that closed, and
// a listener: states, queues and byte counts to compare.
struct Traffic {
  uint16_t port = free_port();
  Fd l;
  std::vector<Fd> keep;
  uint16_t open_cport = 0, closed_cport = 0;
  void run() {
    l = tcp_listen(AF_INET, port);
    {
      Fd c = tcp_connect(AF_INET, port);
      Fd s = tcp_accept(l);
      closed_cport = local_port(c);
      write_all(c, "bye", 3);
      char b[3];
      REQUIRE(read_exact(s, b, 3) == 3);
    }  // both closed
    Fd c = tcp_connect(AF_INET, port);
    Fd s = tcp_accept(l);
    open_cport = local_port(c);
    std::vector<char> data(30000, 'q');
    write_all(c, data.data(), data.size());
    std::vector<char> got(1000);
    REQUIRE(read_exact(s, got.data(), got.size()) == got.size());
    keep.push_back(std::move(c));
    keep.push_back(std::move(s));
    sleep_ms(300);
  }
};

std::string trace_path(const std::string& name) {
  std::string p = temp_path(name);
  std::filesystem::remove(p);
  return p;
}

// `sockscope CMD --json --port P -w FILE` live over the traffic, stopped
// after it; the caller reads what it printed.
std::unique_ptr<SockscopeRun> record_live(const std::string& cmd, Traffic& t, const std::string& file) {
  auto run = std::make_unique<SockscopeRun>(
      std::vector<std::string>{cmd, "--json", "--duration", kUntilStopped, "--port", std::to_string(t.port), "-w",
                               file},
      "trace-live-" + cmd);
  t.run();
  REQUIRE(run->stop() == 0);
  return run;
}

}  // namespace

TEST_CASE("trace: list -r gives the same list --json as the live run that recorded it", "[kernel][trace]") {
  Traffic t;
  std::string file = trace_path("roundtrip.ssc");
  auto run = record_live("list", t, file);
  SockscopeRun& live = *run;
  json want = live.json_doc();
  INFO("live stderr: " << live.child().err());
  // the run saw the traffic: otherwise equal outputs would prove nothing
  auto [srv, cli] = find_ends(want, "127.0.0.1", t.port, t.open_cport);
  REQUIRE(srv);
  REQUIRE(cli);
  CHECK((*srv)["rx_queue"] == 29000);
  REQUIRE(find_ends(want, "127.0.0.1", t.port, t.closed_cport).client);
  CHECK_THAT(live.child().err(), Catch::Contains("recorded ") && Catch::Contains(" events to " + file));
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  Finished replay = run_to_end({"list", "--json", "-r", file, "--port", std::to_string(t.port)}, "trace-replay");
  INFO("replay stderr: " << replay.err);
  REQUIRE(replay.status == 0);
  CHECK(json::parse(replay.out) == want);
  // nothing was wrong with the file
  CHECK(replay.err.find(file + ":") == std::string::npos);

  // the same for the table, and without the filter (the file holds only
  // what passed it)
  Finished table = run_to_end({"list", "-r", file}, "trace-replay-table");
  REQUIRE(table.status == 0);
  CHECK_THAT(table.out, Catch::Contains("127.0.0.1:" + std::to_string(t.open_cport)));
}

TEST_CASE("trace: watch -r prints what the live watch printed", "[kernel][trace]") {
  Traffic t;
  std::string file = trace_path("watch.ssc");
  auto want = record_live("watch", t, file)->json_lines();
  REQUIRE(want.size() >= 10);
  Finished replay =
      run_to_end({"watch", "--json", "-r", file, "--port", std::to_string(t.port)}, "trace-watch-replay");
  REQUIRE(replay.status == 0);
  std::vector<json> got;
  std::istringstream in(replay.out);
  for (std::string line; std::getline(in, line);) got.push_back(json::parse(line));
  CHECK(got == want);
}

TEST_CASE("trace: record stops on SIGINT and SIGTERM with a complete file and a summary", "[kernel][trace]") {
  for (int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    Traffic t;
    std::string file = trace_path("rec-signal.ssc");
    SockscopeRun rec({"record", "-w", file, "--port", std::to_string(t.port)}, "trace-rec");
    t.run();
    REQUIRE(rec.stop(sig) == 0);
    std::string err = rec.child().err();
    INFO(err);
    CHECK_THAT(err, Catch::Contains("recorded ") && Catch::Contains("0 events lost in the kernel"));
    Finished replay = run_to_end({"list", "--json", "-r", file}, "trace-rec-replay");
    INFO(replay.err);
    REQUIRE(replay.status == 0);
    // complete: no warning about the file at all
    CHECK(replay.err.find(file + ":") == std::string::npos);
    auto list = json::parse(replay.out);
    auto [srv, cli] = find_ends(list, "127.0.0.1", t.port, t.open_cport);
    REQUIRE(srv);
    CHECK((*srv)["rx_queue"] == 29000);
    CHECK((*srv)["state"] == "ESTABLISHED");
  }
}

TEST_CASE("trace: a recorder killed with SIGKILL leaves a file readable up to its last flush", "[kernel][trace]") {
  Traffic t;
  std::string file = trace_path("rec-kill.ssc");
  SockscopeRun rec({"record", "-w", file, "--flush-interval", "0.2", "--port", std::to_string(t.port)},
                   "trace-kill");
  t.run();
  sleep_ms(1000);  // several flush intervals after the traffic
  rec.child().signal(SIGKILL);
  rec.wait(10);
  Finished replay = run_to_end({"list", "--json", "-r", file}, "trace-kill-replay");
  INFO(replay.err);
  REQUIRE(replay.status == 0);
  // it says the recording was not closed, and still has everything
  CHECK_THAT(replay.err, Catch::Contains(file + ": the recording has no end record"));
  auto list = json::parse(replay.out);
  auto [srv, cli] = find_ends(list, "127.0.0.1", t.port, t.open_cport);
  REQUIRE(srv);
  CHECK((*srv)["rx_queue"] == 29000);
}

TEST_CASE("trace: a recorder killed within its first second leaves the sockets it started with", "[kernel][trace]") {
  // the first block goes out right after the first read of the sockets, not
  // a flush interval (default 1 s) later: a listener from before the start
  // is in the file even when the recorder dies at once
  uint16_t port = free_port();
  Fd l = tcp_listen(AF_INET, port);
  std::string file = trace_path("rec-early.ssc");
  SockscopeRun rec({"record", "-w", file, "--port", std::to_string(port)}, "trace-early");
  REQUIRE(rec.child().wait_for_stderr("recording to", 30));
  sleep_ms(400);
  rec.child().signal(SIGKILL);
  rec.wait(10);
  Finished replay = run_to_end({"list", "--json", "-r", file}, "trace-early-replay");
  INFO(replay.err);
  REQUIRE(replay.status == 0);
  CHECK(replay.err.find("ends inside") == std::string::npos);
  auto list = json::parse(replay.out);
  const json* listener = find_socket(list, "tcp", ep("127.0.0.1", port), "");
  REQUIRE(listener);
  CHECK((*listener)["state"] == "LISTEN");
}

TEST_CASE("trace: record --rotate-size --keep leaves the newest files, each readable", "[kernel][trace]") {
  std::string base = trace_path("ring.ssc");
  for (int i = 1; i < 50; ++i) std::filesystem::remove(base + std::to_string(i));
  // every socket syscall in the machine, with per-call detail: enough to
  // fill 64K files quickly
  SockscopeRun rec({"record", "-w", base, "--rotate-size", "64K", "--keep", "2", "--detail", "calls",
                    "--flush-interval", "0.1"},
                   "trace-ring");
  uint16_t port = free_port();
  Fd l = tcp_listen(AF_INET, port);
  Fd c = tcp_connect(AF_INET, port);
  Fd s = tcp_accept(l);
  char b[16] = {};
  for (int i = 0; i < 4000; ++i) {
    write_all(c, b, sizeof(b));
    REQUIRE(read_exact(s, b, sizeof(b)) == sizeof(b));
  }
  sleep_ms(500);
  REQUIRE(rec.stop() == 0);
  std::vector<std::string> files;
  for (int i = 0; i < 50; ++i) {
    std::string f = i ? base + std::to_string(i) : base;
    if (std::filesystem::exists(f)) files.push_back(f);
  }
  INFO(rec.child().err());
  REQUIRE(files.size() == 2);
  for (const auto& f : files) {
    Finished r = run_to_end({"list", "--json", "-r", f}, "trace-ring-replay");
    INFO(f << ": " << r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find(f + ":") == std::string::npos);
    // a later file starts with the sockets that existed: the connection is there
    CHECK(find_ends(json::parse(r.out), "127.0.0.1", port, local_port(c)).client);
  }
}
