// SocketTable: the model rebuilt from events, fed here with the event
// sequences the kernel produces for each socket lifecycle (the order in
// which the BPF side reports them: a state change made inside a syscall comes
// before that syscall's record, which is written at exit).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "model/socket_facts.h"
#include "model/socket_table.h"
#include "tests/unit/builders.h"
#include "util/bounded.h"

using namespace sockscope;
using namespace sockscope::test;
using States = std::vector<std::string>;

namespace {

const Task kCurl = task(100, "curl");
const Task kNginx = task(200, "nginx");
const Task kSoftirq = task(0, "swapper/1");  // whoever was on the CPU

// One socket as the kernel sees it. Records carry cookie 0 until the
// kernel generates the cookie (first state change or I/O), then the cookie.
struct KSock {
  uint64_t sk = 0;
  uint64_t cookie = 0;  // the cookie the kernel will generate
  uint16_t protocol = kProtoTcp;
  TcpState state = TcpState::Close;
  bool cookie_generated = false;
  Endpoint local, remote;

  SockId id() const {
    SockId id;
    id.cookie = cookie_generated ? cookie : 0;
    id.sk = sk;
    id.netns = 4026531840;
    id.family = kAfInet;
    id.protocol = protocol;
    id.type = protocol == kProtoTcp ? 1 : 2;
    id.state = static_cast<uint8_t>(state);
    id.local = local;
    id.remote = remote;
    return id;
  }
};

KSock tcp(uint64_t sk, uint64_t cookie) {
  KSock k;
  k.sk = sk;
  k.cookie = cookie;
  return k;
}
KSock udp(uint64_t sk, uint64_t cookie) {
  KSock k = tcp(sk, cookie);
  k.protocol = kProtoUdp;
  return k;
}

// Plays a scenario into a SocketTable, one millisecond per event.
struct Script {
  SocketTable table;
  uint64_t now = 10 * kSec;

  explicit Script(TableLimits limits = {}) : table(limits) {}

  const Socket* apply(const Event& e) { return table.apply(e); }
  uint64_t tick() { return now += kMs; }

  // A syscall record, written at exit: a socket fd, its return value.
  const Socket* call(const KSock& k, const Task& t, Call c, int fd, int64_t ret = 0, uint64_t arg0 = 0,
                     uint64_t arg1 = 0) {
    SyscallEvent e;
    e.enter_ns = tick();
    e.ts_ns = tick();
    e.task = t;
    e.sock = k.id();
    e.call = c;
    e.fd = fd;
    e.ret = ret;
    e.arg0 = arg0;
    e.arg1 = arg1;
    return apply(e);
  }
  const Socket* socket(const KSock& k, const Task& t, int fd) {
    return call(k, t, Call::Socket, fd, fd, kAfInet, k.protocol == kProtoTcp ? 1 : 2);
  }
  const Socket* close(const KSock& k, const Task& t, int fd, bool last_ref = true) {
    return call(k, t, Call::Close, fd, 0, last_ref ? 1 : 0);
  }
  // inet_sock_set_state: generates the cookie; sock.state is the old state.
  const Socket* state(KSock& k, TcpState to, const Task& t = kSoftirq) {
    k.cookie_generated = true;
    StateChange e;
    e.ts_ns = tick();
    e.task = t;
    e.sock = k.id();
    e.old_state = k.state;
    e.new_state = to;
    k.state = to;
    return apply(e);
  }
  const Socket* states(KSock& k, std::initializer_list<TcpState> path, const Task& t = kSoftirq) {
    const Socket* s = nullptr;
    for (auto to : path) s = state(k, to, t);
    return s;
  }
  const Socket* sample(KSock& k, const Occupancy& occ, uint64_t ts = 0) {
    k.cookie_generated = true;
    Sample e;
    e.ts_ns = ts ? ts : tick();
    e.sock = k.id();
    e.occ = occ;
    e.why = SampleWhy::Send;
    return apply(e);
  }

