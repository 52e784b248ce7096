// ss's filter language: what each expression selects from a fixed set of
// sockets, and where the parser points when it refuses one.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "model/filter.h"
#include "model/ss_filter_parse.h"
#include "run/run_options.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;

namespace {

struct Named {
  const char* name;
  SockId id;
  TcpState state;
};

// The sockets every expression is checked against.
const std::vector<Named>& sockets() {
  static const std::vector<Named> all = {
      {"web", tcp_sock(1, v4("10.1.2.3", 443), v4("192.168.0.9", 51000), TcpState::Established),
       TcpState::Established},
      {"lis", tcp_sock(2, v4("0.0.0.0", 80), v4("0.0.0.0", 0), TcpState::Listen), TcpState::Listen},
      {"ssh6", tcp_sock(3, v6("::", 22), v6("::", 0), TcpState::Listen, kAfInet6), TcpState::Listen},
      {"curl6", tcp_sock(4, v6("2001:db8::5", 40000), v6("2001:db8::1", 443), TcpState::SynSent, kAfInet6),
       TcpState::SynSent},
      {"mapped", tcp_sock(5, v6("::ffff:10.9.9.9", 8080), v6("::ffff:127.0.0.1", 33000), TcpState::TimeWait,
                          kAfInet6),
       TcpState::TimeWait},
      {"wait", tcp_sock(6, v4("127.0.0.1", 5000), v4("127.0.0.1", 6000), TcpState::CloseWait),
       TcpState::CloseWait},
      {"req", tcp_sock(7, v4("127.0.0.1", 80), v4("127.0.0.1", 41000), TcpState::NewSynRecv),
       TcpState::NewSynRecv},
  };
  return all;
}

std::string selected(const std::string& text) {
  SsFilter f = parse_ss_filter(text);
  std::string out;
  for (const auto& s : sockets())
    if (f.matches(s.id, s.state)) {
      if (!out.empty()) out += ',';
      out += s.name;
    }
  return out;
}

// The message and the caret's column, for a filter the parser refuses.
struct Refusal {
  std::string message;
  size_t pos = 0;
};
Refusal refusal(const std::string& text) {
  try {
    parse_ss_filter(text);
  } catch (const FilterError& e) {
    return {e.what(), e.pos};
  }
  FAIL("accepted: " << text);
  return {};
}

}  // namespace

