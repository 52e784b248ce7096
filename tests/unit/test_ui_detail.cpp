// The detail view (Enter on a row), rendered from a Snapshot of a
// SocketTable fed with synthetic events: every section, the queue
// sparklines, the calls, scrolling; and take_detail's copy and cgroup.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "output/finding_format.h"
#include "source/source.h"
#include "tests/unit/builders.h"
#include "tests/unit/table_world.h"
#include "ui/render.h"
#include "ui/snapshot.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {


bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct World : TableWorld {
  World() : TableWorld(synth::StaticSource(test_reason_names())) {}

  void call(uint64_t cookie, const Task& t, Call c, int64_t ret, uint64_t arg0 = 0, uint64_t arg1 = 0,
            uint64_t arg2 = 0) {
    SyscallEvent e;
    e.enter_ns = now;
    e.ts_ns = now += 2 * kMs;
    e.task = t;
    e.sock = id(cookie, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), TcpState::Established);
    e.call = c;
    e.fd = 3;
    e.ret = ret;
    e.arg0 = arg0;
    e.arg1 = arg1;
    e.arg2 = arg2;
    table.apply(e);
  }
  void sample(uint64_t cookie, uint64_t ts, uint32_t rx) {
    Sample e;
    e.ts_ns = ts;
    e.sock = id(cookie, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), TcpState::Established);
    e.occ.rx_queue = rx;
    e.occ.rmem_alloc = rx;
    e.occ.rcvbuf = 131072;
    e.occ.sndbuf = 16384;
    table.apply(e);
  }
};

const Task kCurl = task(100, "curl");

// curl's connection with a bit of everything: lifecycle, data calls (one
// short read, one failing), a receive queue that filled over 20 s and
// drained, counters, metrics, drops, a reset, the journey, an option.
World full_world() {
  World w;
  w.now = 100 * kSec;
  w.sock(7, kCurl, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), {TcpState::SynSent, TcpState::Established});
  w.call(7, kCurl, Call::Connect, 0);
  w.call(7, kCurl, Call::Setsockopt, 0, 1, 8, 65536);  // SOL_SOCKET, SO_RCVBUF
  w.call(7, kCurl, Call::Write, 10, 10);
  w.call(7, kCurl, Call::Recvfrom, 100, 4096);  // short
  w.call(7, kCurl, Call::Read, 4096, 4096);     // full
  w.call(7, kCurl, Call::Recvfrom, -11, 4096);  // EAGAIN
  for (uint64_t j = 0; j <= 20; ++j) w.sample(7, (110 + j) * kSec + 500 * kMs, uint32_t(131072 * j / 20));
  w.sample(7, 131 * kSec + 500 * kMs, 0);

  StatsUpdate st;
  st.ts_ns = 140 * kSec;
  st.cookie = 7;
  st.bytes_sent = 10;
  st.bytes_received = 4196;
  st.recv_calls = 3;
  st.recv_ns = 2500 * kMs;
  st.recv_ns_max = 2 * kSec;
  st.send_calls = 1;
  st.tcp.drops = 6;
  st.tcp.retrans_segs = 3;
  st.tcp.resets_received = 1;
  st.tcp.zero_window_sent = 2;
  st.tcp.rcvqueue_full = 4;
  st.metrics = {350, 120, 10, 0x7fffffff, 65535, 65483, 0, 0};
  st.metrics_ns = 139 * kSec;
  w.table.apply(st);
  for (auto [reason, count] : {std::pair<uint32_t, uint64_t>{34, 5}, {999, 1}}) {
    SockDropsUpdate d;
    d.ts_ns = 140 * kSec;
    d.cookie = 7;
    d.reason = reason;
    d.count = count;
    w.table.apply(d);
  }
  Drop drop;
  drop.ts_ns = 135 * kSec;
  drop.sock = World::id(7, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), TcpState::Established);
  drop.reason = 34;
  w.table.apply(drop);
  TcpEvent rst;
  rst.ts_ns = 136 * kSec;
  rst.sock = drop.sock;
  rst.kind = TcpKind::ResetSent;
  rst.reason = 3;
  w.table.apply(rst);
  JourneyUpdate j;
  j.ts_ns = 140 * kSec;
  j.cookie = 7;
  j.nic_to_queue = hist_of({10'000, 20'000, 30'000, 40'000});
  j.queue_to_read = hist_of({5 * kMs});
  w.table.apply(j);
  w.now = 170 * kSec;
  return w;
}

