// The live view's screens, rendered from a Snapshot of a SocketTable fed
// with synthetic events: what a user would read, without a terminal.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "builders.h"
#include "keys.h"
#include "model/socket_table.h"
#include "render.h"
#include "snapshot.h"
#include "source/source.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {

// Only what take() reads from a Source.
class FakeSource : public Source {
 public:
  bool poll(int, const EventSink&) override { return false; }
  void flush(const EventSink&) override {}
  int64_t wall_offset_ns() const override { return 0; }
  uint64_t now_ns() const override { return 0; }
  const DecodeStats& decode_stats() const override { return stats_; }
  const ReasonNames& reason_names() const override { return names_; }
  const std::vector<ProbeStatus>& probes() const override { return probes_; }
  std::vector<ProbeStatus> probes_ = {{"a", "tp/a", true, ""}, {"b", "kprobe/b", false, "no kprobes"}};

 private:
  DecodeStats stats_;
  ReasonNames names_;
};

struct World {
  SocketTable table;
  FakeSource src;
  uint64_t now = 10 * kSec;

  SockId id(uint64_t cookie, Endpoint local, Endpoint remote, TcpState st) {
    SockId i;
    i.cookie = cookie;
    i.sk = 0xA000 + cookie;
    i.family = kAfInet;
    i.protocol = kProtoTcp;
    i.type = 1;
    i.state = static_cast<uint8_t>(st);
    i.local = local;
    i.remote = remote;
    return i;
  }
  // A socket owned by t, taken through these states, one second apart.
  void sock(uint64_t cookie, const Task& t, Endpoint local, Endpoint remote, std::vector<TcpState> path) {
    SyscallEvent c;
    c.enter_ns = now;
    c.ts_ns = now += kMs;
    c.task = t;
    c.sock = id(cookie, local, remote, TcpState::Close);
    c.sock.cookie = 0;
    c.call = Call::Socket;
    c.fd = 3;
    c.ret = 3;
    table.apply(c);
    TcpState old = TcpState::Close;
    for (TcpState to : path) {
      StateChange e;
      e.ts_ns = now += kSec;
      e.task = t;
      e.sock = id(cookie, local, remote, old);
      e.old_state = old;
      e.new_state = to;
      old = to;
      table.apply(e);
    }
  }
  Snapshot snap(uint64_t detail = 0) { return take(table, src, now, nullptr, detail); }
};

World sample_world() {
  World w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(2, task(100, "curl"), v4("127.0.0.1", 40001), v4("127.0.0.1", 8080),
         {TcpState::SynSent, TcpState::Established});
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  return w;
}

std::vector<std::string> data_rows(const std::vector<std::string>& lines) {
  // between the column header and the status line, non-empty
  std::vector<std::string> out;
  for (size_t i = kHeaderLines; i + 1 < lines.size(); ++i)
    if (!lines[i].empty()) out.push_back(lines[i]);
  return out;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the table shows the columns and one row per socket, within 80 columns", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  auto lines = render_table(s, ViewState{}, 80, 24);
  REQUIRE(lines.size() == 24);
  for (const auto& l : lines) CHECK(l.size() <= 80);
  for (const char* col : {"PID", "COMM", "PRO", "LOCAL", "REMOTE", "STATE", "TIME", "RECV-Q"})
    CHECK(has(lines[2], col));
  CHECK(has(lines[0], "events"));
  CHECK(has(lines[0], "lost 0"));
  CHECK(has(lines[0], "probes missing 1"));
  CHECK(has(lines[1], "sockets 3"));
  CHECK(has(lines[1], "LISTEN 1"));
  auto rows = data_rows(lines);
  REQUIRE(rows.size() == 3);
  CHECK(has(rows[0], "nginx"));
  CHECK(has(rows[0], "0.0.0.0:8080"));
  CHECK(has(rows[0], "LISTEN"));
  CHECK(has(rows[2], "CLOSE_WAIT"));
  // wider terminals get the columns cut at 80
  auto wide = render_table(s, ViewState{}, 160, 24);
  CHECK(has(wide[2], "RETR"));
  CHECK(!has(lines[2], "RETR"));
}

TEST_CASE("an empty table says so", "[ui]") {
  World w;
  auto lines = render_table(w.snap(), ViewState{}, 80, 24);
  CHECK(has(lines[kHeaderLines], "no sockets"));
  CHECK(has(lines[1], "sockets 0"));
}

