// The live view's main screen, rendered from a Snapshot of a SocketTable
// fed with synthetic events: what a user would read, without a terminal.
// The columns at each width, sorting, filtering, the process tree, closed
// sockets, the header, the sort menu and the help.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "source/source.h"
#include "tests/unit/builders.h"
#include "tests/unit/table_world.h"
#include "ui/keys.h"
#include "ui/render.h"
#include "ui/snapshot.h"
#include "ui/text.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {


// One probe attached, one not.
synth::StaticSource render_source() {
  synth::StaticSource s;
  s.probes_ = {{"a", "tp/a", true, ""}, {"b", "kprobe/b", false, "no kprobes"}};
  return s;
}

struct World : TableWorld {
  World() : TableWorld(render_source()) {}

  // An occupancy sample: queues and buffers.
  void sample(uint64_t cookie, Endpoint local, Endpoint remote, TcpState st, Occupancy occ) {
    Sample e;
    e.ts_ns = now += kMs;
    e.sock = id(cookie, local, remote, st);
    e.occ = occ;
    e.why = SampleWhy::Send;
    table.apply(e);
  }
  void srtt(uint64_t cookie, Endpoint local, Endpoint remote, uint32_t us) {
    TcpEvent e;
    e.ts_ns = now += kMs;
    e.sock = id(cookie, local, remote, TcpState::Established);
    e.kind = TcpKind::Metrics;
    e.m.srtt_us = us;
    table.apply(e);
  }
};

World sample_world() { return three_sockets<World>(); }

// The sample world, plus a socket nginx accepted, one of no known owner,
// and traffic: queues, an RTT, rates as the view's loop fills them in.
World busy_world() {
  World w = sample_world();
  w.sock(5, task(200, "nginx"), v4("127.0.0.1", 8080), v4("127.0.0.1", 40001), {TcpState::Established});
  w.states(6, task(0, ""), v4("10.0.0.7", 6000), v4("10.0.0.8", 6001), {TcpState::Established});
  w.sample(3, v4("10.0.0.5", 51000), v4("10.0.0.9", 5432), TcpState::CloseWait,
           {.rx_queue = 48000, .rmem_alloc = 90000, .rcvbuf = 120000, .sndbuf = 100000});
  w.sample(5, v4("127.0.0.1", 8080), v4("127.0.0.1", 40001), TcpState::Established,
           {.rx_queue = 1000, .tx_queue = 7000, .wmem_queued = 25000, .rcvbuf = 100000, .sndbuf = 100000});
  w.srtt(2, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), 1500);
  return w;
}

// rates by comm, as RateTracker would set them (-1: not known yet)
void set_rates(Snapshot& s, const std::map<std::string, std::pair<double, double>>& by_comm) {
  for (auto& r : s.rows)
    if (auto it = by_comm.find(r.comm); it != by_comm.end()) std::tie(r.rx_rate, r.tx_rate) = it->second;
}

std::vector<std::string> data_rows(const std::vector<std::string>& lines) {
  // between the column header and the status line, non-empty
  std::vector<std::string> out;
  for (size_t i = kHeaderLines; i + 1 < lines.size(); ++i)
    if (!lines[i].empty()) out.push_back(lines[i]);
  return out;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string row_of(const std::vector<std::string>& lines, const std::string& part) {
  for (size_t i = kHeaderLines; i < lines.size(); ++i)
    if (has(lines[i], part)) return lines[i];
  return {};
}

// The words of the column-name line with where they start; the sort mark
// (^ or v) is part of the word drawn, not of the name. The default order's
// mark stands alone over the '!' flag, which has no name: not a word.
struct Word {
  std::string text;
  int x;
};
std::vector<Word> words(const std::string& line) {
  std::vector<Word> out;
  for (size_t i = 0; i < line.size();) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = line.find(' ', i);
    if (end == std::string::npos) end = line.size();
    if (i == 0 && end == 1 && (line[0] == 'v' || line[0] == '^')) {
      i = end;
      continue;
    }
    out.push_back({line.substr(i, end - i), int(i)});
    i = end;
  }
  return out;
}
std::string name_of(std::string w) {
  if (!w.empty() && (w.back() == '^' || w.back() == 'v')) w.pop_back();
  return w;
}
Column column_named(const std::string& name) {
  for (int c = 0; c < int(Column::Count); ++c)
    if (column_name(Column(c)) == name) return Column(c);
  return Column::Count;
}

