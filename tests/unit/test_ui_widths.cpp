// The socket table at 40, 80, 120 and 200 columns with IPv4, IPv6 and
// loopback endpoints (issue 16): the port is never cut, addresses shorten
// readably, state names are whole, and width goes to more columns before
// it goes to wider addresses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/unit/builders.h"
#include "tests/unit/table_world.h"
#include "ui/render.h"
#include "ui/snapshot.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {

// By local port, the table's default order.
struct Expect {
  uint16_t lport, rport;
  std::string local, remote;  // as written when there is room
  std::string state;
};
const std::vector<Expect> kRows = {
    {443, 50123, "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234]:443", "[2001:db8:1111:2222:3333:4444:5555:6666]:50123",
     "ESTAB"},
    {8080, 0, "*:8080", "*:*", "LISTEN"},
    {9000, 41000, "[::1]:9000", "[::1]:41000", "ESTAB"},
    {40001, 8080, "lo:40001", "lo:8080", "ESTAB"},
    {51000, 5432, "10.0.0.5:51000", "192.168.100.200:5432", "CLOSE-WAIT"},
};

TableWorld world() {
  TableWorld w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(2, task(100, "curl"), v4("127.0.0.1", 40001), v4("127.0.0.1", 8080),
         {TcpState::SynSent, TcpState::Established});
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("192.168.100.200", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  w.sock(7, task(700, "envoy"), v6("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234", 443),
         v6("2001:db8:1111:2222:3333:4444:5555:6666", 50123), {TcpState::Established}, kAfInet6);
  w.sock(8, task(800, "grpc"), v6("::1", 9000), v6("::1", 41000), {TcpState::Established}, kAfInet6);
  w.now += 20 * kSec;  // psql's CLOSE_WAIT is a finding by now
  return w;
}

// The rows by local port, as the tests' expectations list them (the
// default order puts the flagged one first).
ViewState by_port() {
  ViewState v;
  v.sort = Column::Local;
  return v;
}

std::vector<std::string> names(const std::string& header) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = header.find_first_not_of(' ', i)) != std::string::npos) {
    size_t end = header.find(' ', i);
    std::string w = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (w.back() == '^' || w.back() == 'v') w.pop_back();
    if (!w.empty()) out.push_back(w);  // empty: the default order's mark over the '!' flag
    i = end;
  }
  return out;
}

// The text of a row under a column's name, to the next column's start.
std::string cell(const std::string& header, const std::string& row, const std::string& name) {
  size_t at = header.find(name);
  if (at == std::string::npos) return "(no " + name + ")";
  size_t next = header.find_first_not_of(' ', header.find(' ', at));
  if (at >= row.size()) return {};
  std::string c = row.substr(at, next == std::string::npos ? std::string::npos : next - at);
  c.erase(c.find_last_not_of(' ') + 1);
  // a right-aligned number of the next column may start before its name
  return name == "FINDING" ? c : c.substr(0, c.find(' '));
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("at 40, 80, 120 and 200 columns: ports whole, addresses readable, states whole", "[ui][widths]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  REQUIRE(s.rows.size() == kRows.size());
  for (int width : {40, 80, 120, 200}) {
    auto lines = render_table(s, by_port(), width, 24);
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    INFO("width " << width << "\n" << all);
    for (const auto& l : lines) CHECK(int(l.size()) <= width);
    const std::string& header = lines[kHeaderLines - 1];
    for (size_t i = 0; i < kRows.size(); ++i) {
      const Expect& e = kRows[i];
      const std::string& row = lines[kHeaderLines + i];
      std::string local = cell(header, row, "LOCAL"), remote = cell(header, row, "REMOTE");
      std::string lport = fmt::format(":{}", e.lport), rport = e.rport ? fmt::format(":{}", e.rport) : ":*";
      // the port whole, at the end; what is left of the address readable
      CHECK(local.size() > lport.size());
      CHECK(local.compare(local.size() - lport.size(), lport.size(), lport) == 0);
      CHECK(remote.compare(remote.size() - rport.size(), rport.size(), rport) == 0);
      // short enough for the narrowest endpoint cells (13): whole
      if (e.local.size() <= 13) CHECK(local == e.local);
      if (e.remote.size() <= 13) CHECK(remote == e.remote);
      CHECK(cell(header, row, "STATE") == e.state);
    }
    // loopback and the wildcard short at every width; no cut state names
    CHECK(has(all, "lo:40001"));
    CHECK(has(all, "*:8080"));
    CHECK(!has(all, "127.0.0.1"));
    CHECK(!has(all, "CLOS "));
    CHECK(!has(all, "ESTABLISHED"));
  }
}

TEST_CASE("IPv6 and long IPv4 addresses lose their middle, and get it back with room", "[ui][widths]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  auto row = [&](int width, size_t i) {
    auto lines = render_table(s, by_port(), width, 24);
    return std::pair(lines[kHeaderLines - 1], lines[kHeaderLines + i]);
  };
  auto [h40, v6at40] = row(40, 0);
  CHECK(cell(h40, v6at40, "LOCAL") == "[~1234]:443");
  auto [h120, psql120] = row(120, 4);
  CHECK(cell(h120, psql120, "REMOTE") == "192~200:5432");
  auto [h200, psql200] = row(200, 4);
  CHECK(cell(h200, psql200, "REMOTE") == "192.168.100.200:5432");
  CHECK(cell(h200, psql200, "LOCAL") == "10.0.0.5:51000");
  auto [h200b, v6at200] = row(200, 0);
  CHECK(cell(h200b, v6at200, "LOCAL") == "[2001~eeee:1234]:443");
  auto [h250, v6at250] = row(250, 0);
  CHECK(cell(h250, v6at250, "LOCAL") == kRows[0].local);
  CHECK(cell(h250, v6at250, "REMOTE") == kRows[0].remote);
}

