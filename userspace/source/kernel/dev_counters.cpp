// rtnetlink device dumps and /proc/net/softnet_stat.
//
// As in sockdiag.cpp, every header and attribute is copied out with memcpy
// after its length has been checked against what is left, so a short or
// corrupt reply can neither read past the buffer nor trip alignment rules.
#include "source/kernel/dev_counters.h"

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "record/raw_record.h"
#include "util/fd.h"

namespace sockscope {
namespace {

// rtnl_link_stats64 has grown (rx_nohandler in 4.6, rx_otherhost_dropped in
// 5.19): the fields read here are its first eight.
// A dump datagram larger than this is taken for a broken kernel.
constexpr size_t kMaxDatagram = size_t(16) << 20;

constexpr size_t kStatsNeeded = offsetof(rtnl_link_stats64, tx_dropped) + sizeof(__u64);

void take_stats(std::span<const uint8_t> data, LinkCounters& l) {
  if (data.size() < kStatsNeeded) return;  // not the layout we know: no counters rather than wrong ones
  rtnl_link_stats64 s{};
  std::memcpy(&s, data.data(), std::min(data.size(), sizeof(s)));
  l.has_stats = true;
  l.rx_packets = s.rx_packets;
  l.rx_bytes = s.rx_bytes;
  l.rx_dropped = s.rx_dropped;
  l.tx_packets = s.tx_packets;
  l.tx_bytes = s.tx_bytes;
  l.tx_errors = s.tx_errors;
  l.tx_dropped = s.tx_dropped;
}

// A NUL-terminated string of at most IFNAMSIZ bytes; cut at its NUL or at 15.
std::string take_name(std::span<const uint8_t> data) {
  std::string name;
  for (size_t i = 0; i < data.size() && i < 15 && data[i] != '\0'; ++i) name += char(data[i]);
  return name;
}

// One hex column of softnet_stat: 1 to 16 hex digits.
std::optional<uint64_t> hex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | uint64_t(d);
  }
  return v;
}

}  // namespace

std::optional<LinkCounters> decode_link_msg(std::span<const uint8_t> payload) {
  ifinfomsg m;
  if (payload.size() < sizeof(m)) return std::nullopt;
  std::memcpy(&m, payload.data(), sizeof(m));
  if (m.ifi_index <= 0) return std::nullopt;
  LinkCounters l;
  l.ifindex = uint32_t(m.ifi_index);
  auto attrs = payload.subspan(std::min<size_t>(NLMSG_ALIGN(sizeof(m)), payload.size()));
  while (attrs.size() >= NLA_HDRLEN) {
    nlattr a;
    std::memcpy(&a, attrs.data(), sizeof(a));
    if (a.nla_len < NLA_HDRLEN || a.nla_len > attrs.size()) break;  // the rest is garbage
    auto data = attrs.subspan(NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
    switch (a.nla_type & NLA_TYPE_MASK) {
      case IFLA_IFNAME: l.name = take_name(data); break;
      case IFLA_STATS64: take_stats(data, l); break;
      default: break;
    }
    attrs = attrs.subspan(std::min<size_t>(NLA_ALIGN(a.nla_len), attrs.size()));
  }
  return l;
}

bool walk_link_dump(std::span<const uint8_t> rest, uint32_t seq, std::vector<LinkCounters>& out) {
  while (rest.size() >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, rest.data(), sizeof(h));
    if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > rest.size())
      throw std::runtime_error(fmt::format("malformed rtnetlink reply: a message of {} bytes, {} left", h.nlmsg_len,
                                           rest.size()));
    const auto payload = rest.subspan(sizeof(h), h.nlmsg_len - sizeof(h));
    rest = rest.subspan(std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), rest.size()));
    if (h.nlmsg_seq != seq) continue;  // a stale reply to an earlier request
    if (h.nlmsg_flags & NLM_F_DUMP_INTR)
      throw std::runtime_error("the device list changed during the dump");
    if (h.nlmsg_type == NLMSG_DONE) {
      // a dump that failed part-way reports -errno in NLMSG_DONE's payload
      int32_t err = 0;
      if (payload.size() >= sizeof(err)) std::memcpy(&err, payload.data(), sizeof(err));
      if (err < 0) throw std::runtime_error(fmt::format("the device dump failed: {}", std::strerror(-err)));
      return true;
    }
    if (h.nlmsg_type == NLMSG_ERROR) {
      int32_t err = 0;
      if (payload.size() >= sizeof(err)) std::memcpy(&err, payload.data(), sizeof(err));
      if (err == 0) continue;  // an ACK
      throw std::runtime_error(
          fmt::format("the kernel refused the device dump: {}", std::strerror(err < 0 ? -err : err)));
    }
    if (h.nlmsg_type != RTM_NEWLINK) continue;
    if (auto l = decode_link_msg(payload)) out.push_back(std::move(*l));
  }
  return false;
}