  const Socket& at(const KSock& k) const {
    const Socket* s = table.find(k.cookie);
    REQUIRE(s != nullptr);
    return *s;
  }
};

using S = TcpState;

// An established outgoing connection from curl, fd 3.
KSock connected(Script& run, uint64_t sk = 0xA000, uint64_t cookie = 1001) {
  KSock c = tcp(sk, cookie);
  run.socket(c, kCurl, 3);
  run.state(c, S::SynSent, kCurl);
  run.call(c, kCurl, Call::Connect, 3, -115 /* EINPROGRESS */);
  run.state(c, S::Established);
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------
// TCP lifecycles

TEST_CASE("active open and close: socket() joins the cookie, closed at the end", "[table][tcp]") {
  struct Variant {
    const char* name;
    bool close_record_first;  // close() record before the FIN_WAIT1 it caused
    std::vector<S> ending;    // after FIN_WAIT1
  };
  auto v = GENERATE(values<Variant>({
      {"FIN_WAIT2 -> TIME_WAIT -> CLOSE", false, {S::FinWait2, S::TimeWait, S::Close}},
      {"FIN_WAIT2 -> CLOSE (full sock handed to a timewait sock)", false, {S::FinWait2, S::Close}},
      {"close() record seen before FIN_WAIT1, via TIME_WAIT", true, {S::FinWait2, S::TimeWait, S::Close}},
      {"close() record seen before FIN_WAIT1, FIN_WAIT2 -> CLOSE", true, {S::FinWait2, S::Close}},
  }));
  INFO(v.name);

  Script run;
  KSock c = tcp(0xA000, 1001);
  const Socket* prov = run.socket(c, kCurl, 3);
  REQUIRE(prov != nullptr);
  CHECK(is_provisional(prov->key));
  CHECK(prov->owner.fd == 3);

  run.state(c, S::SynSent, kCurl);
  run.call(c, kCurl, Call::Connect, 3, -115);
  run.state(c, S::Established);
  if (v.close_record_first) run.close(c, kCurl, 3);
  run.state(c, S::FinWait1, kCurl);
  if (!v.close_record_first) run.close(c, kCurl, 3);
  for (size_t i = 0; i + 1 < v.ending.size(); ++i) {
    run.state(c, v.ending[i]);
    CHECK_FALSE(run.at(c).closed);
  }
  run.state(c, v.ending.back());

  REQUIRE(run.table.size() == 1);
  const Socket& s = run.at(c);
  CHECK(s.key == 1001);
  CHECK(s.id.cookie == 1001);
  CHECK(s.id.sk == 0xA000);
  States want = {"CLOSE", "SYN_SENT", "ESTABLISHED", "FIN_WAIT1"};
  for (auto st : v.ending) want.emplace_back(tcp_state_name(st));
  CHECK(history_names(s) == want);
  CHECK(s.owner.pid == 100);
  CHECK(comm_view(s.owner.comm) == "curl");
  CHECK(s.owner.fd == 3);
  CHECK(s.fd_closed);
  CHECK(s.closed);
  CHECK(s.closed_ns == run.now);
  REQUIRE(s.calls.size() == 3);
  CHECK(s.calls[0].call == Call::Socket);
  CHECK(s.calls[1].call == Call::Connect);
  CHECK(s.calls[1].ret == -115);
  CHECK(s.calls[2].call == Call::Close);
}

TEST_CASE("the softirq task of a state change does not become the owner", "[table][tcp]") {
  Script run;
  KSock c = connected(run);
  const Socket& s = run.at(c);
  CHECK(s.state == S::Established);
  CHECK(s.owner.pid == 100);
  CHECK(comm_view(s.owner.comm) == "curl");
}

TEST_CASE("TIME_WAIT with no CLOSE after it is closed after the timewait length", "[table][tcp]") {
  Script run;
  KSock c = connected(run);
  run.state(c, S::FinWait1, kCurl);
  run.close(c, kCurl, 3);
  run.states(c, {S::FinWait2, S::TimeWait});
  uint64_t tw = run.now;

  run.table.expire(tw + kTimeWaitNs - 1);
  CHECK_FALSE(run.at(c).closed);
  CHECK(run.at(c).state == S::TimeWait);

  run.table.expire(tw + kTimeWaitNs);
  const Socket& s = run.at(c);
  CHECK(s.closed);
  CHECK(s.closed_ns == tw + kTimeWaitNs);
  CHECK(history_names(s).back() == "CLOSE");
}

TEST_CASE("passive open: listener and accepted child, then passive close", "[table][tcp]") {
  Script run;
  KSock l = tcp(0xB000, 2001);
  l.local = v4("0.0.0.0", 8080);
  run.socket(l, kNginx, 3);
  run.call(l, kNginx, Call::Bind, 3);
  run.state(l, S::Listen, kNginx);
  run.call(l, kNginx, Call::Listen, 3, 0, /*backlog*/ 128);

  KSock c = tcp(0xC000, 2002);  // the child: its own sk and cookie
  c.state = S::Listen;          // cloned from the listener
  c.local = v4("127.0.0.1", 8080);
  c.remote = v4("127.0.0.1", 40000);
  run.states(c, {S::SynRecv, S::Established});
  CHECK(run.at(c).owner.pid == 0);  // nobody has accepted it yet
  CHECK(run.at(c).owner.fd == -1);
  run.call(c, kNginx, Call::Accept4, 3, /*ret fd*/ 5, /*listen fd*/ 3, /*listener cookie*/ 2001);

  REQUIRE(run.table.size() == 2);
  const Socket& ls = run.at(l);
  CHECK(ls.state == S::Listen);
  CHECK(history_names(ls) == States{"CLOSE", "LISTEN"});
  CHECK(ls.listen_backlog == 128);
  CHECK(ls.owner.pid == 200);
  CHECK(ls.owner.fd == 3);
  CHECK(ls.id.local.port == 8080);

  const Socket& cs = run.at(c);
  CHECK(history_names(cs) == States{"SYN_RECV", "ESTABLISHED"});
  CHECK(cs.owner.pid == 200);
  CHECK(comm_view(cs.owner.comm) == "nginx");
  CHECK(cs.owner.fd == 5);
  CHECK(cs.id.remote.port == 40000);

  // the peer closes first
  run.state(c, S::CloseWait);
  run.state(c, S::LastAck, kNginx);  // inside close()
  run.close(c, kNginx, 5);
  CHECK(run.at(c).fd_closed);
  CHECK_FALSE(run.at(c).closed);
  run.state(c, S::Close);  // the peer's last ACK
  CHECK(history_names(run.at(c)) == States{"SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"});
  CHECK(run.at(c).closed);
  CHECK_FALSE(run.at(l).closed);

  // the listener goes when nginx closes it
  run.state(l, S::Close, kNginx);
  CHECK_FALSE(run.at(l).closed);
  run.close(l, kNginx, 3);
  CHECK(run.at(l).closed);
}

TEST_CASE("default tier: an accepted socket no pass saw is owned by the process whose sock_release freed it",
          "[table][tcp][tiers]") {
  Script run;
  KSock c = tcp(0xC100, 2102);  // accepted and closed between two passes
  c.state = S::Listen;
  c.local = v4("127.0.0.1", 8080);
  c.remote = v4("127.0.0.1", 40001);
  run.states(c, {S::SynRecv, S::Established, S::FinWait1, S::FinWait2});
  CHECK(run.at(c).owner.pid == 0);  // no accept() seen: the syscalls tier is off
  // cgroup/sock_release: no fd, in the closing process
  SyscallEvent e;
  e.enter_ns = e.ts_ns = run.tick();
  e.task = kNginx;
  e.sock = c.id();
  e.call = Call::Close;
  e.fd = -1;
  e.arg0 = 1;  // the last reference
  e.origin = CallOrigin::Cgroup;
  run.apply(e);
  CHECK(run.at(c).owner.pid == 200);
  CHECK(comm_view(run.at(c).owner.comm) == "nginx");

  // a socket with an owner keeps it (the release may run elsewhere, e.g. in
  // the last holder of a shared fd)
  KSock d = connected(run, 0xA100, 1101);
  e.sock = d.id();
  e.ts_ns = run.tick();
  run.apply(e);
  CHECK(run.at(d).owner.pid == 100);
}

TEST_CASE("simultaneous close goes through CLOSING", "[table][tcp]") {
  auto ending = GENERATE(values<std::vector<S>>({{S::TimeWait, S::Close}, {S::Close}}));
  Script run;
  KSock c = connected(run);
  run.state(c, S::FinWait1, kCurl);
  run.close(c, kCurl, 3);
  run.state(c, S::Closing);  // the peer's FIN crossed ours
  CHECK_FALSE(run.at(c).closed);
  for (auto st : ending) run.state(c, st);

  States want = {"CLOSE", "SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "CLOSING"};
  for (auto st : ending) want.emplace_back(tcp_state_name(st));
  CHECK(history_names(run.at(c)) == want);
  CHECK(run.at(c).closed);
}

TEST_CASE("a reset while the fd is open closes the socket only at close()", "[table][tcp]") {
  Script run;
  KSock c = connected(run);
  run.state(c, S::Close);  // RST from the peer

  CHECK(run.at(c).state == S::Close);
  CHECK_FALSE(run.at(c).fd_closed);
  CHECK_FALSE(run.at(c).closed);  // curl still holds fd 3

  run.close(c, kCurl, 3);
  CHECK(run.at(c).closed);
  CHECK(run.at(c).closed_ns == run.now);
}

TEST_CASE("close() of a duplicated fd (not the last reference) does not close", "[table][tcp]") {
  Script run;
  KSock c = connected(run);
  run.close(c, kCurl, 4, /*last_ref*/ false);
  CHECK_FALSE(run.at(c).fd_closed);
  run.state(c, S::Close);
  CHECK_FALSE(run.at(c).closed);
  run.close(c, kCurl, 3, true);
  CHECK(run.at(c).closed);
}

TEST_CASE("a child reset before accept() is closed at CLOSE", "[table][tcp]") {
  Script run;
  KSock c = tcp(0xC000, 3001);
  c.state = S::Listen;
  run.states(c, {S::SynRecv, S::Established, S::Close});
  const Socket& s = run.at(c);
  CHECK(history_names(s) == States{"SYN_RECV", "ESTABLISHED", "CLOSE"});
  CHECK(s.owner.fd == -1);
  CHECK(s.closed);
  CHECK(s.closed_ns == run.now);
}

// ---------------------------------------------------------------------------
// UDP

TEST_CASE("UDP: socket, bind, traffic, close", "[table][udp]") {
  Script run;
  KSock u = udp(0xD000, 4001);
  run.socket(u, kCurl, 4);
  u.local = v4("0.0.0.0", 5353);
  run.call(u, kCurl, Call::Bind, 4);
  REQUIRE(run.table.size() == 1);
  const Socket* prov = &run.table.sockets().begin()->second;
  CHECK(is_provisional(prov->key));
  CHECK(socket_state_name(*prov) == "UNCONN");
  CHECK(prov->id.local.port == 5353);

  run.sample(u, Occupancy{.rx_queue = 768, .rmem_alloc = 768, .rcvbuf = 212992, .sndbuf = 212992});
  REQUIRE(run.table.size() == 1);
  const Socket& s = run.at(u);
  CHECK_FALSE(s.is_tcp());
  CHECK(s.owner.fd == 4);
  CHECK(s.occ.rx_queue == 768);
  CHECK(socket_state_name(s) == "UNCONN");

  StatsUpdate st;
  st.ts_ns = run.tick();
  st.cookie = 4001;
  st.sk = 0xD000;
  st.bytes_sent = 1200;
  st.bytes_received = 768;
  st.send_calls = 3;
  st.recv_calls = 1;
  run.apply(st);
  CHECK(run.at(u).io.bytes_sent == 1200);
  CHECK(run.at(u).io.bytes_received == 768);

  run.close(u, kCurl, 4);
  CHECK(run.at(u).closed);
  CHECK(socket_state_name(run.at(u)) == "CLOSED");
  CHECK(run.table.size() == 1);
}

TEST_CASE("UDP: a connect()ed socket is ESTAB like ss says", "[table][udp]") {
  Script run;
  KSock u = udp(0xD000, 4001);
  run.socket(u, kCurl, 4);
  u.state = S::Established;  // connect() sets sk_state directly, no tracepoint
  u.remote = v4("10.0.0.53", 53);
  run.call(u, kCurl, Call::Connect, 4);
  const Socket& s = run.table.sockets().begin()->second;
  CHECK(s.state == S::Established);
  CHECK(socket_state_name(s) == "ESTAB");
  CHECK(s.id.remote.port == 53);
}

// ---------------------------------------------------------------------------
// Kernel address reuse: sk is only a join key

TEST_CASE("a new socket() at a closed socket's address is a new socket", "[table][reuse]") {
  Script run;
  KSock a = udp(0xE000, 5001);
  const Socket* sa = run.socket(a, kCurl, 3);
  uint64_t a_key = sa->key;
  run.close(a, kCurl, 3);
  REQUIRE(run.table.find(a_key)->closed);

  KSock b = tcp(0xE000, 5002);  // same kernel address
  const Socket* sb = run.socket(b, kNginx, 7);
  REQUIRE(sb != nullptr);
  CHECK(sb->key != a_key);
  CHECK_FALSE(sb->closed);
  CHECK(sb->owner.pid == 200);
  CHECK(run.table.size() == 2);

  run.state(b, S::SynSent, kNginx);
  REQUIRE(run.table.size() == 2);
  CHECK(history_names(run.at(b)) == States{"CLOSE", "SYN_SENT"});
  CHECK(run.at(b).owner.fd == 7);
  const Socket* old = run.table.find(a_key);
  REQUIRE(old != nullptr);
  CHECK(old->closed);
  CHECK(old->owner.pid == 100);
}

TEST_CASE("a closed cookieless socket is not joined to a new cookie at its address", "[table][reuse]") {
  // A socket that died before the kernel gave it a cookie; the address is
  // then reused for a listener's child, whose first record has a cookie.
  Script run;
  KSock a = udp(0xE000, 5001);
  uint64_t a_key = run.socket(a, kCurl, 3)->key;
  run.close(a, kCurl, 3);

  KSock child = tcp(0xE000, 5003);
  child.state = S::Listen;
  run.state(child, S::SynRecv);

  REQUIRE(run.table.size() == 2);
  const Socket& c = run.at(child);
  CHECK(c.is_tcp());
  CHECK(history_names(c) == States{"SYN_RECV"});
  CHECK(c.owner.pid == 0);
  CHECK_FALSE(c.closed);
  REQUIRE(run.table.find(a_key) != nullptr);
  CHECK(run.table.find(a_key)->closed);
}

TEST_CASE("late stats of a closed socket do not steal its address from the new socket", "[table][reuse]") {
  // Stats are read from the map every interval, so the final counters of a
  // closed socket can arrive after the kernel reused its address.
  Script run;
  KSock a = connected(run, 0xF000, 6001);
  run.state(a, S::Close);
  run.close(a, kCurl, 3);
  REQUIRE(run.at(a).closed);

  KSock b = tcp(0xF000, 6002);
  run.socket(b, kNginx, 9);
  StatsUpdate late;
  late.ts_ns = run.tick();
  late.cookie = 6001;
  late.sk = 0xF000;
  late.bytes_sent = 42;
  run.apply(late);
  CHECK(run.at(a).io.bytes_sent == 42);

  run.state(b, S::SynSent, kNginx);
  CHECK(run.table.size() == 2);
  const Socket& sb = run.at(b);
  CHECK(history_names(sb) == States{"CLOSE", "SYN_SENT"});
  CHECK(sb.owner.fd == 9);
  CHECK(sb.io.bytes_sent == 0);
}

// ---------------------------------------------------------------------------
// Occupancy and counters

TEST_CASE("StatsUpdate sets io counters and occupancy", "[table][occ]") {
  Script run;
  KSock c = connected(run);
  run.sample(c, Occupancy{.rx_queue = 10, .tx_queue = 20, .rcvbuf = 1000, .sndbuf = 2000});
  uint64_t sample_ts = run.now;

  StatsUpdate u;
  u.ts_ns = run.tick();
  u.cookie = c.cookie;
  u.sk = c.sk;
  u.bytes_sent = 5000;
  u.bytes_received = 7000;
  u.send_calls = 5;
  u.recv_calls = 7;
  u.send_ns = 111;
  u.recv_ns = 222;
  u.send_ns_max = 33;
  u.recv_ns_max = 44;
  u.last_send_ns = sample_ts + 1;
  u.last_recv_ns = sample_ts + 2;
  u.last_sample_ns = sample_ts + 5;
  u.occ = {.rx_queue = 300, .tx_queue = 1, .rcvbuf = 1000, .sndbuf = 2000};
  u.occ_max = {.rx_queue = 900, .tx_queue = 5, .rmem_alloc = 4096, .ack_backlog = 0};
  u.owner_pid = 999;
  run.apply(u);

  const Socket& s = run.at(c);
  CHECK(s.io.bytes_sent == 5000);
  CHECK(s.io.bytes_received == 7000);
  CHECK(s.io.send_calls == 5);
  CHECK(s.io.recv_calls == 7);
  CHECK(s.io.send_ns == 111);
  CHECK(s.io.recv_ns == 222);
  CHECK(s.io.send_ns_max == 33);
  CHECK(s.io.recv_ns_max == 44);
  CHECK(s.io.last_send_ns == sample_ts + 1);
  CHECK(s.io.last_recv_ns == sample_ts + 2);
  CHECK(s.occ.rx_queue == 300);
  CHECK(s.occ_ts_ns == sample_ts + 5);
  CHECK(s.occ_max.rx_queue == 900);
  CHECK(s.occ_max.tx_queue == 20);  // the sample's was higher
  CHECK(s.occ_max.rmem_alloc == 4096);
  CHECK(s.owner.pid == 100);  // known owner kept over the stats map's last caller

  // an update whose occupancy is older than the latest sample keeps occ
  u.last_sample_ns = sample_ts - 1;
  u.occ.rx_queue = 1;
  run.apply(u);
  CHECK(run.at(c).occ.rx_queue == 300);
}

TEST_CASE("StatsUpdate gives an unowned socket the map's owner pid", "[table][occ]") {
  Script run;
  KSock c = tcp(0xC000, 3001);
  c.state = S::Listen;
  run.states(c, {S::SynRecv, S::Established});
  StatsUpdate u;
  u.ts_ns = run.tick();
  u.cookie = c.cookie;
  u.owner_pid = 321;
  run.apply(u);
  CHECK(run.at(c).owner.pid == 321);
}

TEST_CASE("a sample older than the current occupancy does not overwrite it", "[table][occ]") {
  Script run;
  KSock c = connected(run);
  run.sample(c, Occupancy{.rx_queue = 50, .tx_queue = 5});
  uint64_t t = run.now;
  run.sample(c, Occupancy{.rx_queue = 80, .tx_queue = 1}, t - 1);  // late, from another CPU
  const Socket& s = run.at(c);
  CHECK(s.occ.rx_queue == 50);
  CHECK(s.occ.tx_queue == 5);
  CHECK(s.occ_ts_ns == t);
  CHECK(s.occ_max.rx_queue == 80);  // still a value the queue reached
}

TEST_CASE("high-water marks are field-wise maxima", "[table][occ]") {
  Script run;
  KSock c = connected(run);
  run.sample(c, {.rx_queue = 100, .tx_queue = 5, .rmem_alloc = 10, .wmem_queued = 900});
  run.sample(c, {.rx_queue = 10, .tx_queue = 50, .rmem_alloc = 700, .wmem_queued = 1});
  run.sample(c, {.rx_queue = 0, .tx_queue = 0, .rmem_alloc = 0, .wmem_queued = 0});
  const Socket& s = run.at(c);
  CHECK(s.occ == Occupancy{});
  CHECK(s.occ_max == Occupancy{.rx_queue = 100, .tx_queue = 50, .rmem_alloc = 700, .wmem_queued = 900});
}

// ---------------------------------------------------------------------------
// Sockets that existed before start-up

TEST_CASE("SockSeed: a pre-existing socket, then live events", "[table][seed]") {
  Script run;
  SockSeed seed;
  seed.ts_ns = run.tick();
  seed.sock.cookie = 7001;
  seed.sock.family = kAfInet6;
  seed.sock.protocol = kProtoTcp;
  seed.sock.state = static_cast<uint8_t>(S::Listen);
  seed.sock.local = v6("::", 22);
  seed.occ = {.ack_backlog = 2, .max_ack_backlog = 128};
  seed.pid = 300;
  seed.fd = 6;
  seed.comm = comm("sshd");
  run.apply(seed);

  const Socket* s = run.table.find(7001);
  REQUIRE(s != nullptr);
  CHECK(s->seeded);
  CHECK(s->state == S::Listen);
  CHECK(s->owner.pid == 300);
  CHECK(s->owner.fd == 6);
  CHECK(comm_view(s->owner.comm) == "sshd");
  CHECK(s->occ.ack_backlog == 2);
  CHECK(s->id.local.port == 22);

  KSock k = tcp(0x5000, 7001);
  k.state = S::Listen;
  run.state(k, S::Close, task(300, "sshd"));
  REQUIRE(run.table.size() == 1);
  CHECK(run.table.find(7001)->state == S::Close);
  CHECK(history_names(*run.table.find(7001)) == States{"LISTEN", "CLOSE"});
  CHECK_FALSE(run.table.find(7001)->closed);  // sshd still holds fd 6
}

TEST_CASE("SockSeed for a socket already known does not mark it seeded", "[table][seed]") {
  Script run;
  KSock c = connected(run);
  SockSeed seed;
  seed.ts_ns = run.tick();
  seed.sock = c.id();
  run.apply(seed);
  REQUIRE(run.table.size() == 1);
  CHECK_FALSE(run.at(c).seeded);
  CHECK(run.at(c).owner.pid == 100);  // a seed without owner keeps the known one
}

// ---------------------------------------------------------------------------
// Memory bounds

TEST_CASE("closed sockets are removed after the retention time", "[table][expire]") {
  Script run(TableLimits{.retention_ns = 5 * kSec});
  KSock open = connected(run, 0x1000, 1);
  KSock gone = connected(run, 0x2000, 2);
  run.state(gone, S::Close);
  run.close(gone, kCurl, 3);
  uint64_t closed_at = run.at(gone).closed_ns;

  run.table.expire(closed_at + 5 * kSec);
  CHECK(run.table.size() == 2);
  run.table.expire(closed_at + 5 * kSec + 1);
  CHECK(run.table.size() == 1);
  CHECK(run.table.find(2) == nullptr);
  CHECK(run.table.find(1) != nullptr);
  CHECK(run.table.counters().evicted_closed == 1);
  CHECK(run.table.counters().evicted_for_room == 0);

  run.table.expire(closed_at + 3600 * kSec);  // open sockets stay however old
  CHECK(run.table.find(open.cookie) != nullptr);
}

// expire() works from queues of what is due: an entry for a socket that
// has since moved on must not end it.
TEST_CASE("expire: a socket reopened after it closed outlives its old retention", "[table][expire]") {
  Script run(TableLimits{.retention_ns = 5 * kSec});
  KSock k = connected(run, 0x1000, 1);
  run.state(k, S::Close);
  run.close(k, kCurl, 3);
  REQUIRE(run.at(k).closed);
  const uint64_t closed_at = run.at(k).closed_ns;
  run.state(k, S::SynSent);  // the kernel reused it: connect() again
  REQUIRE_FALSE(run.at(k).closed);
  run.table.expire(closed_at + 3600 * kSec);
  CHECK(run.table.find(1) != nullptr);
  CHECK(run.table.counters().evicted_closed == 0);
  // and a socket that closes again goes at its new time
  run.state(k, S::Close);
  const uint64_t again = run.at(k).closed_ns;
  run.table.expire(again + 5 * kSec);
  CHECK(run.table.find(1) != nullptr);
  run.table.expire(again + 5 * kSec + 1);
  CHECK(run.table.find(1) == nullptr);
  CHECK(run.table.counters().evicted_closed == 1);
}

TEST_CASE("over max_sockets: closed first, then the least recently active, at every insert", "[table][expire]") {
  Script run(TableLimits{.retention_ns = 3600 * kSec, .max_sockets = 3});
  KSock a = connected(run, 0x1000, 1);
  KSock b = connected(run, 0x2000, 2);
  KSock c = connected(run, 0x3000, 3);
  run.state(c, S::Close);  // c: closed, and the most recently active
  run.close(c, kCurl, 3);
  run.sample(a, {.rx_queue = 1});  // a: active again after b
  REQUIRE(run.table.size() == 3);

  KSock d = connected(run, 0x4000, 4);  // no expire(): the insert makes room
  CHECK(run.table.size() == 3);
  CHECK(run.table.find(3) == nullptr);  // closed goes first
  KSock e = connected(run, 0x5000, 5);
  CHECK(run.table.size() == 3);
  CHECK(run.table.find(2) == nullptr);  // then the least recently active
  CHECK(run.table.find(1) != nullptr);
  CHECK(run.table.find(4) != nullptr);
  CHECK(run.table.find(5) != nullptr);
  CHECK(run.table.counters().evicted_for_room == 2);
  CHECK(run.table.counters().evicted_closed == 0);
  (void)b, (void)d, (void)e;
}

TEST_CASE("over max_sockets: the socket being applied stays, closed or not, and keeps its retention", "[table][expire]") {
  Script run(TableLimits{.retention_ns = 5 * kSec, .max_sockets = 2});
  KSock a = connected(run, 0x1000, 1);
  KSock b = connected(run, 0x2000, 2);
  KSock c = tcp(0x3000, 3);
  run.state(c, S::Close);  // first seen as it closes: the newest, and the only closed one
  REQUIRE(run.table.find(3) != nullptr);
  CHECK(run.table.find(3)->closed);
  CHECK(run.table.size() == 2);
  CHECK(run.table.find(1) == nullptr);  // the least recently active made room
  CHECK(run.table.counters().evicted_for_room == 1);
  const uint64_t closed_at = run.table.find(3)->closed_ns;
  run.table.expire(closed_at + 5 * kSec + 1);  // its place in the retention queue was kept
  CHECK(run.table.find(3) == nullptr);
  CHECK(run.table.counters().evicted_closed == 1);
  (void)a, (void)b;
}

TEST_CASE("state history is bounded and keeps how the socket started", "[table][history]") {
  Script run;
  KSock c = connected(run);  // CLOSE, SYN_SENT, ESTABLISHED
  const size_t extra = 2 * Socket::kMaxHistory;
  for (size_t i = 0; i < extra; ++i) run.state(c, i % 2 == 0 ? S::CloseWait : S::Established);

  const Socket& s = run.at(c);
  REQUIRE(s.history.size() == Socket::kMaxHistory);
  CHECK(s.history.front().state == S::Close);
  CHECK(s.history.back().state == S::Established);
  CHECK(s.history.back().ts_ns == run.now);
  CHECK(s.history[s.history.size() - 2].state == S::CloseWait);
  CHECK(s.history_dropped == 3 + extra - Socket::kMaxHistory);
}

TEST_CASE("a repeated state is not a new history point", "[table][history]") {
  Script run;
  KSock c = connected(run);
  run.state(c, S::Established);
  CHECK(run.at(c).history.size() == 3);
}

// ---------------------------------------------------------------------------
// Bookkeeping

TEST_CASE("Lost events: cumulative per kind, summed in lost_total", "[table][lost]") {
  SocketTable t;
  CHECK(t.apply(Lost{1, LostKind::Ringbuf, 5}) == nullptr);
  t.apply(Lost{2, LostKind::Ringbuf, 3});  // an older total never lowers it
  t.apply(Lost{3, LostKind::StatsMap, 2});
  t.apply(Lost{4, LostKind::Inflight, 1});
  t.apply(Lost{5, LostKind::Ringbuf, 7});
  CHECK(t.counters().lost[size_t(LostKind::Ringbuf)] == 7);
  CHECK(t.counters().lost[size_t(LostKind::StatsMap)] == 2);
  CHECK(t.counters().lost[size_t(LostKind::Inflight)] == 1);
  CHECK(t.counters().lost_total() == 10);
  CHECK(t.counters().events == 5);
  CHECK(t.size() == 0);
}

TEST_CASE("records with neither cookie nor sk are counted, not guessed", "[table]") {
  SocketTable t;
  SyscallEvent e;
  e.ts_ns = 1;
  e.call = Call::Bind;
  CHECK(t.apply(e) == nullptr);
  CHECK(t.counters().unattributed == 1);
  CHECK(t.size() == 0);
}

TEST_CASE("a failed socket() makes no socket", "[table]") {
  Script run;
  KSock k = tcp(0x1000, 1);
  CHECK(run.call(k, kCurl, Call::Socket, -1, -24 /* EMFILE */) == nullptr);
  CHECK(run.table.size() == 0);
}

// ---------------------------------------------------------------------------
// sk_buff paths and TCP health

namespace {

Drop drop_on(const KSock& k, uint64_t ts, uint32_t reason, DropOrigin origin = DropOrigin::KfreeSkb) {
  Drop d;
  d.ts_ns = ts;
  d.sock = k.id();
  d.origin = origin;
  d.reason = reason;
  d.ifindex = 7;
  d.len = 1448;
  return d;
}

TcpEvent tcp_on(const KSock& k, uint64_t ts, TcpKind kind) {
  TcpEvent e;
  e.ts_ns = ts;
  e.sock = k.id();
  e.kind = kind;
  return e;
}

// A packet that reached no socket: the record has the packet's addresses.
Drop packet_drop(uint64_t ts) {
  Drop d;
  d.ts_ns = ts;
  d.from_packet = true;
  d.sock.family = kAfInet;
  d.sock.protocol = kProtoTcp;
  d.sock.local = v4("10.0.0.2", 40000);  // the packet's source
  d.sock.remote = v4("10.0.0.1", 9);
  d.reason = 3;
  return d;
}

}  // namespace

TEST_CASE("a drop attaches to its socket by cookie and keeps the owner", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  const Socket* s = run.apply(drop_on(c, run.tick(), 34));
  REQUIRE(s != nullptr);
  CHECK(s->key == c.cookie);
  CHECK(s->owner.pid == 100);  // softirq records never touch the owner
  CHECK(comm_view(s->owner.comm) == "curl");
  REQUIRE(s->net_events.size() == 1);
  CHECK(s->net_events[0].is_drop);
  CHECK(s->net_events[0].origin == DropOrigin::KfreeSkb);
  CHECK(s->net_events[0].reason == 34);
  CHECK(s->net_events[0].ts_ns == run.now);
  CHECK(s->last_event_ns == run.now);
  CHECK(run.table.counters().drops_unattributed == 0);
  // records are history only: the count comes from the maps
  CHECK(s->tcp.drops == 0);
  CHECK(s->drops_by_reason.empty());
}

TEST_CASE("drops and resets with no socket are counted and create nothing", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  size_t before = run.table.size();

  CHECK(run.apply(packet_drop(run.tick())) == nullptr);

  Drop bare;  // cookie 0, no sk, not from a packet
  bare.ts_ns = run.tick();
  CHECK(run.apply(bare) == nullptr);

  TcpEvent rst;  // a reset sent for a packet to a closed port
  rst.ts_ns = run.tick();
  rst.kind = TcpKind::ResetSent;
  rst.from_packet = true;
  rst.sock.local = v4("10.0.0.1", 9);
  CHECK(run.apply(rst) == nullptr);

  TcpEvent rst_cookie0 = tcp_on(c, run.tick(), TcpKind::ResetReceived);
  rst_cookie0.sock.cookie = 0;
  rst_cookie0.sock.sk = 0x9999;  // an sk the table does not hold
  CHECK(run.apply(rst_cookie0) == nullptr);

  TcpEvent retrans = tcp_on(c, run.tick(), TcpKind::Retransmit);
  retrans.sock.cookie = 0;
  retrans.sock.sk = 0;
  CHECK(run.apply(retrans) == nullptr);

  CHECK(run.table.size() == before);
  CHECK(run.table.find(0) == nullptr);
  CHECK(run.table.counters().drops_unattributed == 2);
  CHECK(run.table.counters().resets_unattributed == 2);
  CHECK(run.table.counters().unattributed == 1);
  CHECK(run.at(c).net_events.empty());
}

TEST_CASE("a from_packet record never lands on a socket, even with a known cookie", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  Drop d = packet_drop(run.tick());
  d.sock.cookie = c.cookie;  // the BPF side says cookie 0 here; do not trust it
  CHECK(run.apply(d) == nullptr);
  CHECK(run.at(c).net_events.empty());
  CHECK(run.at(c).id.local == Endpoint{});  // the packet's addresses did not leak in
  CHECK(run.table.counters().drops_unattributed == 1);
}

TEST_CASE("a cookieless drop joins a provisional socket by sk, never makes one", "[table][skb]") {
  Script run;
  KSock u = udp(0xD000, 4001);
  const Socket* prov = run.socket(u, kCurl, 4);  // no cookie yet
  REQUIRE(is_provisional(prov->key));
  const Socket* s = run.apply(drop_on(u, run.tick(), 13, DropOrigin::RcvqueueFull));
  REQUIRE(s != nullptr);
  CHECK(s->key == prov->key);
  CHECK(s->net_events.size() == 1);
  CHECK(s->net_events[0].origin == DropOrigin::RcvqueueFull);

  KSock other = udp(0xD100, 4002);  // never seen
  CHECK(run.apply(drop_on(other, run.tick(), 13)) == nullptr);
  CHECK(run.table.size() == 1);
}

TEST_CASE("a drop naming an unseen cookie creates that socket, without an owner", "[table][skb]") {
  Script run;
  KSock k = tcp(0x7000, 8001);
  k.cookie_generated = true;
  k.state = S::Established;
  k.local = v4("10.0.0.1", 5201);
  k.remote = v4("10.0.0.2", 40000);
  const Socket* s = run.apply(drop_on(k, run.tick(), 34));
  REQUIRE(s != nullptr);
  CHECK(s->key == 8001);
  CHECK(s->id.local.port == 5201);
  CHECK(s->id.remote.port == 40000);
  CHECK(s->owner.pid == 0);
  CHECK(history_names(*s) == States{"ESTABLISHED"});  // the record's state, as first seen

  // a known socket's state comes from state changes, not from these records
  k.state = S::CloseWait;
  run.apply(tcp_on(k, run.tick(), TcpKind::Retransmit));
  CHECK(run.at(k).state == S::Established);
}

TEST_CASE("a timewait socket first seen through a drop is closed when its time is up", "[table][skb]") {
  Script run;
  KSock tw = tcp(0x7100, 8101);
  tw.cookie_generated = true;
  tw.state = S::TimeWait;  // the kernel's timewait sock keeps the cookie
  run.apply(drop_on(tw, run.tick(), 2));
  uint64_t seen = run.now;
  REQUIRE(run.at(tw).state == S::TimeWait);
  run.table.expire(seen + kTimeWaitNs);
  CHECK(run.at(tw).closed);
}

TEST_CASE("records of a request socket do not make an entry", "[table][skb]") {
  // a request socket's child gets its own cookie: an entry for the request
  // socket would never close
  Script run;
  KSock req = tcp(0x7200, 8201);
  req.cookie_generated = true;
  req.state = S::NewSynRecv;
  CHECK(run.apply(drop_on(req, run.tick(), 2)) == nullptr);
  CHECK(run.apply(tcp_on(req, run.tick(), TcpKind::ResetSent)) == nullptr);
  CHECK(run.table.size() == 0);
  CHECK(run.table.counters().drops_unattributed == 1);
  CHECK(run.table.counters().resets_unattributed == 1);
}

TEST_CASE("TCP records go to the recent history, metrics records do not", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  TcpEvent r = tcp_on(c, run.tick(), TcpKind::Retransmit);
  r.segs = 2;
  r.err = -105;
  run.apply(r);
  TcpEvent rst = tcp_on(c, run.tick(), TcpKind::ResetSent);
  rst.reason = 3;
  run.apply(rst);
  run.apply(tcp_on(c, run.tick(), TcpKind::Metrics));
  run.apply(tcp_on(c, run.tick(), TcpKind::ZeroWindowReceived));

  const Socket& s = run.at(c);
  REQUIRE(s.net_events.size() == 3);
  CHECK_FALSE(s.net_events[0].is_drop);
  CHECK(s.net_events[0].kind == TcpKind::Retransmit);
  CHECK(s.net_events[0].segs == 2);
  CHECK(s.net_events[0].err == -105);
  CHECK(s.net_events[1].kind == TcpKind::ResetSent);
  CHECK(s.net_events[1].reason == 3);
  CHECK(s.net_events[2].kind == TcpKind::ZeroWindowReceived);
}

TEST_CASE("recent net events are bounded, newest kept", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  const size_t n = Socket::kMaxNetEvents + 5;
  for (size_t i = 0; i < n; ++i) run.apply(drop_on(c, run.tick(), uint32_t(i)));
  const Socket& s = run.at(c);
  REQUIRE(s.net_events.size() == Socket::kMaxNetEvents);
  CHECK(s.net_events_dropped == 5);
  CHECK(s.net_events.front().reason == 5);
  CHECK(s.net_events.back().reason == n - 1);
  CHECK(s.net_events.back().ts_ns == run.now);
}

TEST_CASE("TCP metrics: the newest reading wins, from records or the stats map", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  auto metrics = [&](uint64_t ts, uint32_t srtt, uint32_t cwnd) {
    TcpEvent e = tcp_on(c, ts, TcpKind::Metrics);
    e.m = {.srtt_us = srtt, .rttvar_us = srtt / 2, .cwnd = cwnd, .ssthresh = 7, .snd_wnd = 65535, .rcv_wnd = 4096};
    return run.apply(e);
  };
  uint64_t t = run.tick();
  metrics(t, 500, 10);
  CHECK(run.at(c).metrics.srtt_us == 500);
  CHECK(run.at(c).metrics.rcv_wnd == 4096);
  CHECK(run.at(c).metrics_ns == t);

  metrics(t - 1, 900, 20);  // late, from another CPU
  CHECK(run.at(c).metrics.srtt_us == 500);
  CHECK(run.at(c).metrics.cwnd == 10);

  StatsUpdate u;
  u.cookie = c.cookie;
  u.ts_ns = t + 10;
  u.metrics = {.srtt_us = 700, .cwnd = 30};
  u.metrics_ns = t - 5;  // the map's reading is older than the record's
  run.apply(u);
  CHECK(run.at(c).metrics.srtt_us == 500);

  u.metrics_ns = 0;  // no tcp_probe seen by the map
  run.apply(u);
  CHECK(run.at(c).metrics.srtt_us == 500);

  u.metrics_ns = t + 5;
  run.apply(u);
  CHECK(run.at(c).metrics.srtt_us == 700);
  CHECK(run.at(c).metrics.cwnd == 30);
  CHECK(run.at(c).metrics_ns == t + 5);

  metrics(t + 6, 800, 40);
  CHECK(run.at(c).metrics.srtt_us == 800);
}

TEST_CASE("StatsUpdate sets the TCP counters, absolute, not added", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  StatsUpdate u;
  u.cookie = c.cookie;
  u.ts_ns = run.tick();
  u.tcp = {.drops = 4, .retrans_segs = 9, .retrans_failed = 1, .synack_retrans = 0, .resets_sent = 1,
           .resets_received = 2, .rcvqueue_full = 3, .buf_limit = 5, .udp_queue_fail = 0,
           .zero_window_sent = 6, .zero_window_received = 7, .persist_probes = 8};
  run.apply(u);
  CHECK(run.at(c).tcp == u.tcp);
  u.tcp.retrans_segs = 12;
  run.apply(u);
  CHECK(run.at(c).tcp.retrans_segs == 12);
}

TEST_CASE("map updates that arrive before their socket wait for it", "[table][skb]") {
  Script run;
  KSock c = tcp(0xA000, 1001);

  StatsUpdate u;
  u.cookie = c.cookie;
  u.ts_ns = run.tick();
  u.tcp.retrans_segs = 3;
  u.tcp.drops = 2;
  u.metrics = {.srtt_us = 250};
  u.metrics_ns = run.now;
  CHECK(run.apply(u) == nullptr);
  CHECK(run.apply(SockDropsUpdate{run.tick(), c.cookie, 34, 2}) == nullptr);
  JourneyUpdate j;
  j.ts_ns = run.tick();
  j.cookie = c.cookie;
  j.nic_to_queue = hist_of({1000, 2000});
  j.queue_to_read = hist_of({5'000'000});
  CHECK(run.apply(j) == nullptr);
  CHECK(run.table.size() == 0);

  run.socket(c, kCurl, 3);
  run.state(c, S::SynSent, kCurl);  // the first record with the cookie
  const Socket& s = run.at(c);
  CHECK(s.tcp.retrans_segs == 3);
  CHECK(s.tcp.drops == 2);
  CHECK(s.metrics.srtt_us == 250);
  CHECK(s.drops_by_reason == std::map<uint32_t, uint64_t>{{34, 2}});
  CHECK(s.nic_to_queue().count == 2);
  CHECK(s.queue_to_read().max_ns == 5'000'000);
  CHECK(run.table.counters().stats_unmatched == 0);
}

TEST_CASE("waiting map updates of a socket that never shows up are counted once each", "[table][skb]") {
  Script run;
  run.apply(SockDropsUpdate{run.tick(), 777, 34, 2});
  run.apply(SockDropsUpdate{run.tick(), 777, 3, 1});
  run.apply(SockDropsUpdate{run.tick(), 777, 34, 5});  // same reason again: still one entry
  JourneyUpdate j;
  j.ts_ns = run.tick();
  j.cookie = 777;
  run.apply(j);
  uint64_t last = run.now;
  run.table.expire(last + 10 * kSec);
  CHECK(run.table.counters().stats_unmatched == 0);  // still within the wait
  run.table.expire(last + 10 * kSec + 1);
  CHECK(run.table.counters().stats_unmatched == 3);

  // gone for good: a socket with that cookie later starts clean
  KSock late = tcp(0x1000, 777);
  run.state(late, S::SynSent);
  CHECK(run.at(late).drops_by_reason.empty());
}

TEST_CASE("SockDropsUpdate sets the count of one reason, JourneyUpdate replaces both histograms", "[table][skb]") {
  Script run;
  KSock c = connected(run);
  run.apply(SockDropsUpdate{run.tick(), c.cookie, 34, 2});
  run.apply(SockDropsUpdate{run.tick(), c.cookie, 13, 1});
  run.apply(SockDropsUpdate{run.tick(), c.cookie, 34, 6});
  CHECK(run.at(c).drops_by_reason == std::map<uint32_t, uint64_t>{{13, 1}, {34, 6}});

  JourneyUpdate j;
  j.ts_ns = run.tick();
  j.cookie = c.cookie;
  j.nic_to_queue = hist_of({1000, 2000, 3000});
  j.queue_to_read = hist_of({10});
  run.apply(j);
  CHECK(run.at(c).nic_to_queue().count == 3);
  CHECK(run.at(c).nic_to_queue().buckets == j.nic_to_queue.buckets);
  j.nic_to_queue = hist_of({4000});
  j.queue_to_read = {};
  run.apply(j);
  CHECK(run.at(c).nic_to_queue().count == 1);
  CHECK(run.at(c).nic_to_queue().max_ns == 4000);
  CHECK(run.at(c).queue_to_read().count == 0);
}

TEST_CASE("Lost: the new kinds are kept and summed", "[table][lost]") {
  SocketTable t;
  t.apply(Lost{1, LostKind::DropMap, 4});
  t.apply(Lost{2, LostKind::Journey, 6});
  t.apply(Lost{3, LostKind::Ringbuf, 1});
  CHECK(t.counters().lost[size_t(LostKind::DropMap)] == 4);
  CHECK(t.counters().lost[size_t(LostKind::Journey)] == 6);
  CHECK(t.counters().lost_total() == 11);
}

TEST_CASE("a socket's drop reasons are bounded, waiting or not, and what is refused is counted", "[table][bounds]") {
  Script run;
  const uint32_t extra = 40;
  for (uint32_t r = 0; r < kMaxReasonsPerKey + extra; ++r) run.apply(SockDropsUpdate{run.tick(), 777, r, 1});
  CHECK(run.table.counters().reasons_refused == extra);  // waiting for its socket
  KSock k = tcp(0x1000, 777);
  run.state(k, S::SynSent);
  CHECK(run.at(k).drops_by_reason.size() == kMaxReasonsPerKey);
  for (uint32_t r = 0; r < kMaxReasonsPerKey + extra; ++r) run.apply(SockDropsUpdate{run.tick(), 777, r, 2});
  CHECK(run.at(k).drops_by_reason.size() == kMaxReasonsPerKey);
  CHECK(run.at(k).drops_by_reason.at(0) == 2);  // the ones it has are updated
  CHECK(run.table.counters().reasons_refused == 2 * extra);
}
