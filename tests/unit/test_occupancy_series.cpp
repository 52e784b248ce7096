// OccupancySeries: a socket's queues over the last two minutes, one value
// per second, on the events' clock; and the SocketTable feeding it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "model/occupancy_series.h"
#include "model/socket_table.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;
using Points = std::vector<OccupancyPoint>;

namespace {

const OccupancyPoint kLimits{131072, 16384};

void rec(OccupancySeries& s, uint64_t ts, uint32_t rx, uint32_t tx = 0) { s.record(ts, {rx, tx}, kLimits); }

std::vector<uint32_t> rx_of(const Points& p) {
  std::vector<uint32_t> out;
  for (const auto& x : p) out.push_back(x.rx);
  return out;
}

SockId tcp_id(uint64_t cookie, TcpState st) {
  return tcp_sock(cookie, v4("127.0.0.1", 9000), v4("127.0.0.1", uint16_t(40000 + cookie)), st);
}

Sample sample(uint64_t cookie, uint64_t ts, uint32_t rx, uint32_t tx, TcpState st = TcpState::Established) {
  Sample e;
  e.ts_ns = ts;
  e.sock = tcp_id(cookie, st);
  e.occ.rx_queue = rx;
  e.occ.tx_queue = tx;
  e.occ.rcvbuf = 131072;
  e.occ.sndbuf = 16384;
  e.why = SampleWhy::DataReady;
  return e;
}

}  // namespace

TEST_CASE("occupancy series: the highest value of each second", "[occupancy]") {
  OccupancySeries s;
  rec(s, 5 * kSec + 100 * kMs, 100, 7);
  rec(s, 5 * kSec + 400 * kMs, 300, 2);
  rec(s, 5 * kSec + 900 * kMs, 200, 9);
  rec(s, 6 * kSec + 10 * kMs, 50, 1);
  auto p = s.last(3, 6 * kSec + 500 * kMs);  // seconds 4, 5, 6
  CHECK(p == Points{{0, 0}, {300, 9}, {200, 9}});  // 6 began as 5 ended, until the reading of 50
  CHECK(s.limits() == kLimits);
}

TEST_CASE("occupancy series: seconds with no reading carry the last value forward", "[occupancy]") {
  OccupancySeries s;
  rec(s, 10 * kSec, 1000);
  rec(s, 10 * kSec + 500 * kMs, 40);  // the last reading of second 10, not its max, carries on
  rec(s, 14 * kSec + 200 * kMs, 0);   // drained in second 14
  CHECK(rx_of(s.last(7, 16 * kSec)) == std::vector<uint32_t>{1000, 40, 40, 40, 40, 0, 0});
  // queried later without new readings: the last value, still that full
  rec(s, 17 * kSec, 900);
  CHECK(rx_of(s.last(4, 20 * kSec)) == std::vector<uint32_t>{900, 900, 900, 900});
  // now before the newest reading: only what was known up to then
  CHECK(rx_of(s.last(3, 15 * kSec)) == std::vector<uint32_t>{40, 40, 0});
}

TEST_CASE("occupancy series: two minutes kept, older seconds wrap away", "[occupancy]") {
  OccupancySeries s;
  for (uint64_t sec = 1; sec <= 150; ++sec) rec(s, sec * kSec + 300 * kMs, uint32_t(sec));
  auto p = s.last(500, 150 * kSec);
  REQUIRE(p.size() == OccupancySeries::kSeconds);
  for (size_t i = 0; i < p.size(); ++i) CHECK(p[i].rx == 31 + i);  // 31 .. 150
  // a gap longer than the window: all of it carried
  rec(s, 400 * kSec, 7);
  auto q = s.last(120, 400 * kSec);
  CHECK(q.front().rx == 150);
  CHECK(q.back().rx == 150);  // second 400 began at 150, then read 7
  // a late reading older than the window changes nothing
  rec(s, 200 * kSec, 99999);
  CHECK(s.last(120, 400 * kSec) == q);
  // a late reading inside the window counts for its second
  rec(s, 399 * kSec, 99999);
  CHECK(s.last(2, 400 * kSec)[0].rx == 99999);
}

TEST_CASE("occupancy series: nothing stored while the queues stay empty, freed after two empty minutes",
          "[occupancy]") {
  OccupancySeries s;
  for (uint64_t sec = 1; sec < 100; ++sec) rec(s, sec * kSec, 0, 0);
  CHECK(s.empty());
  CHECK(s.heap_bytes() == 0);
  CHECK(s.last(5, 100 * kSec) == Points(5));
  rec(s, 100 * kSec, 0, 1);
  CHECK(s.heap_bytes() > 0);
  CHECK(s.heap_bytes() <= 1024);  // the cost the header promises
  rec(s, 101 * kSec, 0, 0);
  rec(s, 200 * kSec, 0, 0);
  CHECK(!s.empty());  // second 100 is still in the window
  rec(s, 221 * kSec, 0, 0);
  CHECK(s.empty());
}