TEST_CASE("ss filter: what each expression selects", "[ss-filter]") {
  struct Case {
    const char* expr;
    const char* want;  // names of the sockets it selects, in order
  };
  auto c = GENERATE(values<Case>({
      {"", "web,lis,ssh6,curl6,mapped,wait,req"},
      // ports: every operator and its word form
      {"dport = :443", "curl6"},
      {"dport == :443", "curl6"},
      {"dport eq :443", "curl6"},
      {"dport :443", "curl6"},
      {"dport 443", "curl6"},
      {"sport = :https", "web"},
      {"sport != :80", "web,ssh6,curl6,mapped,wait"},
      {"sport ne :80", "web,ssh6,curl6,mapped,wait"},
      {"sport neq :80", "web,ssh6,curl6,mapped,wait"},
      {"sport < :80", "ssh6"},
      {"sport lt :80", "ssh6"},
      {"sport <= :80", "lis,ssh6,req"},
      {"sport le :80", "lis,ssh6,req"},
      {"sport leq :80", "lis,ssh6,req"},
      {"sport > :8080", "curl6"},
      {"sport gt :8080", "curl6"},
      {"sport >= :8080", "curl6,mapped"},
      {"sport ge :8080", "curl6,mapped"},
      {"sport geq :8080", "curl6,mapped"},
      {"dport = *", "web,lis,ssh6,curl6,mapped,wait,req"},
      {"dport = :0", "lis,ssh6"},
      {"sport = inet6::22", "ssh6"},
      {"sport = inet::22", ""},
      // addresses: host, prefix, '*', port, brackets, v4-mapped
      {"src 10.1.2.3", "web"},
      {"src = 10.0.0.0/8", "web,mapped"},
      {"dst 127.0.0.1", "mapped,wait,req"},
      {"dst 127.0.0.1:6000", "wait"},
      {"src 127.0.0.0/8:80", "req"},
      {"src *:80", "lis,req"},
      {"src :22", "ssh6"},
      {"src *", "web,lis,ssh6,curl6,mapped,wait,req"},
      {"src inet:*", "web,lis,wait,req"},  // the family alone: IPv4 sockets, as ss lists them
      {"src 0.0.0.0/0", "web,lis,mapped,wait,req"},  // an IPv4 prefix: also the mapped ones
      {"src inet6:*", "ssh6,curl6,mapped"},
      {"dst [2001:db8::1]", "curl6"},
      {"dst [2001:db8::1]:443", "curl6"},
      {"dst [2001:db8::1]:80", ""},
      {"src 2001:db8::/32", "curl6"},
      {"src [2001:db8::/32]", "curl6"},
      {"dst [::ffff:127.0.0.1]", "mapped"},
      {"src 0.0.0.0", "lis"},
      {"src [::]", "ssh6"},
      // and / or / not, their spellings, juxtaposition, parentheses
      {"sport = :443 or sport = :22", "web,ssh6"},
      {"sport = :443 || sport = :22", "web,ssh6"},
      {"sport = :443 | sport = :22", "web,ssh6"},
      {"src 127.0.0.1 and dport = :6000", "wait"},
      {"src 127.0.0.1 && dport = :6000", "wait"},
      {"src 127.0.0.1 & dport = :6000", "wait"},
      {"src 127.0.0.1 dport = :6000", "wait"},
      {"not src 127.0.0.1", "web,lis,ssh6,curl6,mapped"},
      {"! src 127.0.0.1", "web,lis,ssh6,curl6,mapped"},
      {"not ( sport = :80 or sport = :22 )", "web,curl6,mapped,wait"},
      {"(sport = :80)", "lis,req"},
      {"( ( sport = :80 ) )", "lis,req"},
      // left to right, no precedence, as ss evaluates: (a or b) and c
      {"sport = :443 or sport = :22 and src inet6:*", "ssh6"},
      {"sport = :22 and src inet6:* or sport = :443", "web,ssh6"},
      {"not sport = :443 and sport >= :443 and sport <= :5000", "wait"},
      // states: names, ss spellings, groups, exclude
      {"state established", "web"},
      {"state listening", "lis,ssh6"},
      {"state listen", "lis,ssh6"},
      {"state syn-sent state time-wait", "curl6,mapped"},
      {"state syn-recv", "req"},
      {"state syn-rcv", "req"},
      {"state close-wait", "wait"},
      {"state all", "web,lis,ssh6,curl6,mapped,wait,req"},
      {"state connected", "web,curl6,mapped,wait,req"},
      {"state synchronized", "web,mapped,wait,req"},
      {"state bucket", "mapped,req"},
      {"state big", "web,lis,ssh6,curl6,wait"},
      {"exclude listening", "web,curl6,mapped,wait,req"},
      {"excl bucket exclude listening", "web,curl6,wait"},
      {"state connected exclude time-wait", "web,curl6,wait,req"},
      {"state ESTABLISHED", "web"},
      {"state established ( dport = :443 or sport = :443 )", "web"},
      {"state listening sport = :80", "lis"},
  }));
  INFO(c.expr);
  CHECK(selected(c.expr) == c.want);
}

