#include "tests/helpers/netns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace testing {
namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

bool pid_alive(long pid) { return pid > 0 && (kill(pid_t(pid), 0) == 0 || errno != ESRCH); }

}  // namespace

int sh(const std::string& cmd, std::string* out) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) fail("popen " + cmd);
  std::string buf;
  std::array<char, 4096> chunk{};
  size_t n;
  while ((n = fread(chunk.data(), 1, chunk.size(), p)) > 0) buf.append(chunk.data(), n);
  int st = pclose(p);
  if (out) *out = std::move(buf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

std::string must(const std::string& cmd) {
  std::string out;
  int st = sh(cmd, &out);
  if (st != 0) throw std::runtime_error("command failed (status " + std::to_string(st) + "): " + cmd + "\n" + out);
  return out;
}

int sh_in(const std::string& ns, const std::string& cmd, std::string* out) {
  return sh("ip netns exec " + ns + " sh -c " + quote(cmd), out);
}

std::string must_in(const std::string& ns, const std::string& cmd) {
  return must("ip netns exec " + ns + " sh -c " + quote(cmd));
}

uint64_t netns_inode(const std::string& ns) {
  struct stat st {};
  if (stat(("/run/netns/" + ns).c_str(), &st) != 0) fail("stat /run/netns/" + ns);
  return st.st_ino;
}

void enter_netns(const std::string& ns) {
  int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open /run/netns/" + ns);
  int r = setns(fd, CLONE_NEWNET);
  int e = errno;
  close(fd);
  errno = e;
  if (r != 0) fail("setns " + ns);
}

std::vector<std::string> netns_names() {
  std::vector<std::string> names;
  std::istringstream in(must("ip netns list"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string name;
    if (ls >> name) names.push_back(name);
  }
  return names;
}

void remove_stale_netns() {
  const std::regex ns_re(std::string("^") + kNetnsPrefix + "-([0-9]+)-");
  for (const auto& name : netns_names()) {
    std::smatch m;
    if (std::regex_search(name, m, ns_re) && !pid_alive(std::stol(m[1]))) {
      std::cerr << "netns: removing " << name << ", left by a run that is gone\n";
      sh("ip netns del " + name + " 2>&1");
    }
  }
  // veths are made inside the namespaces, but a run killed half-way through
  // `ip link add` could leave one here
  const std::regex link_re(std::string("^[0-9]+: (") + kNetnsPrefix + "([0-9]+)x[0-9]+[ab])[@:]");
  std::istringstream in(must("ip -o link show"));
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, link_re) && !pid_alive(std::stol(m[2]))) {
      std::cerr << "netns: removing link " << m[1] << ", left by a run that is gone\n";
      sh("ip link del " + std::string(m[1]) + " 2>&1");
    }
  }
}

Fd socket_in(const std::string& ns, int type) {
  return in_netns(ns, [&] {
    Fd s(socket(AF_INET, type | SOCK_CLOEXEC, 0));
    if (s < 0) fail("socket in " + ns);
    return s;
  });
}

namespace {
sockaddr_in v4(const std::string& addr, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, addr.c_str(), &a.sin_addr) != 1) throw std::runtime_error("bad IPv4 address " + addr);
  return a;
}
}  // namespace

void bind_v4(int fd, const std::string& addr, uint16_t port) {
  sockaddr_in a = v4(addr, port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) fail("bind " + addr + ":" + std::to_string(port));
}

int connect_v4(int fd, const std::string& addr, uint16_t port) {
  sockaddr_in a = v4(addr, port);
  return connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 ? 0 : errno;
}

Fd tcp_listen_in(const std::string& ns, const std::string& addr, uint16_t port, int backlog, int rcvbuf) {
  Fd s = socket_in(ns, SOCK_STREAM);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // set on the listener, so that the accepted socket inherits it
  if (rcvbuf > 0 && setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) fail("SO_RCVBUF");
  bind_v4(s, addr, port);
  if (listen(s, backlog) != 0) fail("listen");
  return s;
}

void set_nonblocking(int fd, bool on) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) != 0) fail("fcntl O_NONBLOCK");
}

// ---- NetnsPair ----