// The text a row shows in the cells of a column's name: numbers end where
// the name ends, text starts where it starts.
std::string under(const std::string& header, const std::string& row, const std::string& name, size_t len,
                  bool right) {
  for (const Word& w : words(header)) {
    if (name_of(w.text) != name) continue;
    size_t at = right ? size_t(w.x) + name.size() - len : size_t(w.x);
    return at + len <= row.size() ? row.substr(at, len) : std::string();
  }
  return "(no column " + name + ")";
}

}  // namespace

TEST_CASE("the table at 80 columns: the columns that fit, whole, one row per socket", "[ui]") {
  World w = busy_world();
  Snapshot s = w.snap();
  auto lines = render_table(s, ViewState{}, 80, 24);
  REQUIRE(lines.size() == 24);
  for (const auto& l : lines) CHECK(l.size() <= 80);
  std::vector<std::string> names;
  for (const Word& x : words(lines[2])) names.push_back(name_of(x.text));
  // which connection, its state, queues, owner and time in state: what fits
  CHECK(names == std::vector<std::string>{"PID", "COMM", "LOCAL", "REMOTE", "STATE", "TIME", "RECV-Q", "SEND-Q"});
  CHECK(has(lines[1], "sockets 5"));
  CHECK(has(lines[1], "LISTEN 1"));
  auto rows = data_rows(lines);
  REQUIRE(rows.size() == 5);
  std::string psql = row_of(lines, "psql");
  CHECK(under(lines[2], psql, "PID", 3, true) == "300");
  CHECK(under(lines[2], psql, "COMM", 4, false) == "psql");
  CHECK(under(lines[2], psql, "STATE", 10, false) == "CLOSE-WAIT");
  // 48000 queued, the buffer half full: the number, then the bar
  CHECK(under(lines[2], psql, "RECV-Q", 7, false) == " 48K ##");
  CHECK(under(lines[2], psql, "SEND-Q", 4, false) == "   0");
  CHECK(has(under(lines[2], row_of(lines, "*:8080"), "LOCAL", 12, false), "*:8080"));
}

TEST_CASE("the table at 160 columns: every column, bars, rates, RTT", "[ui]") {
  World w = busy_world();
  Snapshot s = w.snap();
  set_rates(s, {{"curl", {2500, 1.5e6}}, {"psql", {0, 0}}});
  auto lines = render_table(s, ViewState{}, 160, 24);
  for (const auto& l : lines) CHECK(l.size() <= 160);
  std::vector<std::string> names;
  for (const Word& x : words(lines[2])) names.push_back(name_of(x.text));
  CHECK(names == std::vector<std::string>{"PID", "COMM", "PRO", "LOCAL", "REMOTE", "STATE", "TIME", "RECV-Q",
                                          "SEND-Q", "RX/s", "TX/s", "DROPS", "RETR", "RTT", "CWND", "FINDING"});
  std::string curl = row_of(lines, "curl");
  CHECK(under(lines[2], curl, "PRO", 3, false) == "tcp");
  CHECK(under(lines[2], curl, "LOCAL", 9, false) == "lo:40001 ");
  CHECK(under(lines[2], curl, "REMOTE", 8, false) == "lo:8080 ");
  CHECK(under(lines[2], curl, "STATE", 6, false) == "ESTAB ");
  CHECK(under(lines[2], curl, "RX/s", 4, true) == "2.5K");
  CHECK(under(lines[2], curl, "TX/s", 4, true) == "1.5M");
  CHECK(under(lines[2], curl, "RTT", 5, true) == "1.5ms");
  CHECK(under(lines[2], curl, "DROPS", 1, true) == "0");
  // not known yet: a dash
  CHECK(under(lines[2], row_of(lines, "*:8080"), "RX/s", 1, true) == "-");
  // nginx's accepted socket: 7000 to send, a quarter of its buffer
  std::string conn;
  for (const auto& l : data_rows(lines))
    if (under(lines[2], l, "LOCAL", 8, false) == "lo:8080 ") conn = l;
  REQUIRE(!conn.empty());
  std::string send = under(lines[2], conn, "SEND-Q", 12, false);
  CHECK(send.substr(0, 4) == "7000");
  CHECK(std::count(send.begin(), send.end(), '#') == 2);  // 25% of the 7-cell bar
}

