// The table's default order (findings, then the fullest queue) and the
// TIME_WAIT and closed sockets folded into one line per local port.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ui/keys.h"
#include "ui/render.h"

using namespace sockscope;
using namespace sockscope::ui;

namespace {

constexpr uint64_t kSec = 1'000'000'000;

Snapshot::Row row(uint64_t key, std::string comm, uint16_t port, TcpState st, double rx_pct = 0,
                  double tx_pct = 0) {
  Snapshot::Row r;
  r.key = r.cookie = key;
  r.pid = uint32_t(key);
  r.comm = std::move(comm);
  r.proto = "tcp";
  r.local = "127.0.0.1:" + std::to_string(port);
  r.remote = "127.0.0.1:9";
  r.local_port = port;
  r.remote_port = 9;
  r.tcp_state = st;
  r.state = st == TcpState::TimeWait ? "TIME_WAIT" : st == TcpState::Listen ? "LISTEN" : "ESTABLISHED";
  r.rx_pct = rx_pct;
  r.tx_pct = tx_pct;
  r.age_ns = key * kSec;
  return r;
}

Snapshot::Row closed(uint64_t key, uint16_t port, uint64_t ago_ns) {
  Snapshot::Row r = row(key, "wget", port, TcpState::Close);
  r.closed = true;
  r.state = "(closed)";
  r.closed_ago_ns = ago_ns;
  return r;
}

// Idle sockets first in the model's order, as on a busy host.
Snapshot world() {
  Snapshot s;
  s.rows = {row(1, "idle", 1000, TcpState::Established), row(2, "idle", 1001, TcpState::Established),
            row(3, "half", 1002, TcpState::Established, 10, 50),
            row(4, "stuck", 1003, TcpState::Established, 3), row(5, "full", 1004, TcpState::Established, 95),
            row(6, "api", 7000, TcpState::TimeWait), row(7, "api", 7000, TcpState::TimeWait),
            row(8, "api", 7000, TcpState::TimeWait), closed(9, 40002, 5 * kSec)};
  s.rows[3].stuck = "receive queue not read for over 5 s";
  s.by_state = {{"ESTABLISHED", 5}, {"TIME_WAIT", 3}, {"(closed)", 1}};
  return s;
}

std::vector<std::string> comms(const Snapshot& s, const ViewState& v) {
  std::vector<std::string> out;
  for (const Line& l : visible_lines(s, v)) out.push_back(l.is_socket() ? s.rows[l.row].comm : "ended");
  return out;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the default order: a finding first, then the fullest queue, then the model's order", "[ui][order]") {
  Snapshot s = world();
  ViewState v;
  REQUIRE(v.sort == kDefaultOrder);
  CHECK(comms(s, v) == std::vector<std::string>{"stuck", "full", "half", "idle", "idle", "ended", "ended"});
  // reversed, the emptiest first; the folded lines stay last
  v.reverse = true;
  CHECK(comms(s, v) == std::vector<std::string>{"idle", "idle", "half", "full", "stuck", "ended", "ended"});
}

TEST_CASE("the header names the default order: v over the flag column, the status line", "[ui][order]") {
  Snapshot s = world();
  ViewState v;
  auto lines = render_table(s, v, 120, 24);
  CHECK(lines[kHeaderLines - 1].rfind("v ", 0) == 0);
  CHECK(!has(lines[kHeaderLines - 1], "LOCAL^"));
  CHECK(has(lines.back(), "sort default (! then fullest queue)"));
  v.sort = Column::Local;
  lines = render_table(s, v, 120, 24);
  CHECK(lines[kHeaderLines - 1].rfind("v ", 0) != 0);
  CHECK(has(lines[kHeaderLines - 1], "LOCAL^"));
  CHECK(has(lines.back(), "sort LOCAL"));
}

TEST_CASE("> past the last column and the sort menu's last line come back to the default order", "[ui][order]") {
  Snapshot s = world();
  ViewState v;
  auto lines = visible_lines(s, v);
  apply_key(v, KeyInput{'<'}, s, lines, 10, 80);
  CHECK(v.sort == Column::Finding);
  apply_key(v, KeyInput{'>'}, s, lines, 10, 80);
  CHECK(v.sort == kDefaultOrder);
  apply_key(v, KeyInput{'>'}, s, lines, 10, 80);
  CHECK(v.sort == Column::Pid);
  apply_key(v, KeyInput{kKeyF6}, s, lines, 10, 80);
  apply_key(v, KeyInput{kKeyEnd}, s, lines, 10, 80);
  auto menu = render_sort_menu(s, v, 80, 24);
  CHECK(has(menu.back(), "default"));
  CHECK(has(menu.back(), "sockets with a finding, then by the fullest queue"));
  apply_key(v, KeyInput{kKeyEnter}, s, lines, 10, 80);
  CHECK(v.sort == kDefaultOrder);
}

TEST_CASE("TIME_WAIT and closed sockets fold into one line per local port: count, state, oldest", "[ui][order]") {
  Snapshot s = world();
  ViewState v;
  auto lines = visible_lines(s, v);
  REQUIRE(lines.size() == 7);
  const Line& tw = lines[6];  // by port: 7000, then 40002
  REQUIRE(lines[5].is_ended());
  REQUIRE(tw.is_ended());
  CHECK(lines[5].port == 7000);
  CHECK(lines[5].members == 3);
  CHECK(lines[5].time_wait == 3);
  CHECK(lines[5].oldest_ns == 8 * kSec);
  CHECK(tw.port == 40002);
  CHECK(tw.members == 1);
  CHECK(tw.time_wait == 0);
  auto text = render_table(s, v, 120, 24);
  std::string port7000, port40002;
  for (const auto& l : text) {
    if (has(l, "on :7000")) port7000 = l;
    if (has(l, "on :40002")) port40002 = l;
  }
  CHECK(has(port7000, "[+] 3 sockets on :7000"));
  CHECK(has(port7000, "TIME-WAIT"));
  CHECK(has(port7000, "8.0s"));
  CHECK(has(port40002, "[+] 1 socket on :40002"));
  CHECK(has(port40002, "(closed)"));
  CHECK(has(port40002, "5.0s"));
  // the header counts every socket, the status line too
  CHECK(has(text[1], "TIME-WAIT 3"));
  CHECK(has(text[1], "(closed) 1"));
  CHECK(has(text.back(), "9 of 9 sockets"));
  for (const auto& l : text) CHECK(!has(l, "lo:7000"));
}

TEST_CASE("w and Enter on a folded line show each ended socket, w folds them again", "[ui][order]") {
  Snapshot s = world();
  ViewState v;
  auto lines = visible_lines(s, v);
  apply_key(v, KeyInput{kKeyEnd}, s, lines, 10, 80);
  apply_key(v, KeyInput{kKeyUp}, s, lines, 10, 80);  // the :7000 line
  REQUIRE(lines[v.selected].is_ended());
  apply_key(v, KeyInput{kKeyEnter}, s, lines, 10, 80);
  CHECK(v.show_ended);
  CHECK(v.mode == Mode::Table);
  lines = visible_lines(s, v);
  CHECK(lines.size() == 9);
  for (const Line& l : lines) CHECK(l.is_socket());
  // the selection moved to the port's first socket
  REQUIRE(v.selected < lines.size());
  CHECK(s.rows[lines[v.selected].row].local_port == 7000);
  auto text = render_table(s, v, 120, 24);
  size_t shown = 0;
  for (const auto& l : text) shown += has(l, "lo:7000");
  CHECK(shown == 3);
  apply_key(v, KeyInput{'w'}, s, lines, 10, 80);
  CHECK_FALSE(v.show_ended);
  lines = visible_lines(s, v);
  CHECK(lines.size() == 7);
  REQUIRE(v.selected < lines.size());
  CHECK(lines[v.selected].is_ended());  // the socket selected is folded: its port's line
  CHECK(lines[v.selected].port == 7000);
}

TEST_CASE("the / filter applies to folded sockets: a line only for the ports that match", "[ui][order]") {
  Snapshot s = world();
  ViewState v;
  v.filter = ":7000";
  auto lines = visible_lines(s, v);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].is_ended());
  CHECK(lines[0].members == 3);
  v.filter = "wget";
  lines = visible_lines(s, v);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].port == 40002);
}
