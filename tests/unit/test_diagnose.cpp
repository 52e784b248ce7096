// The diagnosis rules on synthetic events: each kind is named for the
// socket (or process, port, device) that shows it, and not for a healthy
// look-alike.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "diagnosis/diagnose.h"
#include "output/finding_format.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;

namespace {

constexpr uint32_t kListenOverflow = 77;

struct Bench {
  SocketTable table;
  DiagnosisTracker tracker{table};
  Thresholds th;
  ReasonNames reasons = test_reason_names();
  uint64_t now = 100 * kSec;

  Bench() { reasons.drop[kListenOverflow] = "TCP_LISTEN_OVERFLOW"; }

  void feed(const Event& e) { tracker.observe(e, table.apply(e)); }

  static SockId id(uint64_t cookie, uint16_t lport, uint16_t rport, TcpState st) {
    return tcp_sock(cookie, v4("10.0.0.1", lport), v4("10.0.0.2", rport), st);
  }
  // socket() by t, then the states one step (1 ms) apart.
  void open(uint64_t cookie, const Task& t, uint16_t lport, uint16_t rport, std::vector<TcpState> path) {
    SyscallEvent c;
    c.enter_ns = now;
    c.ts_ns = now += kMs;
    c.task = t;
    c.sock = id(0, lport, rport, TcpState::Close);
    c.sock.sk = sk_of(cookie);
    c.call = Call::Socket;
    c.fd = c.ret = 3 + int(cookie);
    feed(c);
    states(cookie, t, lport, rport, TcpState::Close, path);
  }
  // The states one step (1 ms) apart, from old.
  void states(uint64_t cookie, const Task& t, uint16_t lport, uint16_t rport, TcpState old,
              std::vector<TcpState> path) {
    for (TcpState to : path) {
      StateChange e;
      e.ts_ns = now += kMs;
      e.task = t;
      e.sock = id(cookie, lport, rport, old);
      e.old_state = old;
      e.new_state = to;
      old = to;
      feed(e);
    }
  }
  // A retransmit record for an ESTABLISHED socket, with the ones throttled away before it.
  void retransmit(uint64_t cookie, uint16_t lport, uint16_t rport, uint32_t suppressed) {
    TcpEvent t;
    t.ts_ns = now;
    t.sock = id(cookie, lport, rport, TcpState::Established);
    t.kind = TcpKind::Retransmit;
    t.segs = 1;
    t.suppressed = suppressed;
    feed(t);
  }
  void sample(uint64_t cookie, uint16_t lport, uint16_t rport, TcpState st, Occupancy occ) {
    Sample s;
    s.ts_ns = now;
    s.sock = id(cookie, lport, rport, st);
    s.occ = occ;
    feed(s);
  }
  StatsUpdate stats(uint64_t cookie) {
    StatsUpdate u;
    u.ts_ns = now;
    u.cookie = cookie;
    u.sk = sk_of(cookie);
    return u;
  }
  void call(uint64_t cookie, const Task& t, Call k, int64_t ret, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    SyscallEvent c;
    c.enter_ns = now;
    c.ts_ns = now += kMs;
    c.task = t;
    c.sock = id(cookie, 0, 0, TcpState::Unknown);
    c.call = k;
    c.fd = 3 + int(cookie);
    c.ret = ret;
    c.arg0 = a0, c.arg1 = a1, c.arg2 = a2;
    feed(c);
  }
  // The findings; in every test, the same with each rule walking every
  // socket as with the walk narrowed to what a rule could flag
  // (rules::may_flag).
  std::vector<Finding> run() {
    DiagnoseInput in{table, tracker, now, 0, th, reasons, nullptr};
    std::vector<Finding> found = diagnose(in);
    in.prefilter = false;
    std::vector<Finding> unfiltered = diagnose(in);
    REQUIRE(text_of(found) == text_of(unfiltered));
    return found;
  }
  static std::vector<std::string> text_of(const std::vector<Finding>& v) {
    std::vector<std::string> out;
    for (const Finding& f : v) {
      std::string t = fmt::format("{} {} {} {} {} {} | {} | {}", finding_kind_name(f.kind), severity_name(f.severity),
                                  f.cookie, f.pid, f.local, f.since_ns, f.summary, f.evidence.dump());
      for (const Affected& a : f.affected) t += fmt::format(" [{} {}]", a.cookie, finding_kind_name(a.symptom));
      out.push_back(std::move(t));
    }
    return out;
  }
  std::vector<Finding> of(FindingKind k) {
    auto all = run();
    std::vector<Finding> v;
    std::copy_if(all.begin(), all.end(), std::back_inserter(v), [&](const Finding& f) { return f.kind == k; });
    return v;
  }
};

Occupancy rx(uint32_t bytes, uint32_t rcvbuf = 131072) {
  Occupancy o;
  o.rx_queue = o.rmem_alloc = bytes;
  o.rcvbuf = rcvbuf;
  o.sndbuf = 16384;
  return o;
}

const Task kApp = task(4242, "server");

}  // namespace