TEST_CASE("no line is wider than the screen, and the names drawn are whole", "[ui]") {
  World w = busy_world();
  Snapshot s = w.snap();
  for (int width = 46; width <= 260; width += 6) {
    INFO("width " << width);
    ViewState v;
    v.tree = width % 2;
    auto lines = render_table(s, v, width, 24);
    for (const auto& l : lines) CHECK(int(l.size()) <= width);
    size_t shown = 0;
    for (const Word& x : words(lines[2])) {
      CHECK(column_named(name_of(x.text)) != Column::Count);
      ++shown;
    }
    if (width >= 142) CHECK(shown == size_t(Column::Count));
    if (width >= 80) CHECK(shown >= 8);
  }
}

TEST_CASE("a long endpoint loses its middle: the port and both ends stay", "[ui]") {
  World w;
  w.sock(7, task(700, "envoy"), v6("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234", 443),
         v6("2001:db8:1111:2222:3333:4444:5555:6666", 50123), {TcpState::Established}, kAfInet6);
  Snapshot s = w.snap();
  REQUIRE(s.rows.size() == 1);
  const std::string local = s.rows[0].local, remote = s.rows[0].remote;
  REQUIRE(local.size() > 30);
  auto narrow = data_rows(render_table(s, ViewState{}, 80, 24));
  REQUIRE(narrow.size() == 1);
  INFO(narrow[0]);
  CHECK(!has(narrow[0], local));
  CHECK(has(narrow[0], "~1234]:443 "));
  CHECK(has(narrow[0], "]:50123 "));
  auto wide = data_rows(render_table(s, ViewState{}, 250, 24));
  INFO(wide[0]);
  CHECK(has(wide[0], local));
  CHECK(has(wide[0], remote));
}

TEST_CASE("an empty table says so", "[ui]") {
  World w;
  for (int width : {80, 160}) {
    auto lines = render_table(w.snap(), ViewState{}, width, 24);
    CHECK(has(lines[kHeaderLines], "no sockets"));
    CHECK(has(lines[1], "sockets 0"));
    CHECK(has(lines[23], "0 of 0 sockets"));
  }
  ViewState tree;
  tree.tree = true;
  CHECK(visible_lines(w.snap(), tree).empty());
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
  v.reverse = false;
  CHECK(has(render_table(s, v, 80, 24)[2], "REMOTE^"));
}

TEST_CASE("sort orders: rates, queues, time in state, RTT, pid", "[ui]") {
  World w = busy_world();
  Snapshot s = w.snap();
  // nginx's listener has no rate yet: below any known one
  set_rates(s, {{"curl", {2500, 10}}, {"psql", {900, 1e6}}});
  for (auto& r : s.rows)
    if (r.key == 5) r.rx_rate = 0, r.tx_rate = 3e6;  // known to be 0: above the unknown
  auto keys = [&](Column c, bool reverse = false) {
    ViewState v;
    v.sort = c;
    v.reverse = reverse;
    std::vector<uint64_t> out;
    for (const Line& l : visible_lines(s, v)) out.push_back(s.rows[l.row].key);
    return out;
  };
  // keys: 1 nginx listen, 2 curl, 3 psql, 5 nginx conn, 6 no owner (no rate);
  // the model's order, which ties keep: 6, 1, 5, 2, 3
  // a numeric column sorts largest first when chosen (as htop's CPU%), and
  // I turns it round
  CHECK(keys(Column::RxRate) == std::vector<uint64_t>{2, 3, 5, 6, 1});
  CHECK(keys(Column::RxRate, true) == std::vector<uint64_t>{6, 1, 5, 3, 2});
  CHECK(keys(Column::TxRate) == std::vector<uint64_t>{5, 3, 2, 6, 1});
  CHECK(keys(Column::RecvQ).front() == 3);  // 48000 queued
  CHECK(keys(Column::RecvQ, true).back() == 3);
  CHECK(keys(Column::SendQ).front() == 5);
  CHECK(keys(Column::Rtt).front() == 2);  // the only one measured
  // a pid is a name, not an amount: it goes up
  CHECK(keys(Column::Pid) == std::vector<uint64_t>{6, 2, 1, 5, 3});  // 0 (unknown), 100, 200, 200, 300
  // the listener has been in LISTEN longest: the oldest socket
  CHECK(keys(Column::Time).front() == 1);
  // the header says which way: v for largest first
  ViewState v;
  v.sort = Column::RecvQ;
  CHECK(has(render_table(s, v, 120, 24)[2], "RECV-Qv"));
  v.reverse = true;
  CHECK(has(render_table(s, v, 120, 24)[2], "RECV-Q^"));
}

