// The whole TCP lifecycle of a loopback connection, both ends, as
// `watch --json` reports it, checked against what the test itself did.
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;
using nlohmann::json;

namespace {

using Transitions = std::vector<std::pair<std::string, std::string>>;

// A connection the client closes first: its end, and the accepted one.
const Transitions kActiveClose{{"CLOSE", "SYN_SENT"},
                               {"SYN_SENT", "ESTABLISHED"},
                               {"ESTABLISHED", "FIN_WAIT1"},
                               {"FIN_WAIT1", "FIN_WAIT2"},
                               {"FIN_WAIT2", "TIME_WAIT"}};
const Transitions kPassiveClose{{"LISTEN", "SYN_RECV"},
                                {"SYN_RECV", "ESTABLISHED"},
                                {"ESTABLISHED", "CLOSE_WAIT"},
                                {"CLOSE_WAIT", "LAST_ACK"},
                                {"LAST_ACK", "CLOSE"}};

Transitions transitions_of(const std::vector<json>& ev, uint64_t cookie) {
  Transitions t;
  for (const auto& e : ev)
    if (e["type"] == "state" && e["cookie"] == cookie) t.emplace_back(e["old_state"], e["new_state"]);
  return t;
}

const json* find_call(const std::vector<json>& ev, const std::string& call, uint64_t cookie) {
  for (const auto& e : ev)
    if (e["type"] == "syscall" && e["call"] == call && e["cookie"] == cookie) return &e;
  return nullptr;
}

// "A>B A>B ...": what a failed comparison prints (Catch shows a pair as {?})
std::string text(const Transitions& t) {
  std::string out;
  for (const auto& [from, to] : t) out += (out.empty() ? "" : " ") + from + ">" + to;
  return out;
}

// The state events, one per line, for a failure's report (at most 80).
std::string state_lines(const std::vector<json>& ev) {
  std::string out;
  int n = 0;
  for (const auto& e : ev)
    if (e["type"] == "state" && n++ < 80) out += e.dump() + "\n";
  return out;
}

uint64_t cookie_where(const std::vector<json>& ev, const std::string& new_state, const std::string& local) {
  for (const auto& e : ev)
    if (e["type"] == "state" && e["new_state"] == new_state && e["local"] == local) return e["cookie"];
  return 0;
}

std::string comm_of_self() {
  std::string c = read_file("/proc/self/comm");
  if (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

void check_lifecycle(int family) {
  const std::string host = family == AF_INET ? "127.0.0.1" : "[::1]";
  uint16_t port = free_port();
  // every call with its fd and time: the syscalls tier
  SockscopeRun run({"watch", "--json", "--detail", "syscalls", "--port", std::to_string(port)}, "lifecycle");

  int lfd, cfd, sfd;
  uint16_t cport;
  {
    uint16_t p = port;
    Fd l = tcp_listen(family, p);
    Fd c = tcp_connect(family, port);
    Fd s = tcp_accept(l);
    lfd = l, cfd = c, sfd = s;
    cport = local_port(c);
    write_all(c, "hello", 5);
    char buf[8];
    REQUIRE(read_exact(s, buf, 5) == 5);
    c.close();                           // active close by the client
    REQUIRE(read_exact(s, buf, 1) == 0);  // server sees EOF
    s.close();                           // then the passive close
    l.close();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  REQUIRE(run.stop() == 0);
  auto ev = run.json_lines();
  INFO(run.child().out());

  const std::string srv = host + ":" + std::to_string(port), cli = host + ":" + std::to_string(cport);
  uint64_t listener = cookie_where(ev, "LISTEN", srv);
  uint64_t client = cookie_where(ev, "ESTABLISHED", cli);  // at SYN_SENT the port is not chosen yet
  uint64_t child = cookie_where(ev, "SYN_RECV", srv);
  REQUIRE(listener != 0);
  REQUIRE(client != 0);
  REQUIRE(child != 0);
  CHECK((std::set<uint64_t>{listener, client, child}.size() == 3));

  CHECK(text(transitions_of(ev, listener)) == text(Transitions{{"CLOSE", "LISTEN"}, {"LISTEN", "CLOSE"}}));
  CHECK(text(transitions_of(ev, client)) == text(kActiveClose));
  CHECK(text(transitions_of(ev, child)) == text(kPassiveClose));

  // every record names this process and the fds it used
  const uint32_t pid = getpid();
  const std::string comm = comm_of_self();
  struct Want { std::string call; uint64_t cookie; int fd; long ret; };
  for (const Want& w : {Want{"listen", listener, lfd, 0}, Want{"connect", client, cfd, 0},
                        Want{"accept", child, sfd, sfd}, Want{"close", client, cfd, 0},
                        Want{"close", child, sfd, 0}, Want{"close", listener, lfd, 0}}) {
    INFO(w.call << " on cookie " << w.cookie);
    const json* e = find_call(ev, w.call, w.cookie);
    if (!e && w.call == "accept") e = find_call(ev, "accept4", w.cookie);
    REQUIRE(e);
    CHECK((*e)["pid"] == pid);
    CHECK((*e)["comm"] == comm);
    CHECK((*e)["fd"] == w.fd);
    CHECK((*e)["ret"] == w.ret);
    CHECK((*e)["duration_ns"].get<uint64_t>() < 1'000'000'000ull);
  }
  // State changes are attributed to the owner, even those run in softirq,
  // never to whoever ran the hook. The accepted socket's handshake ran in
  // the client's connect(), before accept() made this process its owner:
  // printed then it has none (0), printed with its state run (at its close)
  // it has this process.
  for (const auto& e : ev) {
    if (e["type"] != "state") continue;
    INFO(e.dump());
    if (e["cookie"] == child) CHECK((e["pid"] == 0 || e["pid"] == pid));
    else CHECK(e["pid"] == pid);
  }
}

}  // namespace

TEST_CASE("watch --json: TCP lifecycle of both ends over IPv4", "[kernel][lifecycle][smoke][syscalls-tier]") { check_lifecycle(AF_INET); }

TEST_CASE("watch --json: TCP lifecycle of both ends over IPv6", "[kernel][lifecycle][syscalls-tier]") { check_lifecycle(AF_INET6); }

// The default tier: a connection's state changes wait on the socket and go
// out together (one run per end at its close); the transitions are the
// same, each at its own time, and listen() with its backlog comes from the
// state hook. The loader falls back to one record per change only where
// the kernel refuses the runs, and says so: never here.
TEST_CASE("watch --json, default tier: state runs give every transition, in order, and listen with its backlog",
          "[kernel][lifecycle][smoke]") {
  uint16_t port = free_port();
  SockscopeRun run({"watch", "--json", "--port", std::to_string(port)}, "lifecycle-runs");
  uint16_t cport;
  {
    uint16_t p = port;
    Fd l = tcp_listen(AF_INET, p, 9);
    Fd c = tcp_connect(AF_INET, port);
    Fd s = tcp_accept(l);
    cport = local_port(c);
    c.close();
    char buf[1];
    REQUIRE(read_exact(s, buf, 1) == 0);
    s.close();
    l.close();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  REQUIRE(run.stop() == 0);
  INFO(run.child().err());
  CHECK(run.child().err().find("one record each") == std::string::npos);
  auto ev = run.json_lines();
  const std::string srv = "127.0.0.1:" + std::to_string(port), cli = "127.0.0.1:" + std::to_string(cport);
  INFO(state_lines(ev));
  uint64_t listener = cookie_where(ev, "LISTEN", srv);
  uint64_t client = cookie_where(ev, "SYN_SENT", cli);  // the run says where the port was, even at CLOSE
  uint64_t child = cookie_where(ev, "SYN_RECV", srv);
  REQUIRE(listener != 0);
  REQUIRE(client != 0);
  REQUIRE(child != 0);
  CHECK(text(transitions_of(ev, client)) == text(kActiveClose));
  CHECK(text(transitions_of(ev, child)) == text(kPassiveClose));
  for (uint64_t cookie : {client, child}) {
    uint64_t last = 0;
    for (const auto& e : ev) {
      if (e["type"] != "state" || e["cookie"] != cookie) continue;
      CHECK(e["ts_ns"].get<uint64_t>() >= last);
      last = e["ts_ns"].get<uint64_t>();
    }
  }
  const json* listen = find_call(ev, "listen", listener);
  REQUIRE(listen);
  CHECK((*listen)["backlog"] == 9);
  CHECK((*listen)["pid"] == uint32_t(getpid()));
}


// --detail calls alone (no packets tier): each data call is a record, with
// its socket. Data calls were tagged with their socket by the packets
// tier's hooks only, so without it every one was dropped.
TEST_CASE("watch --json --detail calls: each send and receive is a record, without the packets tier",
          "[kernel][lifecycle][syscalls-tier]") {
  uint16_t port = free_port();
  SockscopeRun run({"watch", "--json", "--detail", "calls", "--port", std::to_string(port)}, "calls");
  constexpr int kRounds = 300;
  uint16_t p = port;
  Fd l = tcp_listen(AF_INET, p);
  Fd c = tcp_connect(AF_INET, port);
  Fd s = tcp_accept(l);
  char b[16] = {};
  for (int i = 0; i < kRounds; ++i) {
    write_all(c, b, sizeof(b));
    REQUIRE(read_exact(s, b, sizeof(b)) == sizeof(b));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  REQUIRE(run.stop() == 0);
  std::map<std::string, int> calls;
  for (const auto& e : run.json_lines())
    if (e["type"] == "syscall" && e["fd"] == int(c) && e["len"] == sizeof(b)) ++calls[e["call"]];
    else if (e["type"] == "syscall" && e["fd"] == int(s) && e["len"] == sizeof(b)) ++calls[e["call"]];
  INFO(run.child().err());
  int writes = calls["write"] + calls["sendto"], reads = calls["read"] + calls["recvfrom"];
  CHECK(writes == kRounds);
  CHECK(reads == kRounds);
}