TEST_CASE("diagnose: app-not-reading names the socket whose queue waits unread", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established});
  b.open(2, kApp, 8080, 40001, {TcpState::SynRecv, TcpState::Established});
  b.sample(1, 8080, 40000, TcpState::Established, rx(5000));
  b.sample(2, 8080, 40001, TcpState::Established, rx(5000));
  b.now += 4 * kSec;
  // socket 2's owner keeps reading
  auto u = b.stats(2);
  u.last_recv_ns = b.now - 100 * kMs;
  u.recv_calls = 10;
  u.last_sample_ns = b.now;
  u.occ = rx(100);
  b.feed(u);
  auto f = b.of(FindingKind::AppNotReading);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].pid == 4242);
  CHECK(f[0].comm == "server");
  CHECK(f[0].severity == Severity::Critical);
  CHECK(f[0].evidence["rx_queue_bytes"] == 5000);
  CHECK(f[0].evidence["queued_for_s"].get<double>() >= 4);
  CHECK(f[0].evidence["last_read"].is_null());
  // below the threshold: nothing
  b.th.unread_s = 10;
  CHECK(b.of(FindingKind::AppNotReading).empty());
}

TEST_CASE("diagnose: peer-not-reading from a zero window with data waiting", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 40000, 9000, {TcpState::SynSent, TcpState::Established});
  auto u = b.stats(1);
  u.metrics_ns = b.now;
  u.metrics.snd_wnd = 0;
  u.metrics.srtt_us = 50;
  u.last_sample_ns = b.now;
  u.occ.tx_queue = u.occ.wmem_queued = 60000;
  u.occ.sndbuf = 65536;
  b.feed(u);
  b.now += 3 * kSec;
  auto f = b.of(FindingKind::PeerNotReading);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].evidence["tx_queue_bytes"] == 60000);
  // the window opened again: nothing
  u.ts_ns = u.metrics_ns = b.now;
  u.metrics.snd_wnd = 65535;
  u.occ.tx_queue = 0;
  b.feed(u);
  CHECK(b.of(FindingKind::PeerNotReading).empty());
}

TEST_CASE("diagnose: send-blocked from a send that stayed in the kernel", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 40000, 9000, {TcpState::SynSent, TcpState::Established});
  auto u = b.stats(1);
  u.send_calls = 3;
  u.send_ns_max = 2500 * kMs;
  u.last_send_ns = b.now;
  b.feed(u);
  REQUIRE(b.of(FindingKind::SendBlocked).size() == 1);
  u.send_ns_max = 200 * kMs;
  b.feed(u);
  CHECK(b.of(FindingKind::SendBlocked).empty());
}