const Snapshot::Row& row_of(const Snapshot& s, uint64_t key) {
  auto it = std::find_if(s.rows.begin(), s.rows.end(), [&](const auto& r) { return r.key == key; });
  REQUIRE(it != s.rows.end());
  return *it;
}

// Everything, on one tall page (the last line is the status line).
std::vector<std::string> all_lines(const Snapshot& s, uint64_t key, int width = 80) {
  auto lines = render_detail(s, row_of(s, key), ViewState{}, width, 1000);
  lines.pop_back();
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string find_line(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (has(l, part)) return l;
  FAIL("no line with '" << part << "'");
  return {};
}

// The marks between "[" and "]" of the rx sparkline.
std::string rx_spark(const std::vector<std::string>& lines) {
  std::string l = find_line(lines, "  rx [");
  auto a = l.find('['), b = l.rfind(']');
  REQUIRE(b != std::string::npos);
  return l.substr(a + 1, b - a - 1);
}

}  // namespace

TEST_CASE("the detail view shows every section of a socket", "[ui][detail]") {
  World w = full_world();
  Snapshot s = w.snap(7);
  s.replay = true;
  auto lines = all_lines(s, 7);
  INFO([&] {
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    return all;
  }());
  // identity and owner
  CHECK(has(lines[0], "socket 7"));
  CHECK(has(lines[0], "127.0.0.1:40001 -> 127.0.0.1:8080"));
  CHECK(has(find_line(lines, "owner"), "pid 100  comm curl  fd 3"));
  CHECK(has(find_line(lines, "cgroup"), "not recorded"));
  CHECK(has(find_line(lines, "state "), "ESTABLISHED for"));
  // sections, in order of importance
  std::vector<std::string> headings = {"Queues", "Traffic", "State history", "Recent calls", "Drops and TCP health",
                                       "TCP (measured", "Journey", "Options set"};
  size_t at = 0;
  for (const auto& h : headings) {
    auto it = std::find_if(lines.begin() + long(at), lines.end(), [&](const auto& l) { return l.rfind(h, 0) == 0; });
    CHECK(it != lines.end());
    if (it != lines.end()) at = size_t(it - lines.begin());
  }
  // queues against their limits, with the max seen
  CHECK(has(find_line(lines, "recv-q"), "of rcvbuf 131072  max 131072"));
  CHECK(has(find_line(lines, "per mark"), "scale: rcvbuf 131072, sndbuf 16384"));
  CHECK(has(find_line(lines, "  tx ["), "  tx ["));
  // traffic
  CHECK(has(find_line(lines, "  in "), "4196 B"));
  CHECK(has(find_line(lines, "  recv:"), "3 calls, blocked 2.5s, longest 2.0s"));
  // the timeline: calls and states merged in time order
  std::vector<std::string> order;
  for (const auto& l : lines)
    for (const char* x : {"socket()", "SYN_SENT", "ESTABLISHED", "connect()", "setsockopt()"})
      if (l.rfind("  ", 0) == 0 && has(l, std::string(" ") + x + " ")) order.push_back(x);
  CHECK(order == std::vector<std::string>{"socket()", "SYN_SENT", "ESTABLISHED", "connect()", "setsockopt()"});
  // drops, TCP health, metrics, journey, options
  CHECK(has(find_line(lines, "  drops "), "drops 6: NETFILTER_DROP 5, reason_999 1"));
  CHECK(has(find_line(lines, "  retransmits"), "retransmits 3"));
  CHECK(has(find_line(lines, "  retransmits"), "received 1"));
  CHECK(has(find_line(lines, "zero windows"), "sent 2"));
  CHECK(has(find_line(lines, "rcvqueue_full"), "rcvqueue_full 4"));
  CHECK(has(find_line(lines, "drop NETFILTER_DROP"), "kfree_skb"));
  CHECK(has(find_line(lines, "reset_sent"), "TCP_RFC7323_PAWS"));
  CHECK(has(find_line(lines, "srtt"), "srtt 350us  rttvar 120us  cwnd 10  ssthresh inf"));
  CHECK(has(find_line(lines, "send window"), "send window 65535  receive window 65483"));
  std::string nic = find_line(lines, "NIC -> receive queue");
  CHECK(has(nic, " 4 "));
  CHECK(has(nic, "40us"));  // the max
  CHECK(has(find_line(lines, "receive queue -> read"), "5ms"));
  CHECK(has(find_line(lines, "SO_RCVBUF"), "SO_RCVBUF = 65536"));
}

