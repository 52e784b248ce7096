// top's rows travel as changes (ui/row_delta.h): the rows the UI thread
// ends up with must be the rows take() makes from the whole table, after
// any run of events, expiry, eviction, re-keying and sockets moving in the
// order, frames folded or not; and the rates worked out over those rows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

#include "diagnosis/tracker.h"
#include "tests/unit/table_world.h"
#include "ui/rates.h"
#include "ui/row_delta.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {

const Task kApp = task(400, "app");
const Task kOther = task(401, "other");

Endpoint local_of(uint64_t c) { return v4("127.0.0.1", uint16_t(30000 + c % 7)); }
Endpoint remote_of(uint64_t c) { return v4("127.0.0.1", uint16_t(8000 + c % 5)); }

// What a row shows, as one comparable value.
std::string shown(const Snapshot::Row& r) {
  return fmt::format("{} {} {} {} {} {} {} rq={} sq={} b={}/{} age={} closed={} stuck={} pid={}", r.key, r.order,
                     r.proto, r.local, r.remote, r.state, r.comm, r.recv_q, r.send_q, r.bytes_sent, r.bytes_received,
                     r.age_ns, r.closed_ago_ns, r.stuck, r.pid);
}

std::vector<std::string> shown(const std::vector<Snapshot::Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(shown(r));
  return out;
}

struct Churn : TableWorld {
  std::mt19937_64 rng{7};
  uint64_t next_cookie = 1;
  std::vector<uint64_t> cookies;

  explicit Churn(TableLimits limits) : TableWorld(synth::StaticSource(test_reason_names())) {
    table = SocketTable(limits);
  }
  uint64_t pick() { return cookies[rng() % cookies.size()]; }

  // One random thing a host does to its sockets.
  void step() {
    const unsigned what = cookies.empty() ? 0 : unsigned(rng() % 7);
    if (what == 0) {  // a new connection, through socket(): re-keyed from provisional to its cookie
      uint64_t c = next_cookie++;
      cookies.push_back(c);
      sock(c, rng() % 2 ? kApp : kOther, local_of(c), remote_of(c), {TcpState::SynSent, TcpState::Established});
    } else if (what == 1) {  // the peer closes, or it ends
      uint64_t c = pick();
      const Socket* s = table.find(c);
      if (!s || s->closed) return;
      if (s->state != TcpState::Established) {  // the owner closes it: the row stays, closed, until expiry
        TcpState st = s->state;
        states(c, kApp, local_of(c), remote_of(c), {TcpState::LastAck, TcpState::Close}, kAfInet, st);
        close(c, s->owner.pid == kApp.pid ? kApp : kOther, local_of(c), remote_of(c), TcpState::Close);
        return;
      }
      states(c, kApp, local_of(c), remote_of(c), {TcpState::CloseWait}, kAfInet, s->state);
    } else if (what == 2) {  // a pass's reading of its queues
      uint64_t c = pick();
      Sample e;
      e.ts_ns = now += kMs;
      e.sock = id(c, local_of(c), remote_of(c), TcpState::Established);
      e.occ.rx_queue = uint32_t(rng() % 3 * 1000);
      e.occ.rmem_alloc = e.occ.rx_queue;
      e.occ.rcvbuf = 131072;
      e.occ.sndbuf = 16384;
      table.apply(e);
    } else if (what == 3) {  // byte counts
      uint64_t c = pick();
      StatsUpdate e;
      e.ts_ns = now += kMs;
      e.cookie = c;
      e.bytes_sent = rng() % 100000;
      e.bytes_received = rng() % 100000;
      table.apply(e);
    } else if (what == 6) {  // a pass reads it on another local port: its row moves in the order
      uint64_t c = pick();
      const Socket* s = table.find(c);
      if (!s || s->closed) return;
      Sample e;
      e.ts_ns = now += kMs;
      e.sock = id(c, local_of(c + 1 + rng() % 5), remote_of(c), s->state);
      table.apply(e);
    } else if (what == 4) {  // time passes: closed sockets leave after the retention
      now += (rng() % 4) * kSec;
      table.expire(now);
    } else {  // nothing changes for a while: ages still move
      now += kSec;
    }
  }
};

