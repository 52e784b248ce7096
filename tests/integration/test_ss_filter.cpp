// ss's filter language against ss itself: for each expression, the sockets
// `sockscope list EXPR` selects are the ones `ss -tan EXPR` selects, over a
// known mix of loopback sockets the test makes and holds, including ones
// bound to a device and made in a cgroup of the test's own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/helpers/observers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

namespace {

// An IPv6 listener on ::ffff:127.0.0.1: IPv4 clients reach it, and its
// sockets carry IPv4-mapped addresses (ss's "cursed v4 mapped" case).
Fd mapped_listener(uint16_t& port) {
  Fd l(socket(AF_INET6, SOCK_STREAM, 0));
  REQUIRE(l.fd >= 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  REQUIRE(inet_pton(AF_INET6, "::ffff:127.0.0.1", &a.sin6_addr) == 1);
  REQUIRE(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  REQUIRE(listen(l, 16) == 0);
  port = local_port(l);
  return l;
}

// "local>peer", as both print endpoints (observers.h normalises ss's).
using Selection = std::set<std::string>;

bool ours(const std::set<uint16_t>& ports, const std::string& local, const std::string& peer) {
  return ports.count(endpoint_port(local)) || ports.count(endpoint_port(peer));
}

Selection ss_selects(const std::set<uint16_t>& ports, const std::string& states, const std::string& expr) {
  SsOptions o;
  o.states = states;
  o.filter = expr;
  Selection out;
  for (const auto& r : ss_snapshot(true, o))
    if (ours(ports, r.local, r.peer)) out.insert(r.local + ">" + r.peer);
  return out;
}

Selection sockscope_selects(const std::set<uint16_t>& ports, const std::string& filter, const std::string& tag) {
  SockscopeRun run({"list", "--json", "-t", "--duration", kUntilStopped, filter}, tag);
  REQUIRE(run.stop() == 0);
  Selection out;
  for (const auto& s : run.json_doc()) {
    std::string local = s["local"], peer = s["remote"];
    if (ours(ports, local, peer)) out.insert(local + ">" + peer);
  }
  return out;
}

std::string show(const Selection& s) {
  std::string out;
  for (const auto& x : s) out += "\n  " + x;
  return out.empty() ? " (none)" : out;
}

}  // namespace

TEST_CASE("list EXPR selects the sockets ss -tan EXPR selects", "[kernel][ss-filter]") {
  // the mix: an IPv4 listener with two connections, an IPv6 one with one,
  // an idle IPv4 listener, and an IPv4-mapped listener with one IPv4 client
  uint16_t pa = 0, pb = 0, pc = 0, pd = 0;
  Fd la = tcp_listen(AF_INET, pa);
  Fd ca1 = tcp_connect(AF_INET, pa), sa1 = tcp_accept(la);
  Fd ca2 = tcp_connect(AF_INET, pa), sa2 = tcp_accept(la);
  Fd lb = tcp_listen(AF_INET6, pb);
  Fd cb = tcp_connect(AF_INET6, pb), sb = tcp_accept(lb);
  Fd lc = tcp_listen(AF_INET, pc);
  Fd ld = mapped_listener(pd);
  Fd cd = tcp_connect(AF_INET, pd), sd = tcp_accept(ld);
  const std::set<uint16_t> ports = {pa, pb, pc, pd};
  // appended, not ":" + …: g++ 12 at -O3 warns falsely (-Wrestrict) on that
  auto port = [](uint16_t p) {
    std::string s = ":";
    s += std::to_string(p);
    return s;
  };
  // the second bound of a range: the larger of two listener ports
  uint16_t hi = std::max(pa, pb), lo = std::min(pa, pb);

  struct Case {
    std::string states, expr;  // ss's leading state words, and the expression
  };
  const std::vector<Case> cases = {
      {"", "sport = " + port(pa)},
      {"", "dport = " + port(pa) + " or dport = " + port(pb)},
      {"", "( sport = " + port(pa) + " or dport = " + port(pa) + " )"},
      {"state listening", ""},
      {"state established", "( dport = " + port(pb) + " or sport = " + port(pb) + " )"},
      {"exclude listening", "src 127.0.0.1 and not sport = " + port(pa)},
      {"", "dst [::1]"},
      {"", "dst 127.0.0.1 and dport != " + port(pd)},
      {"", "src 127.0.0.0/8 sport >= " + port(lo) + " sport le " + port(hi)},
      {"", "src [::ffff:127.0.0.1]"},
      {"state connected", "dst 127.0.0.1:" + std::to_string(pd) + " || sport gt " + port(hi)},
      {"", "sport < " + port(lo) + " or sport = " + port(pc) + " and src inet:*"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    std::string filter = c.states + (c.states.empty() || c.expr.empty() ? "" : " ") + c.expr;
    INFO("filter: " << filter);
    Selection want = ss_selects(ports, c.states, c.expr);
    Selection got = sockscope_selects(ports, filter, "ssfilter" + std::to_string(i));
    INFO("ss -tan selects:" << show(want) << "\nsockscope list selects:" << show(got));
    CHECK(got == want);
    CHECK(!want.empty());  // each expression selects some of the mix, so a filter that drops all fails
  }
}

namespace {

// Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on
// a hybrid host), from /proc/self/mountinfo.
std::string cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    auto dash = line.find(" - cgroup2 ");
    if (dash == std::string::npos) continue;
    std::istringstream f(line.substr(0, dash));
    std::string id, parent, devno, root, mount;
    f >> id >> parent >> devno >> root >> mount;
    return mount;
  }
  return "";
}

void move_self_to(const std::string& cgroup_dir) {
  std::ofstream procs(cgroup_dir + "/cgroup.procs");
  procs << getpid() << std::flush;
  REQUIRE(procs.good());
}

}  // namespace

TEST_CASE("list EXPR with dev and cgroup selects the sockets ss -tan EXPR selects", "[kernel][ss-filter]") {
  // a listener bound to lo (SO_BINDTODEVICE) with an unbound client; a
  // listener and its accepted socket made in a cgroup of their own, whose
  // client was made outside it
  uint16_t pe = 0, pf = 0;
  Fd le(socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(le.fd >= 0);
  REQUIRE(setsockopt(le, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(le, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  REQUIRE(listen(le, 16) == 0);
  pe = local_port(le);
  Fd ce = tcp_connect(AF_INET, pe), se = tcp_accept(le);

  const std::string root = cgroup2_mount();
  REQUIRE(!root.empty());
  std::string own;
  {
    std::ifstream self("/proc/self/cgroup");
    for (std::string line; std::getline(self, line);)
      if (line.rfind("0::", 0) == 0) own = line.substr(3);
  }
  const std::string name = "/sockscope-test-" + std::to_string(getpid());
  REQUIRE(mkdir((root + name).c_str(), 0755) == 0);
  move_self_to(root + name);
  Fd lf = tcp_listen(AF_INET, pf);
  move_self_to(root + own);
  Fd cf = tcp_connect(AF_INET, pf), sf = tcp_accept(lf);
  const std::set<uint16_t> ports = {pe, pf};
  auto port = [](uint16_t p) {
    std::string s = ":";
    s += std::to_string(p);
    return s;
  };

  const std::vector<std::string> cases = {
      "dev = lo",
      "dev != lo and dport = " + port(pe),
      "cgroup = " + name,
      "not cgroup = " + name + " and dport = " + port(pf),
      "( sport = " + port(pe) + " or sport = " + port(pf) + " ) and ( dev = lo or cgroup " + name + " )",
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("filter: " << cases[i]);
    Selection want = ss_selects(ports, "", cases[i]);
    Selection got = sockscope_selects(ports, cases[i], "ssbind" + std::to_string(i));
    INFO("ss -tan selects:" << show(want) << "\nsockscope list selects:" << show(got));
    CHECK(got == want);
    CHECK(!want.empty());
  }
  // the sockets keep the cgroup alive but hold no task: it can go
  lf.close();
  sf.close();
  cf.close();
  CHECK(rmdir((root + name).c_str()) == 0);
}