TEST_CASE("the detail view marks short reads and names errors", "[ui][detail]") {
  World w = full_world();
  auto lines = all_lines(w.snap(7), 7);
  std::vector<std::string> recvs, reads;
  for (const auto& l : lines) {
    if (!has(l, " took ")) continue;  // the recent calls, not the journey's "queue -> read"
    if (has(l, " recvfrom ")) recvs.push_back(l);
    if (has(l, " read ")) reads.push_back(l);
  }
  REQUIRE(recvs.size() == 2);
  CHECK(has(recvs[0], "100 of 4096 B  short"));
  CHECK(has(recvs[1], "-EAGAIN"));
  REQUIRE(reads.size() == 1);
  CHECK(has(reads[0], "4096 of 4096 B"));
  CHECK(!has(reads[0], "short"));
  CHECK(has(find_line(lines, " write "), "10 of 10 B"));
}

TEST_CASE("the detail view's sparkline shows a queue that filled and drained", "[ui][detail]") {
  World w = full_world();
  Snapshot s = w.snap(7);
  // wide: one mark per second, the newest at the right (now is second 170)
  std::string spark = rx_spark(all_lines(s, 7, 200));
  INFO("[" << spark << "]");
  REQUIRE(spark.size() == 120);
  size_t first = spark.find_first_not_of(' '), last = spark.find_last_not_of(' ');
  REQUIRE(first != std::string::npos);
  CHECK(first == 111 - 51);  // it began to fill in second 111
  CHECK(last == 131 - 51);   // full until drained during second 131
  CHECK(spark[last] == '#');
  const std::string levels = " .:-=+*#";
  for (size_t i = first; i < last; ++i) CHECK(levels.find(spark[i]) <= levels.find(spark[i + 1]));
  CHECK(levels.find(spark[first]) <= 1);  // rising from nearly empty
  // 80 columns: several seconds per mark, the whole two minutes still there
  auto narrow = all_lines(s, 7, 80);
  std::string small = rx_spark(narrow);
  CHECK(small.size() == 60);
  CHECK(has(small, "#"));
  CHECK(small.back() == ' ');
  CHECK(has(find_line(narrow, "per mark"), "2s per mark"));
}

TEST_CASE("detail lines fit the width at 80 and 200 columns", "[ui][detail]") {
  World w = full_world();
  Snapshot s = w.snap(7);
  REQUIRE(s.detail);
  s.detail->cgroup = "/" + std::string(300, 'c');  // as read live
  for (int width : {80, 200}) {
    for (int height : {24, 1000}) {
      auto lines = render_detail(s, row_of(s, 7), ViewState{}, width, height);
      CHECK(lines.size() == size_t(height));
      for (const auto& l : lines) CHECK(l.size() <= size_t(width));
    }
  }
  auto lines = all_lines(s, 7, 200);
  CHECK(has(find_line(lines, "cgroup"), "cgroup /ccc"));
}

TEST_CASE("the detail view scrolls, clamped, and says where it is", "[ui][detail]") {
  World w = full_world();
  Snapshot s = w.snap(7);
  auto all = all_lines(s, 7);
  size_t n = all.size();
  REQUIRE(n > 40);
  ViewState v;
  auto page = render_detail(s, row_of(s, 7), v, 80, 24);
  REQUIRE(page.size() == 24);
  CHECK(std::equal(page.begin(), page.begin() + 23, all.begin()));
  CHECK(has(page[23], "lines 1-23 of " + std::to_string(n)));
  CHECK(has(page[23], "Esc"));
  v.detail_scroll = 10;
  page = render_detail(s, row_of(s, 7), v, 80, 24);
  CHECK(page[0] == all[10]);
  CHECK(page[22] == all[32]);
  CHECK(has(page[23], "lines 11-33 of "));
  v.detail_scroll = 100000;
  page = render_detail(s, row_of(s, 7), v, 80, 24);
  CHECK(page[22] == all[n - 1]);
  CHECK(page[0] == all[n - 23]);
  CHECK(has(page[23], "lines " + std::to_string(n - 22) + "-" + std::to_string(n) + " of " + std::to_string(n)));
  // a page taller than the content: nothing to scroll
  page = render_detail(s, row_of(s, 7), v, 80, int(n) + 10);
  CHECK(page[0] == all[0]);
}