// The rates top shows, worked out the plain way, as a reference: by key,
// from each row's counts at the last step (a row whose ports changed since
// is new: its rate is unknown for one step, as RateTracker documents).
struct KeyedRates {
  struct Prev {
    uint64_t order, sent, received;
    double rx, tx;
  };
  std::unordered_map<uint64_t, Prev> prev;
  uint64_t prev_ns = 0;
  bool have = false;

  static double per_s(uint64_t now, uint64_t before, double dt) {
    return dt <= 0 || now < before ? -1 : double(now - before) / dt;
  }
  // "key rx tx" per row
  std::vector<std::string> update(const std::vector<Snapshot::Row>& rows, uint64_t now) {
    std::vector<std::string> out;
    const bool keep = have && now - prev_ns < kMinRateStepNs;
    const double dt = have ? double(now - prev_ns) / 1e9 : -1;
    std::unordered_map<uint64_t, Prev> next;
    for (const auto& r : rows) {
      auto it = prev.find(r.key);
      const Prev* p = it != prev.end() && it->second.order == r.order ? &it->second : nullptr;
      double rx = -1, tx = -1;
      if (keep) {
        if (p) rx = p->rx, tx = p->tx;
      } else if (p && r.bytes_known) {
        rx = per_s(r.bytes_received, p->received, dt);
        tx = per_s(r.bytes_sent, p->sent, dt);
      }
      next[r.key] = {r.order, r.bytes_sent, r.bytes_received, rx, tx};
      out.push_back(fmt::format("{} {:.3f} {:.3f}", r.key, rx, tx));
    }
    if (!keep) {
      prev = std::move(next);
      prev_ns = now;
      have = true;
    }
    return out;
  }
};

std::vector<std::string> rates_shown(const std::vector<Snapshot::Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(fmt::format("{} {:.3f} {:.3f}", r.key, r.rx_rate, r.tx_rate));
  return out;
}

}  // namespace

TEST_CASE("the table reports each changed socket and each erased key once drained", "[ui][delta]") {
  TableWorld w;
  std::vector<std::pair<uint64_t, bool>> seen;
  auto drain = [&] {
    seen.clear();
    return w.table.drain_changes([&](uint64_t key, const Socket* s) { seen.emplace_back(key, s != nullptr); });
  };
  CHECK_FALSE(drain());  // before tracking: read everything
  w.table.track_changes();
  w.sock(5, kApp, local_of(5), remote_of(5), {TcpState::SynSent});
  CHECK_FALSE(drain());  // the first drain after track_changes() too
  CHECK(drain());
  CHECK(seen.empty());
  w.states(5, kApp, local_of(5), remote_of(5), {TcpState::Established, TcpState::CloseWait}, kAfInet,
           TcpState::SynSent);
  REQUIRE(drain());
  CHECK(seen == std::vector<std::pair<uint64_t, bool>>{{5, true}});  // twice changed, listed once
  // socket() before the cookie is known: a provisional key, then re-keyed
  w.sock(6, kApp, local_of(6), remote_of(6), {TcpState::SynSent});
  REQUIRE(drain());
  bool old_key_gone = false, cookie_there = false;
  for (auto [key, live] : seen) {
    if (key != 6 && !live) old_key_gone = true;
    if (key == 6 && live) cookie_there = true;
  }
  CHECK(old_key_gone);
  CHECK(cookie_there);
  // closed, then erased at the end of the retention
  w.states(5, kApp, local_of(5), remote_of(5), {TcpState::LastAck, TcpState::Close}, kAfInet, TcpState::CloseWait);
  w.close(5, kApp, local_of(5), remote_of(5), TcpState::Close);
  REQUIRE(w.table.find(5));
  CHECK(w.table.find(5)->closed);
  w.now += 3600 * kSec;
  w.table.expire(w.now);
  REQUIRE(drain());
  CHECK(std::count(seen.begin(), seen.end(), std::pair<uint64_t, bool>{5, false}) >= 1);
  CHECK(w.table.find(5) == nullptr);
}