TEST_CASE("ss filter: refusals point at the offending word", "[ss-filter]") {
  struct Case {
    const char* expr;
    size_t pos;
    const char* says;  // part of the message
  };
  auto c = GENERATE(values<Case>({
      {"dport = :99999", 9, "out of range"},
      {"dport = :nosuchservice", 9, "not a port"},
      {"dport =", 7, "expected a value after 'dport ='"},
      {"dport = and sport = :1", 8, "expected a value"},
      {"dport < *", 8, "compares with a port number"},
      {"dst 10.0.0.300", 4, "not an IP address"},
      {"dst 10.0.0.0/33", 13, "not a prefix length"},
      {"dst ::1", 4, "brackets"},
      {"dst [::1", 4, "without its ']'"},
      {"dst [::1]x", 9, "only ':PORT'"},
      {"dst != 10.0.0.1", 4, "takes '=' or nothing"},
      {"dst inet6:10.0.0.1", 10, "not an IPv6 address"},
      {"src unix:/run/x", 4, "TCP and UDP"},
      {"state nosuch", 6, "unknown state 'nosuch'"},
      {"state", 5, "expected a state after 'state'"},
      {"sport = :80 state listening", 12, "come first"},
      {"( sport = :80", 0, "never closed"},
      {"sport = :80 )", 12, "without a '('"},
      {"( )", 2, "inside '( )'"},
      {"sport = :80 and", 15, "expected a condition after 'and'"},
      {"sport = :80 or )", 15, "expected a condition after 'or'"},
      {"not", 3, "expected a condition"},
      {"and sport = :80", 0, "expected a condition before 'and'"},
      {"bogus", 0, "unknown word 'bogus'"},
      {"sport = :80 bogus", 12, "unknown word 'bogus'"},
  }));
  INFO(c.expr);
  Refusal r = refusal(c.expr);
  CHECK(r.pos == c.pos);
  CHECK_THAT(r.message, Catch::Contains(c.says));
}

TEST_CASE("ss filter: the error shows the filter with a caret under the word", "[ss-filter]") {
  std::string text = "state established ( dport = :4430000 )";
  try {
    parse_ss_filter(text);
    FAIL("accepted");
  } catch (const FilterError& e) {
    CHECK(describe_filter_error(e, text) ==
          "port 4430000 is out of range: ports are 0 to 65535\n"
          "  state established ( dport = :4430000 )\n"
          "                               ^");
  }
}

TEST_CASE("ss filter: nesting is bounded, not a stack overflow", "[ss-filter]") {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "( ";
  CHECK_THROWS_AS(parse_ss_filter(deep), FilterError);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  CHECK_THROWS_AS(parse_ss_filter(nots + "sport = :1"), FilterError);
}

TEST_CASE("ss filter: fwmark and autobound parse, and are reported as unsupported", "[ss-filter]") {
  for (const char* text : {"fwmark = 0x1/0x3", "autobound", "sport = :80 or fwmark 1"}) {
    INFO(text);
    SsFilter f = parse_ss_filter(text);
    REQUIRE(f.expr);
    CHECK(first_unsupported(*f.expr));  // the commands refuse the filter (cli/filter_expression.cpp)
  }
  // were one evaluated anyway, the term itself is never "everything"
  CHECK_FALSE(parse_ss_filter("autobound").matches(sockets()[0].id, sockets()[0].state));
  CHECK(parse_ss_filter("sport = :80 or fwmark 1").expr->kids[1].pos == 15);
  CHECK(first_unsupported(*parse_ss_filter("sport = :80 or dev lo or cgroup /a").expr) == nullptr);
}

