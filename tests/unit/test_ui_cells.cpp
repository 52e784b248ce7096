// What a table cell says in the room it has (ui/cells.h): endpoints
// shortened with the port whole, ss's state names.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "ui/cells.h"

using namespace sockscope::ui;

namespace {
bool ends_with(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}
}  // namespace

TEST_CASE("loopback and the wildcard are written short, IPv6 keeps its brackets", "[ui][cells]") {
  CHECK(short_endpoint("127.0.0.1:8080", 40) == "lo:8080");
  CHECK(short_endpoint("0.0.0.0:8080", 40) == "*:8080");
  CHECK(short_endpoint("0.0.0.0:*", 40) == "*:*");
  CHECK(short_endpoint("127.0.0.53:53", 40) == "127.0.0.53:53");  // only 127.0.0.1 is "lo"
  CHECK(short_endpoint("[::1]:8080", 40) == "[::1]:8080");
  CHECK(short_endpoint("[::]:*", 40) == "[::]:*");
  CHECK(named_endpoint("127.0.0.1:40001") == "lo:40001");
  CHECK(named_endpoint("10.0.0.1:22") == "10.0.0.1:22");
}

TEST_CASE("a long address loses its middle, whole octets or groups first", "[ui][cells]") {
  CHECK(short_endpoint("10.0.0.5:51000", 14) == "10.0.0.5:51000");
  CHECK(short_endpoint("10.0.0.5:51000", 13) == "10~0.5:51000");
  CHECK(short_endpoint("192.168.100.200:65535", 21) == "192.168.100.200:65535");
  CHECK(short_endpoint("192.168.100.200:65535", 17) == "192~100.200:65535");
  CHECK(short_endpoint("192.168.100.200:65535", 13) == "192~200:65535");
  const std::string v6 = "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234]:443";
  CHECK(short_endpoint(v6, 60) == v6);
  CHECK(short_endpoint(v6, 30) == "[2001:db8~dddd:eeee:1234]:443");
  CHECK(short_endpoint(v6, 23) == "[2001~eeee:1234]:443");
  CHECK(short_endpoint("[2001:db8::1]:50123", 16) == "[2001~1]:50123");
}

TEST_CASE("the port is never cut, at any width from ':PORT' and one cell up", "[ui][cells]") {
  for (const std::string full : {"127.0.0.1:40001", "10.1.2.3:51000", "255.255.255.255:65535",
                                 "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234]:50123", "[fe80::1]:7", "0.0.0.0:*"}) {
    std::string port = full.substr(full.rfind(':'));
    for (int w = int(port.size()) + 1; w <= 50; ++w) {
      std::string s = short_endpoint(full, w);
      INFO(full << " at " << w << ": " << s);
      CHECK(int(s.size()) <= w);
      CHECK(ends_with(s, port));
      CHECK(s.size() > port.size());  // some of the address is left
    }
  }
}

TEST_CASE("state names in the table fit 10 cells and stay distinct", "[ui][cells]") {
  const char* kernel[] = {"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
                          "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "BOUND_INACTIVE", "UNCONN", "(closed)"};
  std::set<std::string> seen;
  for (const char* k : kernel) {
    std::string s(table_state(k));
    INFO(k << " -> " << s);
    CHECK(int(s.size()) <= kStateCells);
    CHECK(seen.insert(s).second);
  }
  CHECK(table_state("ESTABLISHED") == "ESTAB");
  CHECK(table_state("CLOSE_WAIT") == "CLOSE-WAIT");
  CHECK(table_state("TIME_WAIT") == "TIME-WAIT");
  CHECK(table_state("FIN_WAIT1") == "FIN-WAIT-1");
  CHECK(table_state("NEW_SYN_RECV") == "SYN-RECV");
}