TEST_CASE("rows sent as changes equal the rows take() makes, through churn, eviction and folded frames",
          "[ui][delta]") {
  const bool small = GENERATE(false, true);
  // small: a table of 16 sockets and 2 s of retention, so eviction for room
  // and expiry erase often
  Churn w(small ? TableLimits{2 * kSec, 16} : TableLimits{});
  DiagnosisTracker tracker(w.table);
  ChangedRows changed;
  ShownRows shown_rows;
  changed.attach(w.table);
  std::vector<Snapshot::Row> rows;
  std::optional<RowDelta> held;  // a frame the UI has not drawn yet
  RateTracker rates;
  KeyedRates keyed;
  size_t compared = 0, folded = 0, rated = 0;
  for (int frame = 0; frame < 300; ++frame) {
    for (int i = int(w.rng() % 12); i > 0; --i) w.step();
    Snapshot rest = take_rest(w.table, w.src, w.now);
    RowDelta d = changed.take(w.table, w.now, nullptr, view_findings(w.table, tracker, rest, nullptr), rest.by_state);
    if (held) {
      fold(*held, std::move(d));
      ++folded;
    } else {
      held = std::move(d);
    }
    if (w.rng() % 3 == 0) continue;  // the UI is busy: the next frame folds into this one
    shown_rows.apply(rows, std::move(*held), w.now);
    held.reset();
    Snapshot whole = take(w.table, w.src, w.now, nullptr, 0, false, &tracker);
    INFO("frame " << frame);
    REQUIRE(shown(rows) == shown(whole.rows));
    CHECK(rest.by_state == whole.by_state);
    ++compared;
    // the rates as top works them out over the rows it keeps, walking
    // them in order, equal those found by key
    Snapshot view;
    view.rows = rows;
    view.now_ns = w.now;
    rates.update(view);
    REQUIRE(rates_shown(view.rows) == keyed.update(rows, w.now));
    for (const auto& r : view.rows) rated += r.rx_rate > 0;
  }
  CHECK(compared > 150);
  CHECK(rated > 20);  // rates were measured, not only unknown
  CHECK(folded > 50);
  if (small) CHECK(w.table.counters().evicted_for_room > 0);
  CHECK(w.table.counters().evicted_closed > 0);
}

TEST_CASE("a row leaves when its socket stops matching the command line's filter", "[ui][delta]") {
  TableWorld w;
  Filter only_established;
  only_established.states = {TcpState::Established};
  DiagnosisTracker tracker(w.table);
  ChangedRows changed;
  ShownRows shown_rows;
  changed.attach(w.table);
  std::vector<Snapshot::Row> rows;
  auto frame = [&] {
    Snapshot rest = take_rest(w.table, w.src, w.now);
    shown_rows.apply(rows,
                     changed.take(w.table, w.now, &only_established,
                                  view_findings(w.table, tracker, rest, &only_established), rest.by_state),
                     w.now);
    return rest.by_state;
  };
  w.sock(1, kApp, local_of(1), remote_of(1), {TcpState::SynSent, TcpState::Established});
  w.sock(2, kApp, local_of(2), remote_of(2), {TcpState::SynSent});
  auto states = frame();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].key == 1);
  CHECK(states == std::map<std::string, size_t>{{"ESTABLISHED", 1}});
  w.states(1, kApp, local_of(1), remote_of(1), {TcpState::CloseWait}, kAfInet, TcpState::Established);
  w.states(2, kApp, local_of(2), remote_of(2), {TcpState::Established}, kAfInet, TcpState::SynSent);
  states = frame();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].key == 2);
  CHECK(states == std::map<std::string, size_t>{{"ESTABLISHED", 1}});
}