TEST_CASE("the detail view shows the state history in order, with durations", "[ui][detail]") {
  World w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  Snapshot s = w.snap(3);
  REQUIRE(s.detail);
  auto lines = render_detail(s, row_of(s, 3), ViewState{}, 80, 24);
  for (const auto& l : lines) CHECK(l.size() <= 80);
  std::vector<std::string> states;
  for (const auto& l : lines)
    for (const char* st : {"SYN_SENT", "ESTABLISHED", "CLOSE_WAIT"})
      if (l.rfind("  ", 0) == 0 && has(l, std::string(" ") + st + " ")) states.push_back(st);
  CHECK(states == std::vector<std::string>{"SYN_SENT", "ESTABLISHED", "CLOSE_WAIT"});
  auto it = std::find_if(lines.begin(), lines.end(), [](const auto& l) { return has(l, "SYN_SENT"); });
  REQUIRE(it != lines.end());
  CHECK(has(*it, "1.0s"));  // one second until ESTABLISHED
  auto now = std::find_if(lines.begin(), lines.end(),
                          [](const auto& l) { return l.rfind("  ", 0) == 0 && has(l, " CLOSE_WAIT "); });
  REQUIRE(now != lines.end());
  CHECK(has(*now, "0us (now)"));  // the current state, until now
  CHECK(has(lines[0], "10.0.0.5:51000 -> 10.0.0.9:5432"));
}

TEST_CASE("a short history fits 80x24 below the queues and traffic", "[ui][detail]") {
  World w;
  w.sock(2, kCurl, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), {TcpState::SynSent, TcpState::Established});
  w.call(2, kCurl, Call::Connect, 0);
  w.sample(2, w.now, 4096);
  w.now += 20 * kSec;  // unread: stuck
  Snapshot s = w.snap(2);
  auto lines = render_detail(s, row_of(s, 2), ViewState{}, 80, 24);
  std::string screen;
  for (const auto& l : lines) screen += l + "\n";
  INFO(screen);
  CHECK(has(screen, "127.0.0.1:40001 -> 127.0.0.1:8080"));
  CHECK(has(screen, "stuck  receive queue not read"));
  CHECK(has(screen, "  rx ["));
  CHECK(has(screen, "State history"));
  CHECK(has(screen, " SYN_SENT "));
  CHECK(has(screen, " ESTABLISHED "));
  CHECK(has(screen, "connect()"));
}

TEST_CASE("a listener's queue is its accept queue against the backlog", "[ui][detail]") {
  World w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  Sample e;
  e.ts_ns = w.now;
  e.sock = World::id(1, v4("0.0.0.0", 8080), v4("0.0.0.0", 0), TcpState::Listen);
  e.occ.rx_queue = e.occ.ack_backlog = 3;
  e.occ.tx_queue = e.occ.max_ack_backlog = 128;
  w.table.apply(e);
  Snapshot s = w.snap(1);
  auto lines = all_lines(s, 1);
  CHECK(has(find_line(lines, "accept-q"), "of backlog 128  max 3"));
  CHECK(has(find_line(lines, "per mark"), "scale: backlog 128"));
  CHECK(!has(find_line(lines, "per mark"), "sndbuf"));
  CHECK(std::none_of(lines.begin(), lines.end(), [](const auto& l) { return has(l, "send-q") || has(l, "  tx ["); }));
}

TEST_CASE("without the socket's copy the detail view shows the row", "[ui][detail]") {
  World w;
  w.sock(2, kCurl, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), {TcpState::SynSent});
  Snapshot s = w.snap(0);
  auto lines = render_detail(s, row_of(s, 2), ViewState{}, 80, 24);
  CHECK(has(lines[0], "127.0.0.1:40001 -> 127.0.0.1:8080"));
  CHECK(has(find_line(lines, "State history"), "State history"));
  CHECK(has(find_line(lines, "no history kept"), "no history kept"));
}

