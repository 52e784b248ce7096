// Rates between snapshots (RateTracker) and the NIC view: what a user
// reads per socket and per device, on the events' clock, without a terminal.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/filter.h"
#include "model/socket_facts.h"
#include "model/socket_table.h"
#include "source/source.h"
#include "tests/support/static_source.h"
#include "tests/unit/builders.h"
#include "ui/rates.h"
#include "ui/render.h"
#include "ui/snapshot.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {


Snapshot::Row row(uint64_t key, uint64_t received, uint64_t sent) {
  Snapshot::Row r;
  r.key = key;
  r.bytes_received = received;
  r.bytes_sent = sent;
  return r;
}

Snapshot::NicRow nic(uint32_t ifindex, std::string name, DevCounters c, uint64_t drops = 0, uint32_t netns = 1) {
  Snapshot::NicRow n;
  n.nic.key = {netns, ifindex};
  n.nic.name = std::move(name);
  n.nic.c = c;
  n.nic.drops = drops;
  return n;
}

DevCounters counters(uint64_t rx_packets, uint64_t rx_bytes, uint64_t tx_packets, uint64_t tx_bytes,
                     uint64_t polls = 0, uint64_t exhausted = 0) {
  DevCounters c;
  c.rx_packets = rx_packets;
  c.rx_bytes = rx_bytes;
  c.tx_packets = tx_packets;
  c.tx_bytes = tx_bytes;
  c.napi_polls = polls;
  c.napi_budget_exhausted = exhausted;
  return c;
}

Snapshot at(uint64_t now, uint64_t events, std::vector<Snapshot::Row> rows, std::vector<Snapshot::NicRow> nics = {}) {
  Snapshot s;
  s.now_ns = now;
  s.events = events;
  s.rows = std::move(rows);
  s.nics = std::move(nics);
  return s;
}

const Snapshot::Row& by_key(const Snapshot& s, uint64_t key) {
  auto it = std::find_if(s.rows.begin(), s.rows.end(), [&](const auto& r) { return r.key == key; });
  REQUIRE(it != s.rows.end());
  return *it;
}

bool has(const std::vector<std::string>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != l.npos; });
}

size_t line_with(const std::vector<std::string>& lines, std::string_view text) {
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find(text) != std::string::npos) return i;
  FAIL("no line has '" << text << "'");
  return 0;
}

}  // namespace