TEST_CASE("diagnose: close-wait-leak and fin-wait2-stuck by age in the state", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established, TcpState::CloseWait});
  b.open(2, task(7, "client"), 40001, 8080, {TcpState::SynSent, TcpState::Established, TcpState::FinWait1,
                                             TcpState::FinWait2});
  // the peer's FIN counts as one byte in the queue: not data left unread
  b.sample(1, 8080, 40000, TcpState::CloseWait, rx(1));
  b.now += 2 * kSec;
  CHECK(b.run().empty());
  b.now += 4 * kSec;
  CHECK(b.of(FindingKind::AppNotReading).empty());
  auto cw = b.of(FindingKind::CloseWaitLeak);
  REQUIRE(cw.size() == 1);
  CHECK(cw[0].cookie == 1);
  CHECK(cw[0].fd == 4);
  CHECK(cw[0].state == "CLOSE_WAIT");
  auto fw = b.of(FindingKind::FinWait2Stuck);
  REQUIRE(fw.size() == 1);
  CHECK(fw[0].cookie == 2);
  CHECK(fw[0].comm == "client");
}

TEST_CASE("diagnose: syn-unanswered, and connection-refused when an RST answers", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 40000, 9, {TcpState::SynSent});
  auto u = b.stats(1);
  u.tcp.retrans_segs = 2;
  b.feed(u);
  b.open(2, kApp, 40001, 10, {TcpState::SynSent});
  TcpEvent rst;
  rst.ts_ns = b.now;
  rst.sock = Bench::id(2, 40001, 10, TcpState::SynSent);
  rst.kind = TcpKind::ResetReceived;
  b.feed(rst);
  auto syn = b.of(FindingKind::SynUnanswered);
  REQUIRE(syn.size() == 1);
  CHECK(syn[0].cookie == 1);
  CHECK(syn[0].severity == Severity::Critical);
  CHECK(syn[0].evidence["syn_retransmits"] == 2);
  auto ref = b.of(FindingKind::ConnectionRefused);
  REQUIRE(ref.size() == 1);
  CHECK(ref[0].cookie == 2);
  CHECK(ref[0].evidence["refused"] == 1);
}

TEST_CASE("diagnose: accept-queue-overflow on a full listener with overflow drops", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 0, {TcpState::Listen});
  Occupancy o;
  o.ack_backlog = 4;
  o.max_ack_backlog = 4;
  b.sample(1, 8080, 0, TcpState::Listen, o);
  SockDropsUpdate d;
  d.ts_ns = b.now;
  d.cookie = 1;
  d.reason = kListenOverflow;
  d.count = 12;
  b.feed(d);
  auto f = b.of(FindingKind::AcceptQueueOverflow);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].evidence["listen_overflow_drops"] == 12);
  CHECK(f[0].evidence["backlog"] == 4);
}

namespace {

// A listener at 10.0.0.2:port as a pass shows it: full queue, the kernel's
// sk_drops as given.
void pass_listener(Bench& b, uint64_t cookie, uint16_t port, uint32_t sk_drops) {
  SockInfo p;
  p.ts_ns = b.now += kMs;
  p.sock = tcp_sock(cookie, v4("10.0.0.2", port), v4("0.0.0.0", 0), TcpState::Listen);
  p.occ.ack_backlog = p.occ.max_ack_backlog = 1;
  p.k.sk_drops = sk_drops;
  b.feed(p);
}

// A connect from 10.0.0.1:lport to 10.0.0.2:port still in SYN_SENT after
// two SYN retransmits.
void syn_waiting(Bench& b, uint64_t cookie, uint16_t lport, uint16_t port) {
  b.open(cookie, kApp, lport, port, {TcpState::SynSent});
  auto u = b.stats(cookie);
  u.tcp.retrans_segs = 2;
  b.feed(u);
}

}  // namespace

