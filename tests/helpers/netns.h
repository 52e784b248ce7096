// Network namespaces for kernel tests: two namespaces joined by a veth pair,
// nftables rules with counters, and the kernel's own observers (ss, the
// namespace's SNMP counters, the device counters) read inside a namespace.
//
// Traffic stays between the test's own namespaces: addresses are private
// (10.199.0.1 and 10.199.0.2 on the veth ends), IPv6 is off, and both veth
// ends live inside the namespaces, so nothing reaches the root namespace.
// Everything is removed by destructors, also when an assertion throws; what a
// crashed run left behind (name prefix + a pid that no longer exists) is
// removed before the first pair is made.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/helpers/net.h"

namespace testing {

// Names: namespaces "sst-<pid>-<n>a", veths "sst<pid>x<n>a" (<= 15 chars).
inline constexpr const char* kNetnsPrefix = "sst";

// Removes namespaces and root-namespace links named after a process that no
// longer exists (left by a run that crashed). Safe to call any time.
void remove_stale_netns();

// Runs a shell command in the namespace (`ip netns exec NS sh -c CMD`).
// sh_in returns the exit status and fills out; must_in throws (with the
// command and its output) when the status is not 0 and returns stdout.
int sh_in(const std::string& ns, const std::string& cmd, std::string* out = nullptr);
std::string must_in(const std::string& ns, const std::string& cmd);
// The same in the test's own namespace.
int sh(const std::string& cmd, std::string* out = nullptr);
std::string must(const std::string& cmd);

// The namespace's inode number: what sockscope reports as `netns`.
uint64_t netns_inode(const std::string& ns);

// Joins the calling thread to the namespace (setns); throws on failure.
void enter_netns(const std::string& ns);

// Calls fn on a new thread that has joined the namespace and returns its
// result (exceptions propagate). Sockets it creates live in that namespace
// for good and can then be used from any thread; the test process owns
// them, so their pid is getpid().
template <class F>
auto in_netns(const std::string& ns, F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  std::packaged_task<R()> task([&]() -> R {
    enter_netns(ns);
    return fn();
  });
  auto result = task.get_future();
  std::thread t(std::move(task));
  t.join();
  return result.get();
}

// IPv4 sockets in a namespace.
Fd socket_in(const std::string& ns, int type);  // SOCK_STREAM / SOCK_DGRAM (| SOCK_NONBLOCK)
void bind_v4(int fd, const std::string& addr, uint16_t port);
// connect(); returns 0 or errno (EINPROGRESS for a non-blocking socket).
int connect_v4(int fd, const std::string& addr, uint16_t port);
// A listening socket bound to addr:port in the namespace.
Fd tcp_listen_in(const std::string& ns, const std::string& addr, uint16_t port, int backlog = 16,
                 int rcvbuf = 0);
void set_nonblocking(int fd, bool on);

struct NetnsPairOptions {
  bool create_now = true;  // false: nothing exists until create()
  // dev_a receives through NAPI (and GRO): GRO on dev_a, and TSO off on
  // dev_b. veth hands an skb to the peer's NAPI only when the peer has GRO
  // on and the sending device has no TSO (veth_skb_is_eligible_for_gro);
  // otherwise it takes the netif_rx path, whatever GRO says.
  bool napi_a = false;
  bool napi_b = false;  // the same for dev_b: GRO on dev_b, TSO off on dev_a
};

// Two namespaces, a and b, with loopback up and IPv6 disabled, joined by a
// veth pair: dev_a (addr_a/24) in a, dev_b (addr_b/24) in b. Each side
// knows the other's MAC address (a permanent neighbour entry), so no ARP
// ever crosses the pair.
class NetnsPair {
 public:
  static constexpr const char* addr_a = "10.199.0.1";
  static constexpr const char* addr_b = "10.199.0.2";

  explicit NetnsPair(NetnsPairOptions opts = {});
  ~NetnsPair();  // deletes both namespaces (and with them the veths and nft tables)
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  // Creates namespaces and devices (once); the device counters start at 0.
  void create();
  bool created() const { return created_; }

  const std::string& ns_a() const { return ns_a_; }
  const std::string& ns_b() const { return ns_b_; }
  const std::string& dev_a() const { return dev_a_; }
  const std::string& dev_b() const { return dev_b_; }
  uint64_t inode_a() const { return inode_a_; }
  uint64_t inode_b() const { return inode_b_; }

 private:
  void destroy() noexcept;
  NetnsPairOptions opts_;
  std::string ns_a_, ns_b_, dev_a_, dev_b_;
  uint64_t inode_a_ = 0, inode_b_ = 0;
  bool created_ = false;
};

// An nftables table (family inet) in a namespace, deleted by the destructor.
class NftTable {
 public:
  NftTable(std::string ns, std::string name);
  ~NftTable();
  NftTable(const NftTable&) = delete;
  NftTable& operator=(const NftTable&) = delete;

  // A base chain on hook ("input", "output", ...) of type filter.
  void add_chain(const std::string& chain, const std::string& hook, int priority = 0);
  // Adds a rule (nft syntax, e.g. "tcp dport 5001 counter drop") and returns
  // its handle.
  uint64_t add_rule(const std::string& chain, const std::string& rule);
  // The packets and bytes of the rule's `counter` (throws if it has none).
  uint64_t packets(const std::string& chain, uint64_t handle) const;
  uint64_t bytes(const std::string& chain, uint64_t handle) const;

 private:
  std::pair<uint64_t, uint64_t> counter(const std::string& chain, uint64_t handle) const;
  std::string ns_, name_;
};

// One TCP connection as `ss -tinaH` shows it inside a namespace.
struct SsTcp {
  bool found = false;
  std::string state;        // ss's spelling: ESTAB, SYN-SENT, ...
  uint64_t recv_q = 0, send_q = 0;
  uint64_t retrans_out = 0;    // X of retrans:X/Y (in flight now)
  uint64_t retrans_total = 0;  // Y of retrans:X/Y (tcpi_total_retrans)
  std::string text;            // the whole entry, for messages
};
// local and peer as "10.199.0.1:5001".
SsTcp ss_tcp(const std::string& ns, const std::string& local, const std::string& peer);

// The namespace's absolute SNMP counters (/proc/net/snmp and
// /proc/net/netstat read inside it), named as nstat names them:
// "TcpRetransSegs", "TcpOutRsts", "UdpRcvbufErrors",
// "TcpExtTCPToZeroWindowAdv", ... Nothing is shared between namespaces or
// runs (unlike nstat's history files).
std::map<std::string, uint64_t> snmp_counters(const std::string& ns);
// One counter; throws if the kernel has no counter of that name.
uint64_t snmp(const std::map<std::string, uint64_t>& counters, const std::string& name);

// A device's counters as `ip -s -j link show dev DEV` reports them.
struct LinkStats {
  int ifindex = 0;
  uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0, rx_errors = 0;
  uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0, tx_errors = 0;
};
LinkStats link_stats(const std::string& ns, const std::string& dev);

// Names of the namespaces that exist now (`ip netns list`).
std::vector<std::string> netns_names();

}  // namespace testing