TEST_CASE("rates: two snapshots two seconds apart on the events' clock", "[ui][rates]") {
  RateTracker t;
  Snapshot a = at(10 * kSec, 1000, {row(1, 5000, 100), row(2, 0, 0)},
                  {nic(2, "eth0", counters(100, 10'000, 50, 5'000, 20, 1), 3)});
  t.update(a);
  // nothing to compare with yet
  CHECK(by_key(a, 1).rx_rate < 0);
  CHECK(a.events_per_s < 0);
  CHECK(a.nics[0].rx_bps < 0);
  CHECK(a.nics[0].rx_bps_history.empty());

  Snapshot b = at(12 * kSec, 1600, {row(1, 7000, 4100), row(2, 0, 0)},
                  {nic(2, "eth0", counters(300, 410'000, 90, 9'000, 60, 5), 13)});
  t.update(b);
  CHECK(by_key(b, 1).rx_rate == Approx(1000));
  CHECK(by_key(b, 1).tx_rate == Approx(2000));
  CHECK(by_key(b, 2).rx_rate == 0);  // known and idle, not unknown
  CHECK(b.events_per_s == Approx(300));
  const auto& n = b.nics[0];
  CHECK(n.rx_pps == Approx(100));
  CHECK(n.rx_bps == Approx(200'000));
  CHECK(n.tx_pps == Approx(20));
  CHECK(n.tx_bps == Approx(2'000));
  CHECK(n.polls_ps == Approx(20));
  CHECK(n.exhausted_ps == Approx(2));
  CHECK(n.drops_ps == Approx(5));
  CHECK(n.rx_bps_history == std::vector<double>{200'000});
  CHECK(n.tx_bps_history == std::vector<double>{2'000});
}

TEST_CASE("rates: a paused replay and a redraw right after a key keep the last rates", "[ui][rates]") {
  RateTracker t;
  auto nics = [](uint64_t rx_bytes) { return std::vector{nic(1, "eth0", counters(0, rx_bytes, 0, 0))}; };
  Snapshot a = at(10 * kSec, 0, {row(1, 0, 0)}, nics(0));
  t.update(a);
  Snapshot b = at(11 * kSec, 500, {row(1, 800, 0)}, nics(4000));
  t.update(b);
  REQUIRE(by_key(b, 1).rx_rate == Approx(800));

  SECTION("paused: the same time again") {
    Snapshot c = at(11 * kSec, 500, {row(1, 800, 0)}, nics(4000));
    t.update(c);
    CHECK(by_key(c, 1).rx_rate == Approx(800));
    CHECK(c.events_per_s == Approx(500));
    CHECK(c.nics[0].rx_bps == Approx(4000));
    CHECK(c.nics[0].rx_bps_history.size() == 1);  // no sample for a step that did not happen
  }
  SECTION("a key 10 ms later: too short a window to measure") {
    Snapshot c = at(11 * kSec + 10'000'000, 501, {row(1, 900, 0)}, nics(4100));
    t.update(c);
    CHECK(by_key(c, 1).rx_rate == Approx(800));
    // and the next full step measures from the last one, not from the key's
    Snapshot d = at(12 * kSec, 600, {row(1, 1000, 0)}, nics(6000));
    t.update(d);
    CHECK(by_key(d, 1).rx_rate == Approx(200));
    CHECK(d.events_per_s == Approx(100));
    CHECK(d.nics[0].rx_bps_history == std::vector<double>{4000, 2000});
  }
}

TEST_CASE("rates: a counter that went backwards is unknown for that step", "[ui][rates]") {
  RateTracker t;
  Snapshot a = at(10 * kSec, 1000, {row(1, 50'000, 9000)}, {nic(1, "eth0", counters(500, 50'000, 0, 0), 7)});
  t.update(a);
  // the cookie was reused by a new socket, the device re-created
  Snapshot b = at(11 * kSec, 900, {row(1, 100, 9500)}, {nic(1, "eth0", counters(10, 1'000, 0, 0), 2)});
  t.update(b);
  CHECK(by_key(b, 1).rx_rate == -1);
  CHECK(by_key(b, 1).tx_rate == Approx(500));  // the other counter still counts
  CHECK(b.events_per_s == -1);
  CHECK(b.nics[0].rx_pps == -1);
  CHECK(b.nics[0].rx_bps == -1);
  CHECK(b.nics[0].drops_ps == -1);
  // the next step counts from the new values
  Snapshot c = at(12 * kSec, 1000, {row(1, 300, 9500)}, {nic(1, "eth0", counters(20, 3'000, 0, 0), 2)});
  t.update(c);
  CHECK(by_key(c, 1).rx_rate == Approx(200));
  CHECK(c.nics[0].rx_bps == Approx(2000));
  CHECK(c.events_per_s == Approx(100));

  SECTION("time itself went back (a replay sought to its start)") {
    Snapshot d = at(5 * kSec, 10, {row(1, 0, 0)}, {nic(1, "eth0", counters(0, 0, 0, 0))});
    t.update(d);
    CHECK(by_key(d, 1).rx_rate == -1);
    CHECK(d.events_per_s == -1);
    CHECK(d.nics[0].rx_bps == -1);
    CHECK(d.nics[0].rx_bps_history.empty());
    Snapshot e = at(6 * kSec, 20, {row(1, 10, 0)}, {nic(1, "eth0", counters(0, 0, 0, 0))});
    t.update(e);
    CHECK(by_key(e, 1).rx_rate == Approx(10));
  }
}

TEST_CASE("rates: rows and devices that left are forgotten", "[ui][rates]") {
  RateTracker t;
  Snapshot a = at(10 * kSec, 0, {row(1, 0, 0), row(2, 1000, 0)}, {nic(1, "eth0", {}), nic(2, "eth1", {})});
  t.update(a);
  Snapshot b = at(11 * kSec, 0, {row(1, 10, 0)}, {nic(1, "eth0", {})});  // 2 left
  t.update(b);
  // 2 is back: were it remembered, its rate would be (5000 - 1000) / 2 s
  Snapshot c = at(12 * kSec, 0, {row(1, 20, 0), row(2, 5000, 0)},
                  {nic(1, "eth0", {}), nic(2, "eth1", counters(0, 8000, 0, 0))});
  t.update(c);
  CHECK(by_key(c, 1).rx_rate == Approx(10));
  CHECK(by_key(c, 2).rx_rate == -1);
  CHECK(c.nics[1].rx_bps == -1);
  Snapshot d = at(13 * kSec, 0, {row(1, 20, 0), row(2, 5600, 0)},
                  {nic(1, "eth0", {}), nic(2, "eth1", counters(0, 9000, 0, 0))});
  t.update(d);
  CHECK(by_key(d, 2).rx_rate == Approx(600));
  CHECK(d.nics[1].rx_bps == Approx(1000));

  SECTION("reset forgets everything") {
    t.reset();
    Snapshot e = at(14 * kSec, 0, {row(1, 30, 0)}, {nic(1, "eth0", {})});
    t.update(e);
    CHECK(by_key(e, 1).rx_rate == -1);
    CHECK(e.nics[0].rx_bps_history.empty());
  }
}

TEST_CASE("rates: a device's history keeps the newest kNicHistory samples", "[ui][rates]") {
  RateTracker t;
  uint64_t rx = 0, tx = 0;
  const size_t steps = kNicHistory + 25;
  Snapshot s;
  for (size_t i = 0; i <= steps; ++i) {
    rx += 1000 * i;  // step i moves i KB received, 2i KB sent
    tx += 2000 * i;
    s = at((10 + i) * kSec, 0, {}, {nic(1, "eth0", counters(0, rx, 0, tx))});
    t.update(s);
  }
  const auto& h = s.nics[0].rx_bps_history;
  REQUIRE(h.size() == kNicHistory);
  CHECK(s.nics[0].tx_bps_history.size() == kNicHistory);
  CHECK(h.back() == Approx(1000.0 * steps));  // newest last
  CHECK(h.front() == Approx(1000.0 * (steps - kNicHistory + 1)));
  CHECK(std::is_sorted(h.begin(), h.end()));
}

TEST_CASE("rates: from a SocketTable's devices through take()", "[ui][rates]") {
  SocketTable table;
  synth::StaticSource src{test_reason_names()};
  RateTracker t;
  auto dev = [&](uint64_t ts, uint64_t packets) {
    DevStatsUpdate d;
    d.ts_ns = ts;
    d.dev = {4026531840u, 3};
    d.name = comm("ens5");
    d.c = counters(packets, packets * 1500, 0, 0);
    table.apply(d);
  };
  dev(10 * kSec, 1000);
  Snapshot a = take(table, src, 10 * kSec);
  t.update(a);
  dev(11 * kSec, 3000);
  Snapshot b = take(table, src, 12 * kSec);  // counters read a second ago; the view's step is 2 s
  t.update(b);
  REQUIRE(b.nics.size() == 1);
  CHECK(b.nics[0].rx_pps == Approx(1000));
  CHECK(b.nics[0].rx_bps == Approx(1.5e6));
  auto lines = render_nic(b, ViewState{}, 80, 24);
  size_t i = line_with(lines, "ens5");
  CHECK(lines[i].find("1.5M") != std::string::npos);
  CHECK(lines[i].find("1.0K") != std::string::npos);
}

TEST_CASE("rates: the softnet time_squeeze per second in the NIC view's header", "[ui][rates][nic]") {
  SocketTable table;
  synth::StaticSource src{test_reason_names()};
  RateTracker t;
  Snapshot none = take(table, src, 9 * kSec);
  t.update(none);
  CHECK(none.squeeze_ps < 0);
  CHECK(render_nic(none, ViewState{}, 120, 24)[0].find("squeeze") == std::string::npos);  // never read: not shown
  table.apply(SoftnetUpdate{10 * kSec, {100, 0}});
  Snapshot a = take(table, src, 10 * kSec);
  t.update(a);
  CHECK(a.squeeze_ps < 0);  // the first reading: nothing to compare with
  CHECK(render_nic(a, ViewState{}, 120, 24)[0].find("squeeze -/s") != std::string::npos);
  table.apply(SoftnetUpdate{11 * kSec, {130, 20}});
  Snapshot b = take(table, src, 12 * kSec);
  t.update(b);
  CHECK(b.squeeze_ps == Approx(25));  // 50 more, over the view's 2 s step
  CHECK(render_nic(b, ViewState{}, 120, 24)[0].find("squeeze 25/s") != std::string::npos);
}

// take() builds its rows in the table's order and sorts them afterwards,
// and formats IPv4 endpoints itself, for speed (bench/ui_bench.cpp): the
// result must be what sorted_sockets() and socket_row() say, whatever order
// the sockets were made in.
TEST_CASE("take(): rows in sorted_sockets' order with socket_row's values", "[ui][snapshot]") {
  SocketTable table;
  synth::StaticSource src{test_reason_names()};
  uint64_t ts = 10 * kSec;
  uint64_t cookie = 1000;
  // ports repeat, so the key breaks ties; cookies go down as ports go up
  for (int i = 0; i < 300; ++i) {
    SockSeed e;
    e.ts_ns = ts += kMs;
    e.sock.cookie = cookie - uint64_t(i) + (i % 7) * 5000;
    e.sock.sk = 0x9000 + e.sock.cookie;
    e.sock.family = i % 5 == 0 ? kAfInet6 : kAfInet;
    e.sock.protocol = i % 11 == 0 ? kProtoUdp : kProtoTcp;
    e.sock.type = e.sock.protocol == kProtoUdp ? 2 : 1;
    bool listen = i % 13 == 0;
    e.sock.state = uint8_t(e.sock.protocol == kProtoUdp ? TcpState::Close
                           : listen                      ? TcpState::Listen
                                                         : TcpState::Established);
    uint16_t port = uint16_t(i % 9 == 0 ? 0 : 8000 + i % 17);
    if (e.sock.family == kAfInet6) {
      e.sock.local = v6(i % 2 ? "::" : "2001:db8::5", port);
      e.sock.remote = v6(listen ? "::" : "2001:db8::77", listen ? 0 : uint16_t(40000 + i));
    } else {
      e.sock.local = v4(i % 3 ? "10.0.0.5" : "0.0.0.0", port);
      e.sock.remote = listen ? v4("0.0.0.0", 0) : v4(i % 2 ? "192.168.255.1" : "1.2.3.4", uint16_t(40000 + i));
    }
    e.pid = i % 4 ? uint32_t(100 + i % 6) : 0;
    e.fd = i % 10 == 3 ? -1 : 3 + i;  // no fd: the CLOSE below closes it
    e.comm = comm(i % 2 ? "nginx" : "curl");
    e.occ.rx_queue = uint32_t(i * 37 % 5000);
    e.occ.rmem_alloc = e.occ.rx_queue * 2;
    e.occ.rcvbuf = 65536;
    e.occ.tx_queue = uint32_t(i * 11 % 900);
    e.occ.wmem_queued = e.occ.tx_queue;
    e.occ.sndbuf = 16384;
    table.apply(e);
    if (i % 10 == 3) {  // a few closed
      StateChange c;
      c.ts_ns = ts += kMs;
      c.sock = e.sock;
      c.old_state = TcpState(e.sock.state);
      c.new_state = TcpState::Close;
      table.apply(c);
    }
  }
  uint64_t now = ts + 20 * kSec;

  auto check = [&](const Filter* f) {
    std::vector<const Socket*> all;
    for (const auto& [k, s] : table.sockets())
      if (!f || f->matches(s)) all.push_back(&s);
    all = sorted_sockets(std::move(all));
    Snapshot snap = take(table, src, now, f);
    REQUIRE(snap.rows.size() == all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      const Socket& s = *all[i];
      const Snapshot::Row& r = snap.rows[i];
      SocketRow l = socket_row(s, now);
      INFO("row " << i << ": " << l.local << " " << l.peer);
      REQUIRE(r.key == s.key);
      CHECK(r.local == l.local);
      CHECK(r.remote == l.peer);
      CHECK(r.state == l.state);
      CHECK(r.proto == l.netid);
      CHECK(r.age_ns == l.age_ns);
      CHECK(r.recv_q == l.recv_q);
      CHECK(r.send_q == l.send_q);
      CHECK(r.rx_pct == l.rcv_pct);
      CHECK(r.tx_pct == l.snd_pct);
      CHECK(r.drops == l.drops);
      CHECK(r.retransmits == l.retransmits);
      CHECK(r.pid == s.owner.pid);
      CHECK(r.comm == (s.owner.pid ? std::string(comm_view(s.owner.comm)) : "-"));
      CHECK(r.rx_rate == -1);  // rates are the RateTracker's
    }
    // the sockets the filter passes counted by state, as the rows are
    size_t total = 0;
    for (const auto& [name, n] : snap.by_state) total += n;
    CHECK(total == all.size());
    size_t closed = size_t(std::count_if(all.begin(), all.end(), [](const Socket* s) { return s->closed; }));
    if (!f) CHECK(closed == 30);
    if (closed) CHECK(snap.by_state.at("(closed)") == closed);
  };
  check(nullptr);
  Filter tcp6;
  tcp6.tcp = true;
  tcp6.v6 = true;
  check(&tcp6);
}

namespace {

// Two devices in one netns: eth0 busy with drops, its NAPI budget running
// out; lo idle. Rates as two refreshes would have left them.
Snapshot nic_snapshot(uint32_t second_netns = 1) {
  Snapshot s;
  s.now_ns = 100 * kSec;
  s.events = 123456;
  s.events_per_s = 4200;
  s.lost_kernel = 5;
  s.lost_user = 2;
  s.reasons = test_reason_names();
  auto eth0 = nic(2, "eth0", counters(9'000'000, 9'000'000'000, 1, 1, 1, 1), 4200);
  eth0.nic.drops_by_reason = {{3, 4000}, {34, 150}, {13, 49}, {99, 1}};
  eth0.rx_pps = 120'000;
  eth0.rx_bps = 1.5e9;
  eth0.tx_pps = 30'000;
  eth0.tx_bps = 2.5e6;
  eth0.polls_ps = 9000;
  eth0.exhausted_ps = 12;
  eth0.drops_ps = 40;
  for (int i = 0; i < 40; ++i) {
    eth0.rx_bps_history.push_back(i * 3.5e7);
    eth0.tx_bps_history.push_back(2.5e6);
  }
  auto lo = nic(7, "", counters(10, 1000, 10, 1000), 0, second_netns);
  lo.rx_pps = lo.tx_pps = 5;
  lo.rx_bps = lo.tx_bps = 500;
  lo.polls_ps = 0;
  lo.exhausted_ps = 0;
  lo.drops_ps = 0;
  lo.rx_bps_history = lo.tx_bps_history = {500, 500};
  s.nics = {eth0, lo};
  return s;
}

void check_fits(const std::vector<std::string>& lines, const std::vector<Tone>& tones, int width, int height) {
  CHECK(int(lines.size()) == height);
  CHECK(tones.size() == lines.size());
  for (const auto& l : lines) CHECK(int(l.size()) <= width);
  CHECK(lines.back().find("q") != std::string::npos);
  CHECK(lines.back().find("Esc") != std::string::npos);
}

}  // namespace

TEST_CASE("NIC view at 80x24: devices, rates, exhausted highlighted", "[ui][nic]") {
  Snapshot s = nic_snapshot();
  std::vector<Tone> tones;
  auto lines = render_nic(s, ViewState{}, 80, 24, &tones);
  check_fits(lines, tones, 80, 24);
  INFO(fmt::format("{}", fmt::join(lines, "\n")));
  CHECK(lines[0].find("live") != std::string::npos);
  CHECK(lines[0].find("lost 7 (kernel 5, user 2)") != std::string::npos);
  CHECK(tones[0] == Tone::Stuck);  // events lost: the header says so in colour too

  size_t eth0 = line_with(lines, "eth0");
  CHECK(lines[eth0].rfind("!", 0) == 0);
  CHECK(tones[eth0] == Tone::Stuck);
  // DROPS: the device path's, without the 49 a socket refused (SOCKET_RCVBUFF)
  for (const char* v : {"120K", "1.5G", "30.0K", "2.5M", "9.0K", "12", "40", "4151"})
    CHECK(lines[eth0].find(v) != std::string::npos);
  size_t lo = line_with(lines, "if7");  // no name known: as `nic` names it
  CHECK(tones[lo] == Tone::Normal);
  CHECK(lines[lo].rfind("!", 0) != 0);

  // drops by reason, the most frequent first, by name
  size_t reasons = line_with(lines, "NO_SOCKET");
  CHECK(lines[reasons].find("NO_SOCKET 4000") < lines[reasons].find("NETFILTER_DROP 150"));
  // sparklines on lines of their own: rx climbs to the top level, tx is flat at it
  size_t rx = line_with(lines, "rx ");
  CHECK(rx == eth0 + 2);
  CHECK(lines[rx].find("peak 1.4G/s") != std::string::npos);
  CHECK(lines[rx + 1].find(std::string(40, '#') + " peak 2.5M/s") != std::string::npos);
  CHECK(lines[rx + 1].size() == 80);  // 40 samples so far, in 60 cells: the newest at the right
  CHECK(!has(lines, "netns"));  // one netns: not worth a line
}

TEST_CASE("NIC view at 200x50 uses the width, and names netns when several", "[ui][nic]") {
  Snapshot s = nic_snapshot(2);
  std::vector<Tone> tones;
  auto lines = render_nic(s, ViewState{}, 200, 50, &tones);
  check_fits(lines, tones, 200, 50);
  INFO(fmt::format("{}", fmt::join(lines, "\n")));
  CHECK(tones[line_with(lines, "eth0")] == Tone::Stuck);
  CHECK(has(lines, "netns 1"));
  CHECK(has(lines, "netns 2"));
  CHECK(line_with(lines, "netns 2") > line_with(lines, "eth0"));
  CHECK(line_with(lines, "netns 2") < line_with(lines, "if7"));
  // every reason fits now
  CHECK(has(lines, "reason_99 1"));
  // room for both sparklines whole on one line, each a cell per refresh
  size_t rx = line_with(lines, "rx ");
  CHECK(lines[rx].find("peak 1.4G/s") != std::string::npos);
  CHECK(lines[rx].find("peak 2.5M/s") > lines[rx].find("peak 1.4G/s"));
  CHECK(lines[rx].find(std::string(40, '#') + " peak 2.5M/s") != std::string::npos);  // tx: flat at its peak
  CHECK(line_with(lines, "if7") == rx + 2);  // after the netns line
}

TEST_CASE("NIC view: a replay's header says where, paused, speed", "[ui][nic]") {
  Snapshot s = nic_snapshot();
  s.replay = true;
  s.replay_start_ns = 40 * kSec;
  s.replay_end_ns = 160 * kSec;
  s.paused = true;
  s.speed = 4;
  auto lines = render_nic(s, ViewState{}, 120, 24);
  INFO(lines[0]);
  CHECK(lines[0].find("replay") != std::string::npos);
  CHECK(lines[0].find("1m00s/2m00s paused x4") != std::string::npos);
  CHECK(lines[0].find("live") == std::string::npos);
}

TEST_CASE("NIC view: empty, and more devices than lines", "[ui][nic]") {
  SECTION("no devices") {
    Snapshot s;
    std::vector<Tone> tones;
    auto lines = render_nic(s, ViewState{}, 80, 24, &tones);
    check_fits(lines, tones, 80, 24);
    CHECK(has(lines, "no devices seen yet"));
  }
  SECTION("40 devices on 24 lines") {
    Snapshot s;
    for (uint32_t i = 1; i <= 40; ++i) s.nics.push_back(nic(i, fmt::format("veth{}", i), {}));
    std::vector<Tone> tones;
    auto lines = render_nic(s, ViewState{}, 80, 24, &tones);
    check_fits(lines, tones, 80, 24);
    CHECK(has(lines, "veth1 "));
    CHECK(!has(lines, "veth40"));
    size_t more = line_with(lines, "more devices");
    // the devices shown and the number said add up to 40
    int shown = 0;
    for (const auto& l : lines) shown += l.find("veth") != std::string::npos;
    CHECK(lines[more].find(std::to_string(40 - shown)) != std::string::npos);
  }
  SECTION("tiny screens") {
    Snapshot s = nic_snapshot(2);
    for (auto [w, h] : {std::pair{20, 3}, {1, 1}, {0, 0}, {40, 10}}) {
      std::vector<Tone> tones;
      auto lines = render_nic(s, ViewState{}, w, h, &tones);
      CHECK(int(lines.size()) == h);
      for (const auto& l : lines) CHECK(int(l.size()) <= w);
    }
  }
}

// Issue 16: a UDP socket's full buffer showed as the device's drops; the
// ifindex 0 row was "(none)" here, "ifindex 0" there, "#0" when narrow.
TEST_CASE("NIC view: drops a socket refused are apart from the device's, ifindex 0 is (no device)", "[ui][nic]") {
  Snapshot s = at(10 * kSec, 1, {}, {nic(0, "", counters(0, 0, 0, 0, 181)), nic(1, "lo", counters(10, 1000, 10, 1000))});
  s.reasons = test_reason_names();
  Nic& lo = s.nics[1].nic;
  lo.drops_by_reason = {{13, 70}, {3, 5}};  // SOCKET_RCVBUFF, NO_SOCKET
  lo.drops = 75;
  for (int width : {80, 200}) {
    auto lines = render_nic(s, ViewState{}, width, 24);
    INFO(fmt::format("{}", fmt::join(lines, "\n")));
    CHECK(has(lines, "(no device)"));
    CHECK_FALSE(has(lines, "ifindex"));
    CHECK_FALSE(has(lines, "#0"));
  }
  auto lines = render_nic(s, ViewState{}, 120, 24);
  INFO(fmt::format("{}", fmt::join(lines, "\n")));
  size_t row = line_with(lines, " lo ");
  CHECK(lines[row].substr(lines[row].size() - 3) == "  5");  // DROPS: the device path's
  size_t reasons = line_with(lines, "drops by reason");
  CHECK(lines[reasons].find("NO_SOCKET 5  at sockets: SOCKET_RCVBUFF 70") != std::string::npos);

  // the rate is of the device path's drops too
  RateTracker t;
  t.update(s);
  Snapshot later = s;
  later.now_ns = 12 * kSec;
  later.nics[1].nic.drops_by_reason = {{13, 170}, {3, 9}};
  later.nics[1].nic.drops = 179;
  t.update(later);
  CHECK(later.nics[1].drops_ps == Approx(2));  // 4 more NO_SOCKET in 2 s; the socket's 100 are not the device's
}