TEST_CASE("diagnose: unanswered SYNs to an overflowing listener are listed under it, not reported each",
          "[diagnose]") {
  Bench b;
  pass_listener(b, 1, 8080, 40);  // 40 drops from before the window: not counted
  for (uint64_t c = 2; c < 20; ++c) syn_waiting(b, c, uint16_t(40000 + c), 8080);
  syn_waiting(b, 30, 41000, 9090);  // another destination, no listener seen
  syn_waiting(b, 31, 41001, 9090);
  pass_listener(b, 1, 8080, 166);
  auto all = b.run();
  REQUIRE(all.size() == 2);
  // the cause first: it affects the most sockets
  CHECK(all[0].kind == FindingKind::AcceptQueueOverflow);
  CHECK(all[0].cookie == 1);
  CHECK(all[0].evidence["listen_overflow_drops"] == 126);
  REQUIRE(all[0].affected.size() == 18);
  CHECK(all[0].evidence["affected_sockets"] == 18);
  for (const Affected& a : all[0].affected) {
    CHECK(a.symptom == FindingKind::SynUnanswered);
    CHECK(a.remote == "10.0.0.2:8080");
    CHECK(a.pid == 4242);
  }
  // the two waiting on 9090 share a cause too: one finding, the other listed
  CHECK(all[1].kind == FindingKind::SynUnanswered);
  CHECK(all[1].cookie == 30);
  REQUIRE(all[1].affected.size() == 1);
  CHECK(all[1].affected[0].cookie == 31);
  CHECK(all[1].summary.rfind("2 connects to 10.0.0.2:9090", 0) == 0);

  auto j = finding_json(all[0]);
  REQUIRE(j["affected"].size() == 18);
  CHECK(j["affected"][0]["kind"] == "syn-unanswered");
  std::string text = findings_text(all, 10);
  CHECK(text.find("the same cause affects 18 more sockets:") != std::string::npos);
  CHECK(text.find("and 8 more (--json lists them all)") != std::string::npos);
}

TEST_CASE("diagnose: a listener made in the window counts all its drops, one with none has no finding",
          "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 0, {TcpState::Listen});  // seen made: no drops before the window
  SockInfo p;
  p.ts_ns = b.now += kMs;
  p.sock = Bench::id(1, 8080, 0, TcpState::Listen);
  p.occ.max_ack_backlog = 128;
  p.k.sk_drops = 7;
  b.feed(p);
  b.open(2, kApp, 8081, 0, {TcpState::Listen});
  p.sock = Bench::id(2, 8081, 0, TcpState::Listen);
  p.k.sk_drops = 0;
  b.feed(p);
  auto f = b.of(FindingKind::AcceptQueueOverflow);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].evidence["listen_overflow_drops"] == 7);
}

TEST_CASE("diagnose: a listener read by a pass before its listen() record still counts every drop",
          "[diagnose]") {
  // on a busy host a new namespace's first pass can come before the
  // listener's own records: the model takes it for one older than the
  // window, but its listen() in the window says it is not
  Bench b;
  pass_listener(b, 1, 8080, 18);
  b.call(1, kApp, Call::Listen, 0, 1);
  pass_listener(b, 1, 8080, 54);
  auto f = b.of(FindingKind::AcceptQueueOverflow);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence["listen_overflow_drops"] == 54);
}

TEST_CASE("diagnose: retransmit-storm needs a sustained rate, not one burst", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 40000, 5001, {TcpState::SynSent, TcpState::Established});
  b.now += kSec;
  auto retrans = [&](uint32_t suppressed) { b.retransmit(1, 40000, 5001, suppressed); };
  retrans(0);
  auto u = b.stats(1);
  u.tcp.retrans_segs = 40;
  b.feed(u);
  CHECK(b.of(FindingKind::RetransmitStorm).empty());  // all at one instant
  b.now += 3 * kSec;
  retrans(38);
  auto f = b.of(FindingKind::RetransmitStorm);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].evidence["retransmits"] == 40);
}

TEST_CASE("diagnose: sockets past their owner's reach are still flagged: a connect that gave up, a storm then "
          "TIME_WAIT",
          "[diagnose]") {
  // neither socket can be acted on by its owner any more (CLOSE,
  // TIME_WAIT): only their retransmits keep them in the rules' walk
  Bench b;
  b.open(1, kApp, 40000, 9, {TcpState::SynSent, TcpState::Close});
  auto u = b.stats(1);
  u.tcp.retrans_segs = 3;
  b.feed(u);
  b.open(2, kApp, 40001, 5001, {TcpState::SynSent, TcpState::Established});
  b.now += kSec;
  for (uint32_t suppressed : {0u, 38u}) {
    b.retransmit(2, 40001, 5001, suppressed);
    b.now += 3 * kSec;
  }
  auto r = b.stats(2);
  r.tcp.retrans_segs = 40;
  b.feed(r);
  b.states(2, kApp, 40001, 5001, TcpState::Established,
           {TcpState::FinWait1, TcpState::FinWait2, TcpState::TimeWait});
  auto syn = b.of(FindingKind::SynUnanswered);
  REQUIRE(syn.size() == 1);
  CHECK(syn[0].cookie == 1);
  CHECK(syn[0].evidence["gave_up"] == true);
  auto storm = b.of(FindingKind::RetransmitStorm);
  REQUIRE(storm.size() == 1);
  CHECK(storm[0].cookie == 2);
  CHECK(storm[0].state == "TIME_WAIT");
}

