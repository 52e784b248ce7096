// SocketTable fed with iterator passes: the kernel's own tables read each
// interval (SockInfo, then PassEnd), every process's fds (FileHolder, then
// a Files PassEnd), and the final counters read at a socket's move to CLOSE.
// The passes settle what the events missed or got wrong.
#include <algorithm>

#include <catch2/catch.hpp>

#include "model/socket_facts.h"
#include "model/socket_table.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;

namespace {

constexpr uint32_t kNs = 4026531840;

SockId sock(uint64_t cookie, TcpState st, uint16_t port = 8080, uint16_t peer = 40000) {
  SockId id = tcp_sock(cookie, v4("127.0.0.1", port), v4("127.0.0.1", peer), st);
  id.netns = kNs;
  return id;
}

SockInfo seen(uint64_t ts, const SockId& id, uint32_t rx = 0, SockKind kind = SockKind::Full) {
  SockInfo i;
  i.ts_ns = ts;
  i.sock = id;
  i.occ.rx_queue = rx;
  i.kind = kind;
  return i;
}

PassEnd tcp_end(uint64_t start, uint64_t ts) { return {ts, start, kNs, PassWhat::Tcp, 0}; }
PassEnd files_end(uint64_t start, uint64_t ts) { return {ts, start, 0, PassWhat::Files, 0}; }

FileHolder held(uint64_t ts, uint64_t cookie, uint32_t pid, const char* name, int fd) {
  FileHolder h;
  h.ts_ns = ts;
  h.task = task(pid, name);
  h.cookie = cookie;
  h.sk = sk_of(cookie);
  h.fd = fd;
  h.netns = kNs;
  h.family = kAfInet;
  h.protocol = kProtoTcp;
  return h;
}

StateChange change(uint64_t ts, const SockId& id, TcpState from, TcpState to) {
  StateChange c;
  c.ts_ns = ts;
  c.task = task(0, "swapper/0");
  c.sock = id;
  c.old_state = from;
  c.new_state = to;
  return c;
}

// id shown by a TCP pass at 10 s, then held by client (pid 300, fd 4)
// in the files pass after it
void held_after_passes(SocketTable& t, const SockId& id) {
  t.apply(seen(10 * kSec, id));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  t.apply(held(10 * kSec + 1, id.cookie, 300, "client", 4));
  t.apply(files_end(10 * kSec, 10 * kSec + 2));
}

}  // namespace

TEST_CASE("passes: a socket in the first pass existed before start-up, its ages are the kernel's",
          "[model][pass]") {
  SocketTable t;
  SockInfo i = seen(100 * kSec, sock(1, TcpState::Established));
  i.last_recv_ms = 20'000;
  i.last_send_ms = 30'000;
  t.apply(i);
  t.apply(tcp_end(99 * kSec, 100 * kSec));
  const Socket* s = t.find(1);
  REQUIRE(s);
  CHECK(s->seeded);
  CHECK_FALSE(s->state_since_known);
  CHECK(time_in_state_ns(*s, 105 * kSec) == 0);  // unknown, not "since sockscope started"
  CHECK(last_recv_ns(*s) == 80 * kSec);
  CHECK(last_send_ns(*s) == 70 * kSec);

  // one first seen in a later pass is new (its events were missed)
  t.apply(seen(101 * kSec, sock(2, TcpState::Established, 8080, 40001)));
  REQUIRE(t.find(2));
  CHECK_FALSE(t.find(2)->seeded);
}