TEST_CASE("the keys < > I change the sort, / filters", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  ViewState v;
  v.sort = Column::Local;
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
  auto lines = render_table(s, v, 80, 24);
  CHECK(has(lines[kHeaderLines], "no sockets match"));
  CHECK(has(lines[23], "0 of 3 sockets"));
  CHECK(has(lines[23], "filter 'nothing-like-this'"));
}

TEST_CASE("tree: one line per process, its sockets under it, ordered by the sort", "[ui]") {
  World w = busy_world();
  Snapshot s = w.snap();
  ViewState v;
  v.tree = true;
  v.sort = Column::Local;  // 6000 (no owner), 8080 nginx x2, 40001 curl, 51000 psql
  auto shape = [&](const std::vector<Line>& lines) {
    std::vector<std::string> out;
    for (const Line& l : lines)
      out.push_back(l.is_group() ? fmt::format("P{}/{}{}", l.pid, l.members, l.collapsed ? "+" : "")
                                 : std::to_string(s.rows[l.row].key));
    return out;
  };
  CHECK(shape(visible_lines(s, v)) == std::vector<std::string>{"P0/1", "6", "P200/2", "1", "5", "P100/1", "2",
                                                                "P300/1", "3"});
  v.reverse = true;  // groups follow their first socket in the new order, and so do their sockets
  CHECK(shape(visible_lines(s, v)) == std::vector<std::string>{"P300/1", "3", "P100/1", "2", "P200/2", "5", "1",
                                                                "P0/1", "6"});
  v.reverse = false;
  v.collapsed = {200};
  CHECK(shape(visible_lines(s, v)) == std::vector<std::string>{"P0/1", "6", "P200/2+", "P100/1", "2", "P300/1",
                                                                "3"});
  v.filter = "nginx";  // the filter picks sockets; the count is of those
  v.collapsed.clear();
  CHECK(shape(visible_lines(s, v)) == std::vector<std::string>{"P200/2", "1", "5"});
}

TEST_CASE("tree: process lines show the totals, sockets are indented, folded ones say so", "[ui]") {
  World w = busy_world();
  Snapshot s = w.snap();
  set_rates(s, {{"nginx", {100, 50}}});
  ViewState v;
  v.sort = Column::Local;  // 6000 (no owner) first
  v.tree = true;
  std::vector<Tone> tones;
  auto lines = render_table(s, v, 160, 24, &tones);
  std::string header = lines[2];
  auto at = [&](const std::string& part) {
    for (size_t i = kHeaderLines; i < lines.size(); ++i)
      if (has(lines[i], part)) return i;
    return size_t(0);
  };
  size_t g = at("[-] 2 sockets");
  REQUIRE(g != 0);
  CHECK(tones[g] == Tone::Group);
  CHECK(under(header, lines[g], "PID", 3, true) == "200");
  CHECK(under(header, lines[g], "COMM", 5, false) == "nginx");
  CHECK(under(header, lines[g], "RECV-Q", 4, false) == "1000");
  CHECK(under(header, lines[g], "SEND-Q", 4, false) == "7000");
  CHECK(under(header, lines[g], "RX/s", 3, true) == "200");  // two sockets at 100/s
  // its sockets follow, the last with the tree's corner, no pid repeated
  CHECK(has(lines[g + 1], " |- fd 3"));
  CHECK(has(lines[g + 2], " `- fd 3"));
  CHECK(under(header, lines[g + 1], "PID", 3, true) == "   ");
  CHECK(tones[g + 1] != Tone::Group);
  CHECK(at("[-] 1 socket ") != 0);
  size_t none = at("[-] 1 socket");
  CHECK(under(header, lines[none], "PID", 1, true) == "-");  // owner unknown
  v.collapsed = {200};
  lines = render_table(s, v, 160, 24);
  CHECK(at("[+] 2 sockets") != 0);
  CHECK(at("*:8080") == 0);  // nginx's sockets folded away
  CHECK(at("lo:8080 ") == at("curl") + 1);  // but not curl's
  CHECK(has(lines[23], "tree"));
}