TEST_CASE("diagnose: rst-storm for a port with no listener", "[diagnose]") {
  Bench b;
  for (int i = 0; i < 30; ++i) {
    TcpEvent t;
    t.ts_ns = b.now += 100 * kMs;
    t.sock = Bench::id(0, 9999, uint16_t(50000 + i), TcpState::Close);
    t.from_packet = true;
    t.kind = TcpKind::ResetSent;
    b.feed(t);
  }
  auto f = b.of(FindingKind::RstStorm);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence["port"] == 9999);
  CHECK(f[0].evidence["resets"] == 30);
  b.th.resets_min = 31;
  CHECK(b.of(FindingKind::RstStorm).empty());
}

TEST_CASE("diagnose: rcvbuf-limited from receive-buffer drops or a small SO_RCVBUF that fills", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established});
  b.call(1, kApp, Call::Setsockopt, 0, 1, 8, 4096);  // SOL_SOCKET, SO_RCVBUF
  b.sample(1, 8080, 40000, TcpState::Established, rx(1000, 8192));
  CHECK(b.of(FindingKind::RcvbufLimited).empty());  // set small, but not filling
  b.sample(1, 8080, 40000, TcpState::Established, rx(7000, 8192));
  auto f = b.of(FindingKind::RcvbufLimited);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence["so_rcvbuf_set"] == 4096);
}

TEST_CASE("diagnose: napi-budget-exhausted over the window, not since boot", "[diagnose]") {
  Bench b;
  DevStatsUpdate d;
  d.ts_ns = b.now;
  d.dev = {1, 7};
  std::string_view name = "veth0";
  name.copy(d.name.data(), d.name.size() - 1);
  d.c.napi_polls = 5000;
  d.c.napi_budget_exhausted = 4000;  // before the window: not counted
  b.feed(d);
  d.ts_ns = b.now += 5 * kSec;
  d.c.napi_polls = 5200;
  d.c.napi_budget_exhausted = 4010;
  b.feed(d);
  CHECK(b.of(FindingKind::NapiBudgetExhausted).empty());  // 10 of 200
  d.ts_ns = b.now += 5 * kSec;
  d.c.napi_polls = 5400;
  d.c.napi_budget_exhausted = 4150;
  b.feed(d);
  auto f = b.of(FindingKind::NapiBudgetExhausted);
  REQUIRE(f.size() == 1);
  CHECK(f[0].local == "veth0");
  CHECK(f[0].evidence["budget_exhausted"] == 150);
}

TEST_CASE("diagnose: idle-no-keepalive unless SO_KEEPALIVE is set", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established});
  b.open(2, kApp, 8080, 40001, {TcpState::SynRecv, TcpState::Established});
  b.call(2, kApp, Call::Setsockopt, 0, 1, 9, 1);  // SOL_SOCKET, SO_KEEPALIVE
  b.now += 400 * kSec;
  auto f = b.of(FindingKind::IdleNoKeepalive);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 1);
  CHECK(f[0].severity == Severity::Info);
}