TEST_CASE("passes: a socket the kernel no longer has is closed by the pass end, with how it ended",
          "[model][pass]") {
  SocketTable t;
  t.apply(seen(10 * kSec, sock(1, TcpState::Established)));
  t.apply(seen(10 * kSec, sock(2, TcpState::Established, 8080, 40001)));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  // the next pass shows only 2; 3 appeared during it (after its start)
  t.apply(change(11'500 * kMs, sock(3, TcpState::SynSent, 40002, 8080), TcpState::Close, TcpState::SynSent));
  t.apply(seen(11'600 * kMs, sock(2, TcpState::Established, 8080, 40001)));
  t.apply(tcp_end(11 * kSec, 11'700 * kMs));
  const Socket* one = t.find(1);
  REQUIRE(one);
  CHECK(one->closed);
  CHECK(one->state == TcpState::Close);
  CHECK(end_how_name(one->end) == "gone");
  CHECK_FALSE(t.find(2)->closed);
  CHECK_FALSE(t.find(3)->closed);  // hashed after the pass began: not expected in it
  CHECK(t.counters().closed_by_pass == 1);
  // another namespace's pass says nothing about these
  t.apply(PassEnd{13 * kSec, 12 * kSec, kNs + 1, PassWhat::Tcp, 0});
  CHECK_FALSE(t.find(2)->closed);
}

TEST_CASE("passes: TIME_WAIT has no queue, and ends when the kernel's timewait socket goes", "[model][pass]") {
  SocketTable t;
  SockId id = sock(1, TcpState::Established);
  t.apply(seen(10 * kSec, id, 5));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  CHECK(t.find(1)->occ.rx_queue == 5);
  t.apply(change(11 * kSec, id, TcpState::FinWait2, TcpState::TimeWait));
  Sample late;  // the peer's FIN counted as one unread byte
  late.ts_ns = 11 * kSec + 1;
  late.sock = id;
  late.occ.rx_queue = 1;
  t.apply(late);
  CHECK(t.find(1)->occ.rx_queue == 0);
  SockInfo tw = seen(12 * kSec, sock(1, TcpState::TimeWait), 0, SockKind::TimeWait);
  tw.tw_left_ms = 59'000;
  t.apply(tw);
  t.apply(tcp_end(11'900 * kMs, 12 * kSec));
  CHECK_FALSE(t.find(1)->closed);
  CHECK(t.find(1)->state == TcpState::TimeWait);
  t.apply(tcp_end(13 * kSec, 13'100 * kMs));
  const Socket* s = t.find(1);
  CHECK(s->closed);
  CHECK(end_how_name(s->end) == "timewait-expired");
  CHECK_FALSE(owner_can_act(*s));
}

TEST_CASE("passes: a timewait socket seen first in a pass dates its state from its time left", "[model][pass]") {
  SocketTable t;
  SockInfo tw = seen(100 * kSec, sock(7, TcpState::TimeWait), 0, SockKind::TimeWait);
  tw.tw_left_ms = 45'000;  // 15 s into its 60
  t.apply(tw);
  const Socket* s = t.find(7);
  REQUIRE(s);
  CHECK(s->state == TcpState::TimeWait);
  CHECK(s->state_since_known);
  CHECK(s->state_since_ns == 85 * kSec);
}

TEST_CASE("passes: a request socket's row goes on as its child, or goes if the handshake never completes",
          "[model][pass]") {
  SocketTable t;
  t.apply(seen(10 * kSec, sock(5, TcpState::NewSynRecv), 0, SockKind::Request));
  t.apply(seen(10 * kSec, sock(6, TcpState::NewSynRecv, 8080, 40001), 0, SockKind::Request));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  REQUIRE(t.find(5));
  CHECK(socket_state_name(*t.find(5)) == "SYN_RECV");
  // 5's handshake completes: the child has the request's cookie
  t.apply(change(10'500 * kMs, sock(5, TcpState::SynRecv), TcpState::SynRecv, TcpState::Established));
  t.apply(seen(11'050 * kMs, sock(5, TcpState::Established)));
  t.apply(tcp_end(11 * kSec, 11'100 * kMs));
  REQUIRE(t.find(5));
  CHECK(t.find(5)->state == TcpState::Established);
  CHECK_FALSE(t.find(5)->closed);
  CHECK_FALSE(t.find(6));  // never completed: no row
  // once the child has gone, its row is closed like any other, not removed
  t.apply(tcp_end(12 * kSec, 12'100 * kMs));
  REQUIRE(t.find(5));
  CHECK(t.find(5)->closed);
}

TEST_CASE("passes: owners come from who holds the fd, not from who ran a hook", "[model][pass]") {
  SocketTable t;
  SockId l = sock(1, TcpState::Listen, 8080, 0);
  t.apply(seen(10 * kSec, l));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  // the parent and its forked child hold the listener
  t.apply(held(10 * kSec + 1, 1, 100, "server", 3));
  t.apply(held(10 * kSec + 2, 1, 101, "server", 3));
  t.apply(files_end(10 * kSec, 10 * kSec + 3));
  const Socket* s = t.find(1);
  CHECK(s->owner.pid == 100);
  CHECK(s->holders.size() == 2);
  // the parent closes its copy: the child owns it
  SyscallEvent c;
  c.ts_ns = 11 * kSec;
  c.task = task(100, "server");
  c.sock = l;
  c.fd = 3;
  c.call = Call::Close;
  c.arg0 = 0;  // not the last reference
  t.apply(c);
  CHECK(s->owner.pid == 101);
  CHECK_FALSE(s->closed);
  // the child is renamed (prctl) and still holds it
  t.apply(held(12 * kSec, 1, 101, "worker", 3));
  t.apply(files_end(12 * kSec - 1, 12 * kSec + 1));
  CHECK(comm_view(s->owner.comm) == "worker");
  CHECK(s->holders.size() == 1);
}

TEST_CASE("passes: a reset socket whose owner exits without close() ends with the files pass", "[model][pass]") {
  SocketTable t;
  SockId id = sock(1, TcpState::Established);
  held_after_passes(t, id);
  t.apply(change(11 * kSec, id, TcpState::Established, TcpState::Close));
  SockInfo fin = seen(11 * kSec, sock(1, TcpState::Close));
  fin.origin = SockOrigin::Final;
  fin.err = 104;  // ECONNRESET
  fin.k.bytes_received = 2;
  t.apply(fin);
  t.apply(tcp_end(12 * kSec, 12'100 * kMs));
  CHECK_FALSE(t.find(1)->closed);  // in CLOSE, no table has it, its fd is still open
  t.apply(held(13 * kSec, 1, 300, "client", 4));
  t.apply(files_end(13 * kSec - 1, 13 * kSec + 1));
  CHECK_FALSE(t.find(1)->closed);
  t.apply(files_end(14 * kSec, 14 * kSec + 1));  // the client exited
  const Socket* s = t.find(1);
  CHECK(s->closed);
  CHECK(end_how_name(s->end) == "reset");
  CHECK(s->holders.empty());
  CHECK(s->kernel.bytes_received == 2);
}

TEST_CASE("passes: a TIME_WAIT socket a pass no longer shows ended as timewaits do, not as a missed event",
          "[model][pass]") {
  SocketTable t;
  t.apply(seen(10 * kSec, sock(1, TcpState::TimeWait), 0, SockKind::TimeWait));
  t.apply(seen(10 * kSec, sock(2, TcpState::Established, 8080, 40001)));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  // the next pass shows neither: the timewait went (its port reused), the
  // established one vanished with no event
  t.apply(tcp_end(11 * kSec, 11'700 * kMs));
  REQUIRE(t.find(1));
  CHECK(t.find(1)->closed);
  CHECK(end_how_name(t.find(1)->end) == "timewait-expired");
  CHECK(t.find(2)->closed);
  CHECK(t.counters().timewait_gone == 1);
  CHECK(t.counters().closed_by_pass == 1);
}

TEST_CASE("passes: a delta pass ends only the sockets it lists as gone, and those no pass ever showed",
          "[model][pass]") {
  SocketTable t;
  t.apply(seen(10 * kSec, sock(1, TcpState::Established)));
  t.apply(seen(10 * kSec, sock(2, TcpState::Established, 8080, 40001)));
  t.apply(seen(10 * kSec, sock(4, TcpState::Established, 8080, 40004)));
  t.apply(tcp_end(9 * kSec, 10 * kSec));
  // 3 came by events only; the delta pass shows nothing (1, 2 and 4 as
  // before) and names 1 as gone
  t.apply(change(10'500 * kMs, sock(3, TcpState::SynSent, 40002, 8080), TcpState::Close, TcpState::SynSent));
  t.apply(PassEnd{11'700 * kMs, 11 * kSec, kNs, PassWhat::Tcp, 0, true, {1, 99}});
  CHECK(t.find(1)->closed);
  CHECK_FALSE(t.find(2)->closed);  // unchanged, so not shown: still there
  CHECK_FALSE(t.find(4)->closed);
  CHECK(t.find(3)->closed);  // in a table since before the pass, never shown by one
  CHECK(t.counters().closed_by_pass == 2);
  // a full pass keeps its meaning: not shown is gone
  t.apply(seen(12'500 * kMs, sock(2, TcpState::Established, 8080, 40001)));
  t.apply(tcp_end(12 * kSec, 12'700 * kMs));
  CHECK_FALSE(t.find(2)->closed);
  CHECK(t.find(4)->closed);
}

TEST_CASE("passes: a socket no files pass found held is looked at again once it leaves the tables",
          "[model][pass]") {
  SocketTable t;
  SockId id = sock(1, TcpState::Established);
  held_after_passes(t, id);
  REQUIRE(t.find(1)->holders.size() == 1);
  t.apply(files_end(11 * kSec, 11 * kSec + 2));  // nobody holds it now: still in the table
  CHECK(t.find(1)->holders.empty());
  CHECK_FALSE(t.find(1)->closed);
  t.apply(files_end(12 * kSec, 12 * kSec + 2));
  CHECK_FALSE(t.find(1)->closed);
  // a reset takes it out of the tables; no fd holds it, so the next files
  // pass ends it
  t.apply(change(13 * kSec, id, TcpState::Established, TcpState::Close));
  CHECK_FALSE(t.find(1)->closed);
  t.apply(files_end(14 * kSec, 14 * kSec + 2));
  CHECK(t.find(1)->closed);
}

// A state run travels with the pass that visits its socket: the pass's
// record is applied first, the run's steps after it, older than it.
TEST_CASE("passes: a state run applied after the pass that flushed it dates the state from its change",
          "[model][pass]") {
  SocketTable t;
  t.apply(seen(100 * kSec, sock(1, TcpState::Established)));
  t.apply(tcp_end(99 * kSec, 100 * kSec));
  // first seen in the next pass, waiting in FIN_WAIT2 for its peer
  t.apply(seen(105 * kSec, sock(2, TcpState::FinWait2, 8080, 40001)));
  const Socket* s = t.find(2);
  REQUIRE(s);
  REQUIRE(s->state == TcpState::FinWait2);
  CHECK(s->state_since_ns == 105 * kSec);
  // then the run the pass sent: established at 102 s, closing at 103 s
  SockId id = sock(2, TcpState::SynSent, 8080, 40001);
  t.apply(change(101 * kSec, id, TcpState::Close, TcpState::SynSent));
  t.apply(change(102 * kSec, id, TcpState::SynSent, TcpState::Established));
  t.apply(change(103 * kSec, id, TcpState::Established, TcpState::FinWait1));
  t.apply(change(103 * kSec + 5, id, TcpState::FinWait1, TcpState::FinWait2));
  s = t.find(2);
  REQUIRE(s);
  CHECK(s->state == TcpState::FinWait2);
  CHECK(s->state_since_ns == 103 * kSec + 5);
  CHECK(time_in_state_ns(*s, 110 * kSec) == 7 * kSec - 5);
  std::vector<TcpState> states;
  std::vector<uint64_t> times;
  for (const StatePoint& p : s->history) {
    states.push_back(p.state);
    times.push_back(p.ts_ns);
  }
  CHECK(states == std::vector<TcpState>{TcpState::SynSent, TcpState::Established, TcpState::FinWait1,
                                        TcpState::FinWait2});
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(times.back() == 103 * kSec + 5);

  // a late record of the state it is in does not move the time past a
  // change it knows of: FIN_WAIT2 cannot have begun before FIN_WAIT1
  t.apply(change(102 * kSec + 1, id, TcpState::FinWait1, TcpState::FinWait2));
  CHECK(t.find(2)->state_since_ns == 103 * kSec + 5);
}

TEST_CASE("passes: a state run does not date a socket that was in its state before start-up",
          "[model][pass]") {
  SocketTable t;
  t.apply(seen(100 * kSec, sock(1, TcpState::Established)));
  t.apply(tcp_end(99 * kSec, 100 * kSec));
  REQUIRE_FALSE(t.find(1)->state_since_known);
  // a record from before the pass, of the state it is in, says nothing of
  // when that state began
  t.apply(change(99 * kSec, sock(1, TcpState::SynSent), TcpState::SynSent, TcpState::Established));
  CHECK_FALSE(t.find(1)->state_since_known);
  CHECK(t.find(1)->state_since_ns == 100 * kSec);
}
