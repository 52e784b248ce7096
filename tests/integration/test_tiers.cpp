// The default tier runs nothing per packet, per send/recv or per syscall:
// the kernel's own run counts of sockscope's programs (bpf_prog_info
// run_cnt, with run-time stats switched on only for this test) must not
// grow with the number of send+recv pairs a workload makes. The same
// measure on the packets tier shows the growth, so the test can fail.
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

namespace {

uint64_t boottime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

struct Prog {
  std::string name;
  uint32_t type = 0;
  uint64_t runs = 0;
};

// sockscope's programs (named ss_*) loaded since `since`, by id.
std::map<uint32_t, Prog> sockscope_progs(uint64_t since) {
  std::map<uint32_t, Prog> out;
  uint32_t id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    Fd fd(bpf_prog_get_fd_by_id(id));
    if (fd < 0) continue;
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) continue;
    std::string name = info.name;
    if (name.rfind("ss_", 0) != 0 || info.load_time < since) continue;
    out[id] = {name, info.type, info.run_cnt};
  }
  return out;
}

// Send+recv pairs on one loopback connection in this thread: the client's
// process runs the receiver's path too, so every hook on that path runs here.
void pairs(TcpPair& p, int n) {
  char buf[64] = {};
  for (int i = 0; i < n; ++i) {
    write_all(p.client, buf, sizeof(buf));
    read_exact(p.server, buf, sizeof(buf));
    write_all(p.server, buf, sizeof(buf));
    read_exact(p.client, buf, sizeof(buf));
  }
}

// Each program's runs during `n` pairs, after a warm-up that makes the
// connection's one-time events (state changes, the first samples) happen.
std::map<std::string, uint64_t> runs_during(int n, uint64_t since) {
  TcpPair p = tcp_pair(AF_INET, 0);
  pairs(p, 100);
  auto before = sockscope_progs(since);
  pairs(p, n);
  auto after = sockscope_progs(since);
  std::map<std::string, uint64_t> d;
  for (const auto& [id, prog] : after)
    if (auto b = before.find(id); b != before.end()) d[prog.name] = prog.runs - b->second.runs;
  return d;
}

uint64_t socket_cookie(int fd) {
  uint64_t c = 0;
  socklen_t len = sizeof(c);
  REQUIRE(getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) == 0);
  return c;
}

// Whether the newest map named sock_stats (the running sockscope's) has an
// entry for this socket cookie.
bool in_sock_stats(uint64_t cookie) {
  uint32_t id = 0, newest = 0;
  while (bpf_map_get_next_id(id, &id) == 0) {
    Fd fd(bpf_map_get_fd_by_id(id));
    if (fd < 0) continue;
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && std::string(info.name) == "sock_stats") newest = id;
  }
  REQUIRE(newest != 0);
  Fd fd(bpf_map_get_fd_by_id(newest));
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
  std::vector<uint8_t> value(info.value_size);
  return bpf_map_lookup_elem(fd, &cookie, value.data()) == 0;
}

}  // namespace

TEST_CASE("packets tier with one --port: its per-socket programs keep stats for that port's sockets alone",
          "[kernel][tiers]") {
  // both connections made before sockscope starts: no state change or
  // other default-tier event touches their stats entries
  TcpPair in = tcp_pair(AF_INET, 0), out = tcp_pair(AF_INET, 0);
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "--detail", "packets", "--port",
                    std::to_string(in.port)},
                   "tiers-port");
  pairs(in, 50);
  pairs(out, 50);
  const bool in_kept = in_sock_stats(socket_cookie(in.client)) && in_sock_stats(socket_cookie(in.server));
  const bool out_kept = in_sock_stats(socket_cookie(out.client)) || in_sock_stats(socket_cookie(out.server));
  REQUIRE(run.stop() == 0);
  INFO("sockscope: " << run.child().err());
  CHECK(in_kept);
  CHECK_FALSE(out_kept);
  // and what it measured is the app's bytes
  auto list = run.json_doc();
  size_t app = 0;
  for (const auto& s : list)
    if (s.value("bytes_from", "") == "app" && s.value("bytes_sent", uint64_t(0)) == 50 * 64) ++app;
  CHECK(app == 2);
}

// Run-time stats cost a little on every program: on only while the
// returned fd is open.
static Fd enable_run_stats() {
  Fd stats(bpf_enable_stats(BPF_STATS_RUN_TIME));
  REQUIRE(stats >= 0);
  return stats;
}

static constexpr int kPairs = 20000;

TEST_CASE("default tier: no program's run count grows with send+recv pairs", "[kernel][tiers][smoke]") {
  Fd stats = enable_run_stats();
  uint64_t since = boottime_ns();
  // passes far apart, so that the iterators (run by sockscope's reads, on
  // no kernel path) do not run inside the measured window
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "--sample-interval", "60", "--detail", "none"},
                   "tiers-default");
  auto d = runs_during(kPairs, since);
  REQUIRE(run.stop() == 0);
  INFO("sockscope: " << run.child().err());
  // the default tier's programs are there, and measured
  REQUIRE(d.count("ss_tcp_state"));
  REQUIRE(d.count("ss_cg_sock_crea"));  // the kernel keeps 15 characters of a name
  REQUIRE(d.count("ss_kfree_skb"));
  // detail programs are loaded (to be attached at a key press) but do not
  // run; a kernel without one's hook has it unloaded (docs/kernels.md)
  for (const char* detail : {"ss_sys_enter", "ss_send_length"})
    if (d.count(detail)) CHECK(d.at(detail) == 0);
  // Iterators run once per socket of each pass that sockscope reads, on
  // its own thread and no kernel path: a host with many sockets (18k
  // TIME_WAIT after the other tests) runs them thousands of times at the
  // first pass, however many pairs there are.
  std::string per_pair;
  for (const auto& [name, runs] : d)
    if (name.rfind("ss_iter_", 0) != 0 && runs >= kPairs / 100)
      per_pair += name + " ran " + std::to_string(runs) + " times; ";
  // nothing on the per-pair path; a few runs from the rest of the host
  // (its own connections and drops) are not per pair
  CHECK(per_pair == "");
}

// The measure above can see per-pair runs: with the detail tiers on, their
// programs run on every pair. Needs sock_send_length (6.2+) and the
// syscalls tier (bpf_rdonly_cast, 6.2+).
TEST_CASE("detail tiers: their programs run on every send+recv pair (the run-count measure sees it)",
          "[kernel][tiers]") {
  Fd stats = enable_run_stats();
  uint64_t since = boottime_ns();
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "--sample-interval", "60", "--detail",
                    "packets,syscalls"},
                   "tiers-detail");
  auto d = runs_during(kPairs, since);
  REQUIRE(run.stop() == 0);
  INFO("sockscope: " << run.child().err());
  REQUIRE(d.count("ss_send_length"));
  CHECK(d["ss_send_length"] >= uint64_t(2 * kPairs));
  CHECK(d["ss_sys_enter"] >= uint64_t(4 * kPairs));
}