TEST_CASE("take_detail copies the socket, and reads the owner's cgroup only live", "[ui][detail]") {
  World w;
  Task me = task(uint32_t(getpid()), "unit_tests");
  w.sock(4, me, v4("127.0.0.1", 40004), v4("127.0.0.1", 8080), {TcpState::SynSent});
  w.sample(4, w.now, 10);
  auto d = take_detail(w.table, 4, false);
  REQUIRE(d);
  CHECK(d->sock.key == 4);
  CHECK(d->sock.occ_series.last(1, w.now)[0].rx == 10);
  CHECK(d->cgroup.empty());
  auto live = take_detail(w.table, 4, true);
  REQUIRE(live);
  std::ifstream f("/proc/self/cgroup");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (has(text, "0::")) {
    CHECK(!live->cgroup.empty());
    CHECK(has(text, "0::" + live->cgroup + "\n"));
  } else {
    CHECK(live->cgroup.empty());  // cgroup v1 only: no unified line
  }
  CHECK(!take_detail(w.table, 12345, true));
}

TEST_CASE("with the diagnosis rules, findings flag the rows and the detail shows cause, evidence and advice",
          "[ui][detail]") {
  World w;
  w.now = 100 * kSec;
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  w.sock(7, kCurl, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), {TcpState::SynSent, TcpState::Established});
  w.now += 20 * kSec;
  DiagnosisTracker tracker(w.table);
  Snapshot s = take(w.table, w.src, w.now, nullptr, 3, false, &tracker);
  auto row = [&](uint64_t key) {
    auto it = std::find_if(s.rows.begin(), s.rows.end(), [&](const auto& r) { return r.key == key; });
    REQUIRE(it != s.rows.end());
    return *it;
  };
  CHECK(row(3).stuck.rfind("close-wait-leak: ", 0) == 0);
  CHECK(row(7).stuck.empty());
  REQUIRE(s.detail);
  REQUIRE(s.detail->findings.size() == 1);
  CHECK(s.detail->findings[0].kind == FindingKind::CloseWaitLeak);
  std::string all;
  for (const auto& l : render_detail(s, row(3), ViewState{}, 80, 40)) {
    CHECK(l.size() <= 80);
    all += l + "\n";
  }
  CHECK(has(all, "warning close-wait-leak: the peer closed"));
  CHECK(has(all, "close_wait_for="));  // seconds to a tenth, as diagnose writes them
  CHECK_FALSE(has(all, "close_wait_for_s="));
  CHECK(has(all, "what to do: The process missed the end"));
  // without the rules (a caller with no tracker) the interim heuristic flags it
  Snapshot plain = take(w.table, w.src, w.now, nullptr, 3);
  auto it = std::find_if(plain.rows.begin(), plain.rows.end(), [](const auto& r) { return r.key == 3; });
  REQUIRE(it != plain.rows.end());
  CHECK(has(it->stuck, "CLOSE_WAIT"));
  CHECK_FALSE(has(it->stuck, "close-wait-leak"));
}

// Issue 16: the detail wrote the evidence as JSON ("last_read=null",
// "queued_for_s=24.787233955", "rx_use_pct=101") next to "102% of rcvbuf".
TEST_CASE("the detail spells a finding's evidence as diagnose does, and the buffer use as its queue line",
          "[ui][detail]") {
  World w;
  w.now = 100 * kSec;
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established});
  Snapshot s = take(w.table, w.src, w.now, nullptr, 3);
  REQUIRE(s.detail);
  REQUIRE(s.rows.size() == 1);
  Snapshot::Row r = s.rows[0];
  r.rx_pct = 101.6;
  r.stuck = "app-not-reading: data waits";
  Finding f;
  f.kind = FindingKind::AppNotReading;
  f.severity = Severity::Critical;
  f.cookie = 3;
  f.summary = "data waits";
  f.evidence["rx_use_pct"] = 101.6;
  f.evidence["queued_for_s"] = 24.787233955;
  f.evidence["last_read"] = nullptr;
  f.evidence["bytes_received"] = nullptr;  // an amount not measured, not a time
  f.evidence["idle_since"] = nullptr;
  f.evidence["retransmits_per_s"] = 9.25;  // a rate, not seconds
  f.evidence["per_s"] = 20.5;
  f.advice = "read it";
  s.detail->findings.push_back(f);
  std::string all;
  for (const auto& l : render_detail(s, r, ViewState{}, 100, 60)) all += l + "\n";
  INFO(all);
  CHECK(has(all, "102% of rcvbuf"));
  CHECK(has(all, "rx_use=102% of rcvbuf"));
  CHECK(has(all, "queued_for=24.8s"));
  CHECK(has(all, "last_read=never"));
  CHECK(has(all, "bytes_received=not-measured"));
  CHECK(has(all, "idle_since=never"));
  CHECK(has(all, "retransmits_per_s=9.25"));
  CHECK(has(all, " per_s=20.5"));
  CHECK_FALSE(has(all, "null"));
  CHECK_FALSE(has(all, "24.787"));
  CHECK_FALSE(has(all, "rx_use_pct"));
  // diagnose's text says the same
  std::string text = findings_text({f}, 10);
  CHECK(has(text, "rx_use=102% of rcvbuf queued_for=24.8s last_read=never"));
  // and JSON keeps the exact values
  auto j = finding_json(f);
  CHECK(j["evidence"]["queued_for_s"].get<double>() == 24.787233955);
  CHECK(j["evidence"]["last_read"].is_null());
  CHECK(j["evidence"]["rx_use_pct"].get<double>() == 101.6);
}

