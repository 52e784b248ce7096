// The kernel's own per-device counters, the default tier's source for the
// `nic` view: every device of every network namespace from rtnetlink
// (RTM_GETLINK: IFLA_IFNAME, IFLA_STATS64, what `ip -s link` prints), and
// the per-CPU receive softirq counts of /proc/net/softnet_stat. Nothing
// here runs per packet. The per-packet hooks (--detail packets) add NAPI
// polls and queued transmits on top: merge_devices joins the two, each
// field from one source only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/abi/sockscope_abi.h"
#include "model/event.h"
#include "source/kernel/iter_pass.h"

namespace sockscope {

// One device as RTM_NEWLINK describes it.
struct LinkCounters {
  uint32_t ifindex = 0;
  std::string name;        // IFLA_IFNAME, at most 15 characters; empty when not sent
  bool has_stats = false;  // IFLA_STATS64 was there (the counters below are 0 otherwise)
  uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0;
  uint64_t tx_packets = 0, tx_bytes = 0, tx_errors = 0, tx_dropped = 0;
};

// Decodes the payload of one RTM_NEWLINK message (struct ifinfomsg, then
// attributes). nullopt when it is shorter than an ifinfomsg or names no
// device (ifindex <= 0); the attribute walk stops at the first one whose
// length does not fit, keeping what came before.
std::optional<LinkCounters> decode_link_msg(std::span<const uint8_t> payload);

// One datagram of an RTM_GETLINK dump reply to request seq: appends every
// device it describes to out. Returns true at NLMSG_DONE. Throws
// std::runtime_error on an error reply, an interrupted dump
// (NLM_F_DUMP_INTR: the device list changed meanwhile) or a message whose
// length does not fit the datagram.
bool walk_link_dump(std::span<const uint8_t> datagram, uint32_t seq, std::vector<LinkCounters>& out);

// Dumps the devices of the namespace nl_fd (a NETLINK_ROUTE socket) was
// made in, appending them to out; false with err when the dump failed.
bool dump_links(int nl_fd, std::vector<LinkCounters>& out, std::string& err);

// Reads /proc/net/softnet_stat text: time_squeeze (the third column: how
// often the receive softirq stopped with work left, out of budget or
// time) of each CPU, indexed by CPU number; CPUs the file does not list
// (offline) are 0. The CPU number is the 13th column where the kernel
// writes it (Linux 5.10 and later), else the line's position. Lines that
// are not 3 to 32 hex columns, or name a CPU twice or beyond 8191, are
// skipped and counted in *bad.
std::vector<uint64_t> parse_softnet_stat(std::string_view text, size_t* bad = nullptr);

// The records the live source delivers for the devices: rx/tx packets,
// bytes and errors from the kernel's counters (tx_errors is the kernel's
// tx_errors + tx_dropped: what the driver refused), napi_* and tx_queued
// from the hooks' dev_stats (summed over CPUs), names from the kernel,
// else from the hooks' dev_names. A key only the hooks know (ifindex 0,
// the backlog; a device gone) has zero rx/tx.
struct DevRecord {
  ss_dev_stats c{};
  ss_dev_name name{};
  bool has_name = false;
};
std::map<DevKey, DevRecord> merge_devices(const std::map<DevKey, LinkCounters>& kernel,
                                          const std::map<DevKey, ss_dev_stats>& hooks,
                                          const std::map<DevKey, ss_dev_name>& hook_names);

// Reads the devices of every network namespace. A NETLINK_ROUTE socket
// answers for the namespace it was made in: each read enters the
// namespace, opens one, and comes back (holding nothing, so sockscope never
// keeps a namespace alive); the dump runs from sockscope's own.
class DeviceCounters {
 public:
  // relist_ns: how often the list of namespaces is made again (a scan of
  // /proc). Keeps an fd of the calling thread's namespace; throws
  // std::runtime_error when it cannot.
  explicit DeviceCounters(uint64_t relist_ns);
  ~DeviceCounters();
  DeviceCounters(const DeviceCounters&) = delete;
  DeviceCounters& operator=(const DeviceCounters&) = delete;

  // Reads every namespace's devices into what last() returns. A namespace
  // that could not be read keeps its previous devices; one that went away
  // loses them. err: why the last failed read failed ("" when none did).
  void read(uint64_t now_ns, std::string& err);
  const std::map<DevKey, LinkCounters>& last() const { return devices_; }

 private:
  // false when the namespace is gone (err empty) or the read failed (err says why)
  bool read_ns(const Netns* ns, std::vector<LinkCounters>& out, std::string& err);

  int home_ = -1;
  uint64_t relist_ns_;
  uint64_t listed_ns_ = 0;
  bool listed_ = false;
  std::vector<Netns> netns_;
  std::map<uint32_t, std::vector<LinkCounters>> by_netns_;
  std::map<DevKey, LinkCounters> devices_;
};

// /proc/net/softnet_stat's time_squeeze per CPU (parse_softnet_stat);
// false with err when the file cannot be read.
bool read_softnet(std::vector<uint64_t>& time_squeeze, std::string& err);

}  // namespace sockscope