std::vector<uint64_t> parse_softnet_stat(std::string_view text, size_t* bad) {
  std::vector<uint64_t> out;
  std::set<uint64_t> seen;
  size_t bad_lines = 0;
  uint64_t index = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    std::vector<uint64_t> cols;
    bool ok = true;
    for (size_t at = 0; ok && at < line.size();) {
      if (line[at] == ' ' || line[at] == '\t') {
        ++at;
        continue;
      }
      size_t end = line.find_first_of(" \t", at);
      if (end == std::string_view::npos) end = line.size();
      auto v = hex(line.substr(at, end - at));
      ok = v && cols.size() < 32;
      if (ok) cols.push_back(*v);
      at = end;
    }
    if (ok && cols.empty()) continue;  // an empty line: nothing, not a CPU
    const uint64_t pos = index++;
    // the CPU number is the 13th column where the kernel writes one: offline
    // CPUs have no line, so a line's position is their number only without
    const uint64_t cpu = cols.size() >= 13 ? cols[12] : pos;
    if (!ok || cols.size() < 3 || cpu >= kMaxRawCpus || !seen.insert(cpu).second) {
      ++bad_lines;
      continue;
    }
    if (out.size() <= cpu) out.resize(cpu + 1);
    out[cpu] = cols[2];
  }
  if (bad) *bad = bad_lines;
  return out;
}

std::map<DevKey, DevRecord> merge_devices(const std::map<DevKey, LinkCounters>& kernel,
                                          const std::map<DevKey, ss_dev_stats>& hooks,
                                          const std::map<DevKey, ss_dev_name>& hook_names) {
  std::map<DevKey, DevRecord> out;
  for (const auto& [key, l] : kernel) {
    DevRecord& r = out[key];
    r.c.rx_packets = l.rx_packets;
    r.c.rx_bytes = l.rx_bytes;
    r.c.tx_packets = l.tx_packets;
    r.c.tx_bytes = l.tx_bytes;
    r.c.tx_errors = l.tx_errors + l.tx_dropped;
    if (!l.name.empty()) {
      std::memcpy(r.name.name, l.name.data(), std::min(l.name.size(), sizeof(r.name.name) - 1));
      r.has_name = true;
    }
  }
  for (const auto& [key, h] : hooks) {
    DevRecord& r = out[key];
    r.c.napi_polls = h.napi_polls;
    r.c.napi_work = h.napi_work;
    r.c.napi_budget_exhausted = h.napi_budget_exhausted;
    r.c.tx_queued = h.tx_queued;
  }
  for (const auto& [key, n] : hook_names)
    if (auto it = out.find(key); it != out.end() && !it->second.has_name) {
      it->second.name = n;
      it->second.has_name = true;
    }
  return out;
}

DeviceCounters::DeviceCounters(uint64_t relist_ns) : relist_ns_(relist_ns) {
  home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_ < 0)
    throw std::runtime_error(fmt::format("opening this thread's network namespace failed: {}", std::strerror(errno)));
}

DeviceCounters::~DeviceCounters() {
  if (home_ >= 0) close(home_);
}