TEST_CASE("closed sockets fade, say (closed) and how long ago", "[ui]") {
  World w = sample_world();
  w.sock(4, task(400, "wget"), v4("10.0.0.5", 52000), v4("10.0.0.9", 80), {TcpState::SynSent, TcpState::Established});
  w.close(4, task(400, "wget"), v4("10.0.0.5", 52000), v4("10.0.0.9", 80), TcpState::Established);
  w.states(4, task(0, ""), v4("10.0.0.5", 52000), v4("10.0.0.9", 80),
           {TcpState::FinWait1, TcpState::FinWait2, TcpState::Close}, kAfInet, TcpState::Established);
  w.now += 3 * kSec;
  Snapshot s = w.snap();
  auto row = std::find_if(s.rows.begin(), s.rows.end(), [](const auto& r) { return r.key == 4; });
  REQUIRE(row != s.rows.end());
  REQUIRE(row->closed);
  REQUIRE(row->closed_ago_ns == 3 * kSec);
  std::vector<Tone> tones;
  ViewState all;
  all.show_ended = true;  // not folded into its port's line
  auto lines = render_table(s, all, 80, 24, &tones);
  size_t i = 0;
  while (i < lines.size() && !has(lines[i], "wget")) ++i;
  REQUIRE(i < lines.size());
  CHECK(tones[i] == Tone::Faded);
  CHECK(under(lines[2], lines[i], "STATE", 8, false) == "(closed)");
  CHECK(under(lines[2], lines[i], "TIME", 4, true) == "3.0s");
  // the others do not fade
  for (size_t j = kHeaderLines; j + 1 < lines.size(); ++j)
    if (j != i && !lines[j].empty()) CHECK(tones[j] != Tone::Faded);
  // selected, it is drawn as the selection
  ViewState v = all;
  v.selected = i - kHeaderLines;
  render_table(s, v, 80, 24, &tones);
  CHECK(tones[i] == Tone::Selected);
}

TEST_CASE("the header: lost events by origin and missing probes by name, whole at 80 columns", "[ui]") {
  World w = busy_world();
  w.src.probes_ = {{"on_state", "tp/sock/inet_sock_set_state", true, ""},
                   {"kp_tcp_drop", "kprobe/tcp_drop", false, "no kprobes"},
                   {"fe_recvmsg", "fentry/tcp_recvmsg", false, "fentry refused"}};
  Lost lost;
  lost.ts_ns = w.now;
  lost.total = 7;
  w.table.apply(lost);
  w.src.stats_.malformed = 2;
  Snapshot s = w.snap();
  s.events_per_s = 1234;
  std::vector<Tone> tones;
  auto lines = render_table(s, ViewState{}, 80, 24, &tones);
  INFO(lines[0]);
  CHECK(lines[0].size() <= 80);
  CHECK(has(lines[0], "lost 9 (kernel 7, user 2)"));
  CHECK(has(lines[0], "probes: 2 missing: kp_tcp_drop, fe_recvmsg"));
  CHECK(tones[0] == Tone::Stuck);
  CHECK(has(lines[0], "live"));
  // wider: the clock, the event count and rate come back
  auto wide = render_table(s, ViewState{}, 160, 24);
  CHECK(has(wide[0], "live " + clock_text(s.now_ns, s.wall_offset_ns)));
  CHECK(has(wide[0], "1.2K/s"));
  CHECK(has(wide[0], "events " + std::to_string(s.events)));
  CHECK(has(wide[0], "lost 9 (kernel 7, user 2)"));
  // too many names to fit: how many
  w.src.probes_.push_back({"fe_sendmsg_with_a_rather_long_name", "fentry/tcp_sendmsg", false, ""});
  s = w.snap();
  lines = render_table(s, ViewState{}, 80, 24);
  INFO(lines[0]);
  CHECK(has(lines[0], "probes: 3 missing"));
  CHECK(has(lines[0], "lost 9 (kernel 7, user 2)"));
  CHECK(lines[0].size() <= 80);
  // nothing lost, nothing missing
  World quiet = sample_world();
  quiet.src.probes_ = {{"on_state", "tp/x", true, ""}};
  lines = render_table(quiet.snap(), ViewState{}, 80, 24, &tones);
  CHECK(has(lines[0], "lost 0"));
  CHECK(has(lines[0], "probes: all attached"));
  CHECK(tones[0] == Tone::Header);
}