TEST_CASE("diagnose: an accepted socket inherits SO_KEEPALIVE from its listener, accepts are counted on it",
          "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 0, {TcpState::Listen});
  b.call(1, kApp, Call::Setsockopt, 0, 1, 9, 1);  // SOL_SOCKET, SO_KEEPALIVE on the listener
  b.open(2, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established});
  b.call(2, kApp, Call::Accept, 5, 4, /*listener cookie*/ 1);
  b.open(3, kApp, 9090, 40001, {TcpState::SynRecv, TcpState::Established});  // no keepalive anywhere
  b.now += 400 * kSec;
  auto f = b.of(FindingKind::IdleNoKeepalive);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cookie == 3);
  REQUIRE(b.tracker.accepts(1));
  CHECK(b.tracker.accepts(1)->count == 1);
}

TEST_CASE("diagnose: fd-leak when a process's open sockets only grow", "[diagnose]") {
  Bench b;
  for (uint64_t i = 1; i <= 40; ++i) {
    b.open(i, kApp, uint16_t(30000 + i), 80, {TcpState::SynSent, TcpState::Established});
    b.now += 200 * kMs;
  }
  // a second process that opens and closes as many
  const Task other = task(99, "churner");
  for (uint64_t i = 100; i < 140; ++i) {
    b.open(i, other, uint16_t(31000 + i), 80, {TcpState::SynSent, TcpState::Established, TcpState::FinWait1,
                                               TcpState::FinWait2, TcpState::TimeWait});
    b.call(i, other, Call::Close, 0, 1);
    b.now += 200 * kMs;
  }
  auto f = b.of(FindingKind::FdLeak);
  REQUIRE(f.size() == 1);
  CHECK(f[0].pid == 4242);
  CHECK(f[0].evidence["open_sockets_now"].get<uint64_t>() >= 35);
}

TEST_CASE("diagnose: findings come most severe first, and the JSON has the documented fields", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established, TcpState::CloseWait});
  b.open(2, kApp, 40000, 9, {TcpState::SynSent});
  auto u = b.stats(2);
  u.tcp.retrans_segs = 3;
  b.feed(u);
  b.now += 10 * kSec;
  auto all = b.run();
  REQUIRE(all.size() == 2);
  CHECK(all[0].kind == FindingKind::SynUnanswered);
  CHECK(all[1].kind == FindingKind::CloseWaitLeak);
  auto j = finding_json(all[1]);
  for (const char* k : {"kind", "severity", "cookie", "pid", "comm", "fd", "local", "remote", "state", "since_ns",
                        "summary", "evidence", "advice"})
    CHECK(j.contains(k));
  CHECK(j["kind"] == "close-wait-leak");
  CHECK(j["severity"] == "warning");
  CHECK(j["evidence"].is_object());
  std::string text = findings_text(all, 10);
  CHECK(text.find("CRITICAL syn-unanswered") != std::string::npos);
  CHECK(text.find("what to do:") != std::string::npos);
  for (size_t k = 0; k < size_t(FindingKind::Count); ++k)
    CHECK(parse_finding_kind(finding_kind_name(FindingKind(k))) == FindingKind(k));
}

TEST_CASE("diagnose: the tracker forgets sockets the model no longer holds", "[diagnose]") {
  Bench b;
  b.open(1, kApp, 8080, 40000, {TcpState::SynRecv, TcpState::Established});
  b.sample(1, 8080, 40000, TcpState::Established, rx(5000));
  const Socket* s = b.table.find(1);
  REQUIRE(s);
  uint64_t serial = s->serial;
  REQUIRE(b.tracker.socket(serial));
  StateChange close;
  close.ts_ns = b.now += kMs;
  close.sock = Bench::id(1, 8080, 40000, TcpState::Established);
  close.old_state = TcpState::Established;
  close.new_state = TcpState::Close;
  b.feed(close);
  b.call(1, kApp, Call::Close, 0, 1);
  // past the retention time the model drops it; the tracker follows
  b.now += 120 * kSec;
  b.table.expire(b.now);
  REQUIRE_FALSE(b.table.find(1));
  for (int i = 0; i < 12; ++i) {
    b.now += kSec;
    b.open(100 + i, task(7, "other"), uint16_t(50000 + i), 80, {TcpState::SynSent});
  }
  CHECK_FALSE(b.tracker.socket(serial));
  CHECK(b.tracker.open_by_pid().count(4242) == 0);  // no socket open: no series
}