void DeviceCounters::read(uint64_t now_ns, std::string& err) {
  err.clear();
  if (!listed_ || now_ns - listed_ns_ >= relist_ns_) {
    netns_ = list_netns();
    listed_ns_ = now_ns;
    listed_ = true;
  }
  std::map<uint32_t, std::vector<LinkCounters>> next;
  for (size_t i = 0; i < netns_.size(); ++i) {
    const Netns& ns = netns_[i];
    std::vector<LinkCounters> links;
    std::string why;
    if (read_ns(i == 0 ? nullptr : &ns, links, why)) {
      next[ns.inum] = std::move(links);
    } else if (!why.empty()) {
      err = fmt::format("network namespace {}: {}", ns.inum, why);
      if (auto it = by_netns_.find(ns.inum); it != by_netns_.end()) next[ns.inum] = std::move(it->second);
    }
  }
  by_netns_ = std::move(next);
  devices_.clear();
  for (const auto& [inum, links] : by_netns_)
    for (const auto& l : links) devices_[DevKey{inum, l.ifindex}] = l;  // a device listed twice: the later wins
}

bool DeviceCounters::read_ns(const Netns* ns, std::vector<LinkCounters>& out, std::string& err) {
  bool gone = false;  // the process exited, its pid reused: normal, not an error
  int sock = make_in_netns(home_, ns, [] { return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE); },
                           err, gone);
  if (gone || (sock < 0 && !err.empty())) return false;
  if (sock < 0) {
    err = fmt::format("opening a NETLINK_ROUTE socket failed: {}", std::strerror(errno));
    return false;
  }
  Fd fd(sock);
  return dump_links(fd.fd, out, err);
}

bool dump_links(int fd, std::vector<LinkCounters>& out, std::string& err) {
  // the kernel always answers; the timeout only keeps a broken one from
  // stopping the source for good
  const timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  struct {
    nlmsghdr nlh;
    ifinfomsg ifi;
  } req{};
  req.nlh.nlmsg_len = sizeof(req);
  req.nlh.nlmsg_type = RTM_GETLINK;
  req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nlh.nlmsg_seq = 1;  // a socket of its own: nothing else to tell apart
  req.ifi.ifi_family = AF_UNSPEC;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    ssize_t n = sendto(fd, &req, sizeof(req), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
    if (n == ssize_t(sizeof(req))) break;
    if (n < 0 && errno == EINTR) continue;
    err = fmt::format("sending the device dump request failed: {}", std::strerror(n < 0 ? errno : EMSGSIZE));
    return false;
  }
  std::vector<uint8_t> buf(64 * 1024);
  try {
    for (;;) {
      // a link with many attributes (VFs) can make a datagram larger than
      // the usual 32 KiB: peek at its size first
      ssize_t want = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
      if (want > ssize_t(kMaxDatagram)) {
        err = fmt::format("a device dump reply of {} bytes is more than {} MiB", want, kMaxDatagram >> 20);
        return false;
      }
      if (want > ssize_t(buf.size())) buf.resize(size_t(want));
      sockaddr_nl from{};
      socklen_t from_len = sizeof(from);
      ssize_t got = recvfrom(fd, buf.data(), buf.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (got < 0) {
        if (errno == EINTR) continue;
        err = errno == EAGAIN || errno == EWOULDBLOCK
                  ? std::string("the kernel did not answer the device dump within 1 s")
                  : fmt::format("reading the device dump failed: {}", std::strerror(errno));
        return false;
      }
      if (size_t(got) > buf.size()) {
        err = fmt::format("a device dump reply of {} bytes did not fit {}", got, buf.size());
        return false;
      }
      if (from.nl_pid != 0) continue;  // not from the kernel
      if (walk_link_dump({buf.data(), size_t(got)}, req.nlh.nlmsg_seq, out)) return true;
    }
  } catch (const std::runtime_error& e) {
    err = e.what();
    return false;
  }
}

bool read_softnet(std::vector<uint64_t>& time_squeeze, std::string& err) {
  std::ifstream f("/proc/net/softnet_stat");
  if (!f) {
    err = fmt::format("opening /proc/net/softnet_stat failed: {}", std::strerror(errno));
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  time_squeeze = parse_softnet_stat(text);
  return true;
}

}  // namespace sockscope