TEST_CASE("the header of a replay: position, paused, speed, end", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  s.replay = true;
  s.replay_start_ns = w.now - 5 * kSec;
  s.replay_end_ns = w.now + 15 * kSec;
  auto line = [&] { return render_table(s, ViewState{}, 80, 24)[0]; };
  CHECK(has(line(), "replay"));
  CHECK(has(line(), "5.0s/20.0s"));
  CHECK(!has(line(), "paused"));
  CHECK(!has(line(), "x1"));
  CHECK(!has(line(), "(end)"));
  s.paused = true;
  s.speed = 4;
  s.replay_ended = true;
  CHECK(has(line(), "paused"));
  CHECK(has(line(), "x4"));
  CHECK(has(line(), "(end)"));
  s.speed = 0.25;
  CHECK(has(line(), "x0.25"));
  CHECK(line().size() <= 80);
}

TEST_CASE("column_at maps every cell of every drawn column name to its column", "[ui]") {
  World w = sample_world();
  Snapshot s = w.snap();
  for (int width : {60, 80, 100, 119, 120, 160, 250}) {
    for (int sort = 0; sort < int(Column::Count); sort += 5) {
      ViewState v;
      v.sort = Column(sort);
      std::string header = render_table(s, v, width, 24)[kHeaderLines - 1];
      INFO("width " << width << ": " << header);
      for (const Word& x : words(header)) {
        Column c = column_named(name_of(x.text));
        REQUIRE(c != Column::Count);
        for (int i = x.x; i < x.x + int(x.text.size()); ++i) CHECK(column_at(i, width, endpoint_need(s)) == c);
      }
      CHECK(column_at(0, width) == Column::Count);  // the '!' flag
      CHECK(column_at(width + 3, width) == Column::Count);
    }
  }
}