NetnsPair::NetnsPair(NetnsPairOptions opts) : opts_(opts) {
  static std::atomic<int> seq{0};
  const int n = seq++ % 1000;
  const std::string pid = std::to_string(getpid());
  ns_a_ = std::string(kNetnsPrefix) + "-" + pid + "-" + std::to_string(n) + "a";
  ns_b_ = std::string(kNetnsPrefix) + "-" + pid + "-" + std::to_string(n) + "b";
  dev_a_ = std::string(kNetnsPrefix) + pid + "x" + std::to_string(n) + "a";
  dev_b_ = std::string(kNetnsPrefix) + pid + "x" + std::to_string(n) + "b";
  if (dev_a_.size() > 15) throw std::logic_error("veth name too long: " + dev_a_);
  if (opts_.create_now) create();
}

NetnsPair::~NetnsPair() { destroy(); }

void NetnsPair::create() {
  if (created_) return;
  static std::once_flag stale_once;
  std::call_once(stale_once, remove_stale_netns);
  created_ = true;  // from here on, the destructor removes whatever exists
  try {
    must("ip netns add " + ns_a_);
    must("ip netns add " + ns_b_);
    for (const auto& ns : {ns_a_, ns_b_})
      // "all" also turns IPv6 off on lo, which exists already; "default" on
      // the veth created next
      must_in(ns,
              "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 && "
              "ip link set lo up");
    // both ends are created directly inside the namespaces
    must("ip link add " + dev_a_ + " netns " + ns_a_ + " type veth peer name " + dev_b_ + " netns " + ns_b_);
    must("ip -n " + ns_a_ + " addr add " + addr_a + "/24 dev " + dev_a_);
    must("ip -n " + ns_b_ + " addr add " + addr_b + "/24 dev " + dev_b_);
    if (opts_.napi_a) {
      must_in(ns_a_, "ethtool -K " + dev_a_ + " gro on");
      must_in(ns_b_, "ethtool -K " + dev_b_ + " tso off");
    }
    if (opts_.napi_b) {
      must_in(ns_b_, "ethtool -K " + dev_b_ + " gro on");
      must_in(ns_a_, "ethtool -K " + dev_a_ + " tso off");
    }
    must("ip -n " + ns_a_ + " link set " + dev_a_ + " up");
    must("ip -n " + ns_b_ + " link set " + dev_b_ + " up");
    // Permanent neighbours: no ARP requests, and no delayed ARP probes some
    // seconds after a test's traffic, so the devices carry the test's
    // packets and nothing else.
    auto mac = [](const std::string& ns, const std::string& dev) {
      return nlohmann::json::parse(must("ip -n " + ns + " -j link show dev " + dev)).at(0).at("address").get<std::string>();
    };
    must("ip -n " + ns_a_ + " neigh replace " + addr_b + " lladdr " + mac(ns_b_, dev_b_) + " dev " + dev_a_ +
         " nud permanent");
    must("ip -n " + ns_b_ + " neigh replace " + addr_a + " lladdr " + mac(ns_a_, dev_a_) + " dev " + dev_b_ +
         " nud permanent");
    inode_a_ = netns_inode(ns_a_);
    inode_b_ = netns_inode(ns_b_);
  } catch (...) {
    destroy();
    throw;
  }
}

void NetnsPair::destroy() noexcept {
  if (!created_) return;
  created_ = false;
  // Deleting a namespace deletes its veth end, and with it the peer, and its
  // nft tables. The namespace itself lives on while sockets in it are open:
  // tests declare the pair before their sockets, so these close first.
  for (const auto& ns : {ns_a_, ns_b_}) {
    try {
      std::string out;
      if (access(("/run/netns/" + ns).c_str(), F_OK) == 0 && sh("ip netns del " + ns + " 2>&1", &out) != 0)
        std::cerr << "netns: could not remove " << ns << ": " << out;
    } catch (...) {
    }
  }
}

// ---- NftTable ----

NftTable::NftTable(std::string ns, std::string name) : ns_(std::move(ns)), name_(std::move(name)) {
  must_in(ns_, "nft add table inet " + name_);
}

NftTable::~NftTable() {
  try {
    sh_in(ns_, "nft delete table inet " + name_ + " 2>/dev/null");
  } catch (...) {
  }
}

void NftTable::add_chain(const std::string& chain, const std::string& hook, int priority) {
  must_in(ns_, "nft add chain inet " + name_ + " " + chain + " '{ type filter hook " + hook + " priority " +
                   std::to_string(priority) + " ; policy accept ; }'");
}