// Issue 16: a UDP socket's detail said UNCONN in its header and CLOSE in
// its history, and listed TCP's retransmits, zero windows and persist probes.
TEST_CASE("a UDP socket's detail names its states as ss does and shows no TCP-only counters", "[ui][detail]") {
  World w;
  auto udp = [](TcpState st, Endpoint remote) {
    SockId id = World::id(9, v4("127.0.0.1", 5353), remote, st);
    id.protocol = kProtoUdp;
    id.type = 2;
    return id;
  };
  const Task dig = task(900, "dig");
  for (auto [call, st, remote] : {std::tuple{Call::Socket, TcpState::Close, v4("0.0.0.0", 0)},
                                  std::tuple{Call::Bind, TcpState::Close, v4("0.0.0.0", 0)},
                                  std::tuple{Call::Connect, TcpState::Established, v4("127.0.0.53", 53)}}) {
    SyscallEvent e;
    e.enter_ns = w.now;
    e.ts_ns = w.now += kSec;
    e.task = dig;
    e.sock = udp(st, remote);
    if (call == Call::Socket) e.sock.cookie = 0;
    e.call = call;
    e.fd = 4;
    e.ret = call == Call::Socket ? 4 : 0;
    w.table.apply(e);
  }
  StatsUpdate st;
  st.ts_ns = w.now;
  st.cookie = 9;
  st.tcp.udp_queue_fail = 2;
  st.tcp.rcvqueue_full = 5;
  w.table.apply(st);
  Snapshot s = w.snap(9);
  auto lines = all_lines(s, 9);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  INFO(all);
  CHECK(has(find_line(lines, "state  "), "state  ESTAB for"));
  // the history in the same names: unconnected, then connected
  std::string history;
  bool in_history = false;
  for (const auto& l : lines) {
    if (!l.empty() && l[0] != ' ') in_history = has(l, "State history");
    else if (in_history && l.find("()") == std::string::npos) history += l.substr(l.find("  ", 4) + 2, 12) + ";";
  }
  CHECK(history == "UNCONN      ;ESTAB       ;");
  CHECK(has(all, "Drops\n"));
  CHECK(!has(all, "TCP health"));
  CHECK(!has(all, "retransmits"));
  CHECK(!has(all, "zero windows"));
  CHECK(!has(all, "persist probes"));
  CHECK(has(find_line(lines, "udp queue fails"), "rcvqueue_full 5  buf_limit 0  udp queue fails 2"));

  // a TCP socket keeps them, without UDP's own
  World tcp = full_world();
  auto tcp_lines = all_lines(tcp.snap(7), 7);
  CHECK(has(find_line(tcp_lines, "Drops and TCP health"), "TCP health"));
  CHECK(has(find_line(tcp_lines, "persist probes"), "persist probes 0"));
  for (const auto& l : tcp_lines) CHECK(!has(l, "udp queue fails"));
}

TEST_CASE("the detail view marks a gap on the socket's timeline, and only one from its life", "[ui][detail]") {
  World w;
  w.table.apply(Lost{w.now, LostKind::Ringbuf, 3});  // before the socket: not its gap
  w.now += kSec;
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established});
  w.table.apply(Lost{w.now + kMs, LostKind::Ringbuf, 10});  // 7 more while it lives
  w.now += 2 * kMs;
  Snapshot s = w.snap(3);
  REQUIRE(s.detail);
  auto lines = render_detail(s, row_of(s, 3), ViewState{}, 100, 40);
  int gaps = 0;
  for (const auto& l : lines)
    if (has(l, "(gap)")) {
      ++gaps;
      CHECK(has(l, "7 lost (ringbuf)"));
    }
  CHECK(gaps == 1);
}