TEST_CASE("ss filter: dev and cgroup compare what the kernel read of the socket", "[ss-filter]") {
  Filter f;
  Socket bound, unbound;
  bound.id = unbound.id = sockets()[0].id;
  bound.state = unbound.state = TcpState::Established;
  bound.bound_dev_if = 1;
  bound.cgroup_id = 77;
  unbound.cgroup_id = 78;
  auto with = [&](const char* text, uint64_t value) {
    auto ss = std::make_shared<SsFilter>(parse_ss_filter(text));
    // what the command line resolves from a name or path (cli/filter_binding.cpp)
    std::function<void(FilterNode&)> set = [&](FilterNode& n) {
      if (n.kind == FilterNode::Kind::Dev || n.kind == FilterNode::Kind::Cgroup) n.value = value;
      for (auto& k : n.kids) set(k);
    };
    set(*ss->expr);
    f.ss = ss;
  };
  with("dev = lo", 1);
  CHECK(f.matches(bound));
  CHECK_FALSE(f.matches(unbound));  // not bound: no dev matches it
  with("dev != lo", 1);
  CHECK_FALSE(f.matches(bound));
  CHECK(f.matches(unbound));
  with("dev = 2", 2);
  CHECK_FALSE(f.matches(bound));
  with("cgroup = /web", 77);
  CHECK(f.matches(bound));
  CHECK_FALSE(f.matches(unbound));
  with("not cgroup /web and sport = :80", 77);
  CHECK_FALSE(f.matches(bound));
  // a packet that reached no socket is bound to nothing and in no cgroup
  with("dev = lo or cgroup = /web", 1);
  CHECK_FALSE(f.ss->matches_addresses(bound.id));
  CHECK_FALSE(f.matches_packet(bound.id));
  // unresolved (value 0): nothing, never everything
  with("cgroup = /web", 0);
  Socket unknown = bound;
  unknown.cgroup_id = 0;
  CHECK_FALSE(f.matches(unknown));
}

TEST_CASE("ss filter: the port every match has, for the kernel-side scope", "[ss-filter]") {
  struct Case {
    const char* expr;
    int port;  // -1: none
  };
  auto c = GENERATE(values<Case>({
      {"", -1},
      {"sport = :443", 443},
      {"dport = :443", 443},
      {"dst 10.0.0.1:80", 80},
      {"state established ( dport = :443 or sport = :443 )", 443},
      {"dport = :443 or sport = :80", -1},
      {"src 10.0.0.1 and dport = :53", 53},
      {"not dport = :443", -1},
      {"dport != :443", -1},
      {"dport >= :443", -1},
      {"dport = *", -1},
      {"dst 10.0.0.1", -1},
  }));
  INFO(c.expr);
  auto p = implied_port(parse_ss_filter(c.expr));
  CHECK((p ? int(*p) : -1) == c.port);
}

TEST_CASE("ss filter in Filter: AND-combined with the options, packets have no state", "[ss-filter]") {
  Filter f;
  f.ss = std::make_shared<SsFilter>(parse_ss_filter("sport = :80 or sport = :443"));
  Socket web, lis;
  web.id = sockets()[0].id;
  web.state = TcpState::Established;
  lis.id = sockets()[1].id;
  lis.state = TcpState::Listen;
  CHECK_FALSE(f.empty());
  CHECK(f.matches(web));
  CHECK(f.matches(lis));
  f.states = {TcpState::Listen};  // --state listen
  CHECK_FALSE(f.matches(web));
  CHECK(f.matches(lis));
  f.states.clear();
  CHECK(f.matches_packet(web.id));  // an address expression sees a packet's addresses
  f.ss = std::make_shared<SsFilter>(parse_ss_filter("state established sport = :443"));
  CHECK(f.matches(web));
  CHECK_FALSE(f.matches_packet(web.id));  // a packet is in no state
}

TEST_CASE("ss filter: a filter with one port scopes the kernel side as one --port does", "[ss-filter]") {
  auto port_for = [](const char* text, std::vector<uint16_t> ports = {}) {
    RunOptions o;
    o.filter.ports = std::move(ports);
    if (*text) o.filter.ss = std::make_shared<SsFilter>(parse_ss_filter(text));
    return o.live().loader.detail_port;
  };
  CHECK(port_for("") == 0);
  CHECK(port_for("state established ( dport = :443 or sport = :443 )") == 443);
  CHECK(port_for("dport = :443 or dport = :80") == 0);  // two ports: the kernel side takes one
  CHECK(port_for("dport = :0") == 0);                   // 0 means "any" to the kernel
  CHECK(port_for("sport = :80", {8080}) == 8080);       // --port first
  CHECK(port_for("sport = :80", {8080, 9090}) == 80);   // every match has 80 (and one of the two)
}