TEST_CASE("occupancy series: copies are deep", "[occupancy]") {
  OccupancySeries a;
  rec(a, 3 * kSec, 10);
  OccupancySeries b = a;
  rec(a, 3 * kSec, 500);
  CHECK(b.last(1, 3 * kSec)[0].rx == 10);
  CHECK(a.last(1, 3 * kSec)[0].rx == 500);
  b = a;
  CHECK(b.last(1, 3 * kSec)[0].rx == 500);
}

TEST_CASE("the socket table records samples, seeds and stats into the series", "[occupancy]") {
  SocketTable t;
  t.apply(sample(1, 20 * kSec, 0, 0));
  REQUIRE(t.find(1));
  CHECK(t.find(1)->occ_series.empty());  // connected, nothing queued: nothing stored
  t.apply(sample(1, 21 * kSec, 5000, 100));
  StatsUpdate st;
  st.ts_ns = 25 * kSec;  // polled later; read at 23 s
  st.cookie = 1;
  st.last_sample_ns = 23 * kSec + 5 * kMs;
  st.occ.rx_queue = 8000;
  st.occ.rcvbuf = 262144;
  st.occ.sndbuf = 16384;
  t.apply(st);
  auto p = t.find(1)->occ_series.last(4, 24 * kSec);  // 21 .. 24
  CHECK(p == Points{{5000, 100}, {5000, 100}, {8000, 100}, {8000, 0}});
  CHECK(t.find(1)->occ_series.limits() == OccupancyPoint{262144, 16384});

  SockSeed seed;
  seed.ts_ns = 30 * kSec;
  seed.sock = tcp_id(2, TcpState::Established);
  seed.occ.rx_queue = 77;
  seed.occ.rcvbuf = 1000;
  t.apply(seed);
  CHECK(t.find(2)->occ_series.last(1, 30 * kSec)[0].rx == 77);
}

TEST_CASE("a listener's series is its accept queue against the backlog", "[occupancy]") {
  SocketTable t;
  StateChange to_listen;
  to_listen.ts_ns = 1 * kSec;
  to_listen.sock = tcp_id(5, TcpState::Close);
  to_listen.old_state = TcpState::Close;
  to_listen.new_state = TcpState::Listen;
  t.apply(to_listen);
  // the kernel reports a listener's backlog as tx_queue: a limit, not a queue
  Sample e = sample(5, 2 * kSec, 0, 128, TcpState::Listen);
  e.occ.max_ack_backlog = 128;
  t.apply(e);
  CHECK(t.find(5)->occ_series.empty());
  e.ts_ns = 3 * kSec;
  e.occ.rx_queue = e.occ.ack_backlog = 9;
  t.apply(e);
  CHECK(t.find(5)->occ_series.last(1, 3 * kSec)[0] == OccupancyPoint{9, 0});
  CHECK(t.find(5)->occ_series.limits() == OccupancyPoint{128, 0});
}

TEST_CASE("the same events give the same series however they are batched", "[occupancy]") {
  // a socket whose queues fill and drain, readings at uneven times, some
  // late (from another CPU), some through the stats poll
  std::vector<Event> events;
  uint64_t ts = 50 * kSec;
  for (int i = 0; i < 400; ++i) {
    ts += (i % 7 + 1) * 173 * kMs;
    uint32_t rx = uint32_t((i * 7919) % 5) * 10000 * (i % 40 < 20);
    if (i % 11 == 0) {
      StatsUpdate st;
      st.ts_ns = ts;
      st.cookie = 9;
      st.last_sample_ns = ts - 300 * kMs;
      st.occ.rx_queue = rx / 2;
      st.occ.tx_queue = uint32_t(i);
      st.occ.rcvbuf = 131072;
      events.push_back(st);
    } else {
      events.push_back(sample(9, i % 13 == 0 ? ts - 1500 * kMs : ts, rx, uint32_t(i % 3) * 50));
    }
  }
  uint64_t end = ts;

  SocketTable whole;
  for (const auto& e : events) whole.apply(e);

  // the same events in batches of changing size, with the view copying
  // and reading the series between them, as a live refresh does
  SocketTable batched;
  size_t at = 0;
  for (size_t batch = 1; at < events.size(); batch = batch * 3 % 17 + 1) {
    for (size_t i = 0; i < batch && at < events.size(); ++i) batched.apply(events[at++]);
    if (const Socket* s = batched.find(9)) {
      Socket copy = *s;
      (void)copy.occ_series.last(120, event_ts(events[at - 1]));
      (void)s->occ_series.last(120, end + 90 * kSec);
    }
    batched.expire(event_ts(events[at - 1]));
  }

  const auto& a = whole.find(9)->occ_series;
  const auto& b = batched.find(9)->occ_series;
  REQUIRE(!a.empty());
  for (uint64_t now : {end - 100 * kSec, end - 20 * kSec, end, end + 60 * kSec}) {
    INFO("now " << now / kSec);
    CHECK(a.last(120, now) == b.last(120, now));
  }
  // and it saw the queue fill: the events were not all empty
  auto p = a.last(120, end);
  CHECK(std::any_of(p.begin(), p.end(), [](const OccupancyPoint& x) { return x.rx >= 10000; }));
}