uint64_t NftTable::add_rule(const std::string& chain, const std::string& rule) {
  std::string out = must_in(ns_, "nft --echo --handle add rule inet " + name_ + " " + chain + " " + rule);
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("# handle ([0-9]+)")))
    throw std::runtime_error("nft printed no handle for rule: " + rule + "\n" + out);
  return std::stoull(m[1]);
}

std::pair<uint64_t, uint64_t> NftTable::counter(const std::string& chain, uint64_t handle) const {
  auto j = nlohmann::json::parse(must_in(ns_, "nft -j list chain inet " + name_ + " " + chain));
  for (const auto& item : j.at("nftables")) {
    if (!item.contains("rule") || item["rule"].value("handle", 0ull) != handle) continue;
    for (const auto& e : item["rule"].at("expr"))
      if (e.contains("counter")) return {e["counter"].at("packets"), e["counter"].at("bytes")};
    throw std::runtime_error("nft rule " + std::to_string(handle) + " has no counter");
  }
  throw std::runtime_error("nft rule " + std::to_string(handle) + " not found in chain " + chain);
}

uint64_t NftTable::packets(const std::string& chain, uint64_t handle) const { return counter(chain, handle).first; }
uint64_t NftTable::bytes(const std::string& chain, uint64_t handle) const { return counter(chain, handle).second; }

// ---- observers ----

SsTcp ss_tcp(const std::string& ns, const std::string& local, const std::string& peer) {
  SsTcp r;
  // -i puts the details on a second line starting with a tab
  std::string out = must_in(ns, "ss -tinaH src " + local + " dst " + peer);
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (!std::isspace(static_cast<unsigned char>(line[0]))) {
      if (r.found) break;  // a second socket: the filter is exact, so not expected
      std::istringstream ls(line);
      std::string l, p;
      if (!(ls >> r.state >> r.recv_q >> r.send_q >> l >> p)) continue;
      if (l != local || p != peer) continue;
      r.found = true;
      r.text = line;
    } else if (r.found) {
      r.text += "\n" + line;
      std::smatch m;
      if (std::regex_search(line, m, std::regex("\\bretrans:([0-9]+)/([0-9]+)"))) {
        r.retrans_out = std::stoull(m[1]);
        r.retrans_total = std::stoull(m[2]);
      }
    }
  }
  return r;
}

std::map<std::string, uint64_t> snmp_counters(const std::string& ns) {
  std::map<std::string, uint64_t> c;
  // pairs of lines: "Tcp: Name1 Name2 ..." then "Tcp: 1 2 ..."
  std::istringstream in(must_in(ns, "cat /proc/net/snmp /proc/net/netstat"));
  std::string names, values;
  while (std::getline(in, names) && std::getline(in, values)) {
    std::istringstream n(names), v(values);
    std::string pn, pv;
    n >> pn;
    v >> pv;
    if (pn != pv || pn.empty()) throw std::runtime_error("unexpected /proc/net/snmp layout: " + names);
    std::string prefix = pn.substr(0, pn.size() - 1);  // without ':'
    std::string name, value;
    while (n >> name && v >> value) c[prefix + name] = uint64_t(std::stoll(value));
  }
  return c;
}

uint64_t snmp(const std::map<std::string, uint64_t>& counters, const std::string& name) {
  auto it = counters.find(name);
  if (it == counters.end()) throw std::runtime_error("no SNMP counter " + name);
  return it->second;
}

LinkStats link_stats(const std::string& ns, const std::string& dev) {
  auto j = nlohmann::json::parse(must("ip -n " + ns + " -s -j link show dev " + dev));
  const auto& d = j.at(0);
  const auto& rx = d.at("stats64").at("rx");
  const auto& tx = d.at("stats64").at("tx");
  LinkStats s;
  s.ifindex = d.at("ifindex");
  s.rx_packets = rx.at("packets");
  s.rx_bytes = rx.at("bytes");
  s.rx_dropped = rx.at("dropped");
  s.rx_errors = rx.at("errors");
  s.tx_packets = tx.at("packets");
  s.tx_bytes = tx.at("bytes");
  s.tx_dropped = tx.at("dropped");
  s.tx_errors = tx.at("errors");
  return s;
}

}  // namespace testing