TEST_CASE("sort orders: by local port, by state, reversed", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  auto comms = [&](const ViewState& v) {
    std::vector<std::string> out;
    for (const Line& l : visible_lines(s, v)) out.push_back(s.rows[l.row].comm);
    return out;
  };
  ViewState v;
  v.sort = Column::Local;
  CHECK(comms(v) == std::vector<std::string>{"nginx", "curl", "psql"});  // 8080, 40001, 51000
  v.reverse = true;
  CHECK(comms(v) == std::vector<std::string>{"psql", "curl", "nginx"});
  v = {};
  v.sort = Column::State;  // CLOSE_WAIT, ESTABLISHED, LISTEN
  CHECK(comms(v) == std::vector<std::string>{"psql", "curl", "nginx"});
  v.sort = Column::Remote;
  CHECK(comms(v) == std::vector<std::string>{"nginx", "psql", "curl"});  // 0, 5432, 8080
  // the column header marks the sort column and direction
  v.reverse = true;
  CHECK(has(render_table(s, v, 80, 24)[2], "REMOTEv"));
}

TEST_CASE("the keys < > I change the sort, / filters", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  ViewState v;
  auto rows = visible_lines(s, v);
  auto key = [&](int k) { return apply_key(v, KeyInput{k}, s, rows, 10, 80); };
  key('>');
  CHECK(v.sort == Column::Remote);
  key('<');
  key('<');
  CHECK(v.sort == Column::Proto);
  key('I');
  CHECK(v.reverse);
  for (int k : {'/', 'p', 's', 'q'}) key(k);
  CHECK(v.editing);
  CHECK(v.filter.empty());
  key(kKeyEnter);
  CHECK(v.filter == "psq");
  CHECK(key('q') == Action::Quit);
}

TEST_CASE("the filter matches comm, pid, endpoints and state", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  auto count = [&](const std::string& text) {
    ViewState v;
    v.filter = text;
    return visible_lines(s, v).size();
  };
  CHECK(count("") == 3);
  CHECK(count("NGINX") == 1);
  CHECK(count("300") == 1);
  CHECK(count("127.0.0.1") == 1);
  CHECK(count(":8080") == 2);
  CHECK(count("close_wait") == 1);
  CHECK(count("nothing-like-this") == 0);
  ViewState v;
  v.filter = "nothing-like-this";
  CHECK(has(render_table(s, v, 80, 24)[kHeaderLines], "no sockets match"));
}

TEST_CASE("the detail view shows the state history in order, with durations", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap(3);
  REQUIRE(s.detail);
  auto row = std::find_if(s.rows.begin(), s.rows.end(), [](const auto& r) { return r.key == 3; });
  REQUIRE(row != s.rows.end());
  auto lines = render_detail(s, *row, ViewState{}, 80, 24);
  for (const auto& l : lines) CHECK(l.size() <= 80);
  std::vector<std::string> states;
  for (const auto& l : lines)
    for (const char* st : {"SYN_SENT", "ESTABLISHED", "CLOSE_WAIT"})
      if (l.rfind("  ", 0) == 0 && has(l, std::string(" ") + st + " ")) states.push_back(st);
  CHECK(states == std::vector<std::string>{"SYN_SENT", "ESTABLISHED", "CLOSE_WAIT"});
  auto it = std::find_if(lines.begin(), lines.end(), [](const auto& l) { return has(l, "SYN_SENT"); });
  REQUIRE(it != lines.end());
  CHECK(has(*it, "1.0s"));  // one second until ESTABLISHED
  CHECK(has(lines[0], "10.0.0.5:51000 -> 10.0.0.9:5432"));
}

TEST_CASE("a socket looks stuck: unread data, long CLOSE_WAIT, SYN_SENT retransmitting", "[ui]") {
  Socket s;
  s.first_seen_ns = 1 * kSec;
  s.state = TcpState::Established;
  s.state_since_ns = 1 * kSec;
  CHECK(stuck_reason(s, 20 * kSec).empty());
  s.occ.rx_queue = 100;
  CHECK(stuck_reason(s, 5 * kSec).empty());
  CHECK(!stuck_reason(s, 7 * kSec).empty());
  s.io.last_recv_ns = 6 * kSec;
  CHECK(stuck_reason(s, 7 * kSec).empty());
  s.occ.rx_queue = 0;
  s.state = TcpState::CloseWait;
  CHECK(stuck_reason(s, 10 * kSec).empty());
  CHECK(has(stuck_reason(s, 12 * kSec), "CLOSE_WAIT"));
  s.state = TcpState::SynSent;
  CHECK(stuck_reason(s, 2 * kSec).empty());
  s.tcp.retrans_segs = 1;
  CHECK(!stuck_reason(s, 2 * kSec).empty());
}

TEST_CASE("help lists the keys", "[ui]") {
  auto lines = render_help(Snapshot{}, 80, 24);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  for (const char* k : {"q ", "/ ", "< >", "Enter", "?"}) CHECK(has(all, k));
}