TEST_CASE("the sort menu lists the columns, marks the current one, highlights menu_at", "[ui]") {
  ViewState v;
  v.sort = Column::RecvQ;
  v.reverse = true;
  v.menu_at = size_t(Column::Drops);
  std::vector<Tone> tones;
  auto lines = render_sort_menu(Snapshot{}, v, 80, 24, &tones);
  REQUIRE(lines.size() == size_t(Column::Count) + 2);  // the title, the columns, the default order
  for (const auto& l : lines) CHECK(l.size() <= 80);
  for (int c = 0; c < int(Column::Count); ++c) {
    const std::string& l = lines[size_t(c) + 1];
    CHECK(has(l, fmt::format(" {} ", column_name(Column(c)))));
    CHECK(has(l, "*") == (Column(c) == Column::RecvQ));
    CHECK((tones[size_t(c) + 1] == Tone::Selected) == (Column(c) == Column::Drops));
  }
  CHECK(has(lines[size_t(Column::RecvQ) + 1], "reversed"));
  CHECK(has(lines.back(), " default "));
  CHECK(!has(lines.back(), "*"));
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

TEST_CASE("help lists every key and what '!' means, on one 80x24 screen", "[ui]") {
  Snapshot s;
  s.retention_ns = 60 * kSec;
  // drawn wider than it needs: nothing was cut to fit 80 columns
  auto lines = render_help(s, 200, 24);
  CHECK(lines.size() <= 24);
  std::string all;
  for (const auto& l : lines) {
    CHECK(l.size() <= 80);
    all += l + "\n";
  }
  for (const char* k :
       {"Up/Down", "PgUp/PgDn", "Home/End", "click", "Enter", "< >", "F6", " I ", "/  F3  F4", "t  F5", "+ -",
        "Right Left", "n  Tab", "?  F1", "q  F10", "Esc", "space", "pause", "[  ]", "slower", "faster", "step one second",
        "0  $", "start", "end", "!", "diagnose finding", "1m00s"})
    CHECK(has(all, k));
  CHECK(render_help(s, 80, 24) == lines);
  CHECK(render_help(s, 80, 10).size() == 10);
}

// Issue 16: the header's per-state counts ignored --port.
TEST_CASE("the header counts the sockets the command line's filter passes, by state", "[ui]") {
  World w = busy_world();
  Filter f;
  f.ports = {8080};
  Snapshot s = take(w.table, w.src, w.now, &f);
  // nginx's listener and accepted socket, and curl's connection to 8080
  CHECK(s.rows.size() == 3);
  CHECK(s.by_state == std::map<std::string, size_t>{{"ESTABLISHED", 2}, {"LISTEN", 1}});
  auto lines = render_table(s, ViewState{}, 120, 24);
  CHECK(has(lines[1], "sockets 3:"));
  CHECK(has(lines[1], "ESTAB 2  LISTEN 1"));
  CHECK(!has(lines[1], "CLOSE"));
  // the `/` filter narrows the rows, not the header
  ViewState v;
  v.filter = "curl";
  CHECK(has(render_table(s, v, 120, 24)[1], "sockets 3:"));
}

// Issue 16: the process row added its listener's backlog (ss's Send-Q of a
// listener) into the bytes its sockets have queued.
TEST_CASE("tree: a process's queue totals leave out its listeners' accept queue and backlog", "[ui]") {
  World w = busy_world();
  w.sample(1, v4("0.0.0.0", 8080), v4("0.0.0.0", 0), TcpState::Listen,
           {.rx_queue = 3, .tx_queue = 511, .ack_backlog = 3, .max_ack_backlog = 511});
  Snapshot s = w.snap();
  ViewState v;
  v.tree = true;
  auto lines = render_table(s, v, 160, 24);
  std::string header = lines[2];
  std::string group = row_of(lines, "[-] 2 sockets");
  REQUIRE(!group.empty());
  // only the accepted connection's bytes: 1000 to read, 7000 to send
  CHECK(under(header, group, "RECV-Q", 5, false) == "1000 ");
  CHECK(under(header, group, "SEND-Q", 5, false) == "7000 ");
  // the listener's own row still shows them, as ss does
  std::string listener = row_of(lines, "*:8080");
  CHECK(has(under(header, listener, "SEND-Q", 4, false), "511"));
}

TEST_CASE("queue bars: nothing queued, a few bytes and a full buffer look different", "[ui]") {
  World w = busy_world();
  w.sample(2, v4("127.0.0.1", 40001), v4("127.0.0.1", 8080), TcpState::Established,
           {.rx_queue = 7, .rmem_alloc = 775, .rcvbuf = 131072, .sndbuf = 131072});
  w.sample(6, v4("10.0.0.7", 6000), v4("10.0.0.8", 6001), TcpState::Established,
           {.rx_queue = 131072, .rmem_alloc = 131072, .rcvbuf = 131072, .sndbuf = 131072});
  Snapshot s = w.snap();
  auto lines = render_table(s, ViewState{}, 160, 24);
  std::string header = lines[2];
  auto bar_of = [&](const std::string& row) {
    std::string cell = under(header, row, "RECV-Q", 12, false);
    return cell.size() > 5 ? cell.substr(5) : cell;  // after the number and a space
  };
  std::string few = bar_of(row_of(lines, "curl")), full = bar_of(row_of(lines, "10.0.0.7"));
  std::string none = bar_of(row_of(lines, "*:8080"));
  INFO(few << "|" << full << "|" << none);
  CHECK(few.substr(0, 1) == "|");
  CHECK(few.find('#') == std::string::npos);
  CHECK(full.find_first_not_of('#') == std::string::npos);
  CHECK(full.size() >= 2);
  CHECK(none.find_first_not_of(' ') == std::string::npos);
}