TEST_CASE("more width brings more columns before wider addresses", "[ui][widths]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  auto header = [&](int width) { return names(render_table(s, by_port(), width, 24)[kHeaderLines - 1]); };
  using Names = std::vector<std::string>;
  CHECK(header(40) == Names{"LOCAL", "REMOTE", "STATE"});
  CHECK(header(80) == Names{"PID", "COMM", "LOCAL", "REMOTE", "STATE", "TIME", "RECV-Q", "SEND-Q"});
  CHECK(header(120) == Names{"PID", "COMM", "LOCAL", "REMOTE", "STATE", "TIME", "RECV-Q", "SEND-Q", "RX/s", "TX/s",
                             "DROPS", "RETR", "RTT", "CWND"});
  CHECK(header(200) == Names{"PID", "COMM", "PRO", "LOCAL", "REMOTE", "STATE", "TIME", "RECV-Q", "SEND-Q", "RX/s",
                             "TX/s", "DROPS", "RETR", "RTT", "CWND", "FINDING"});
  // at 200 the finding is there to read, next to the socket it is about
  auto lines = render_table(s, by_port(), 200, 24);
  CHECK(has(cell(lines[kHeaderLines - 1], lines[kHeaderLines + 4], "FINDING"), "peer closed"));
}

TEST_CASE("endpoints grow no wider than the widest one needs: the finding gets the room", "[ui][widths]") {
  TableWorld w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(2, task(100, "curl"), v4("127.0.0.1", 40001), v4("127.0.0.1", 8080),
         {TcpState::SynSent, TcpState::Established});
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  w.now += 20 * kSec;
  Snapshot s = w.snap();
  CHECK(endpoint_need(s) == 14);  // 10.0.0.5:51000; lo:40001 is shorter
  auto lines = render_table(s, by_port(), 200, 24);
  const std::string& header = lines[kHeaderLines - 1];
  CHECK(header.find("REMOTE") - header.find("LOCAL") == 15);  // 14 cells and a space
  std::string psql = lines[kHeaderLines + 2];
  INFO(psql);
  CHECK(has(psql, "10.0.0.5:51000 10.0.0.9:5432"));
  CHECK(has(cell(header, psql, "FINDING"), "peer closed, owner has not closed for over 10 s"));
}

TEST_CASE("past 80 columns a private IPv4 endpoint is whole before the counters join", "[ui][widths]") {
  TableWorld w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  Snapshot s = w.snap();
  auto psql = [&](int width) {
    auto lines = render_table(s, by_port(), width, 24);
    return std::pair(lines[kHeaderLines - 1], lines[kHeaderLines + 1]);
  };
  auto [h80, r80] = psql(80);
  CHECK(cell(h80, r80, "LOCAL") == "10~0.5:51000");  // 80 columns: the owner and the queues first
  auto [h100, r100] = psql(100);
  CHECK(cell(h100, r100, "LOCAL") == "10.0.0.5:51000");
  auto cols = names(h100);
  CHECK(std::find(cols.begin(), cols.end(), "DROPS") != cols.end());
  CHECK(std::find(cols.begin(), cols.end(), "RETR") != cols.end());
}
