// sock_diag client: one netlink socket, four dumps (tcp/udp x v4/v6).
//
// Every header and attribute is copied out with memcpy after its length has
// been checked against what is left of the datagram, so a short or corrupt
// reply can neither read past the buffer nor trip alignment rules.
#include "source/kernel/sockdiag.h"

#include "util/fd.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace sockscope {
namespace {

const char* proto_name(uint16_t protocol) { return protocol == kProtoTcp ? "tcp" : "udp"; }

std::string family_name(uint16_t family) { return family == kAfInet ? "IPv4" : "IPv6"; }

[[noreturn]] void fail_errno(const std::string& what, int err) {
  throw std::runtime_error("sock_diag: " + what + ": " + std::strerror(err));
}

// The kernel answers ENOENT when no handler is registered for the request:
// inet_diag, tcp_diag or udp_diag is a module that is not loaded or not built.
[[noreturn]] void fail_dump(uint16_t family, uint16_t protocol, int err) {
  const std::string what =
      std::string("dumping ") + proto_name(protocol) + " " + family_name(family) + " sockets";
  if (err == ENOENT || err == EOPNOTSUPP) {
    throw std::runtime_error("sock_diag: " + what + ": the kernel has no " + proto_name(protocol) +
                             "_diag support; load it with `modprobe " + proto_name(protocol) +
                             "_diag` (needs CONFIG_INET_DIAG and CONFIG_INET_" +
                             (protocol == kProtoTcp ? "TCP" : "UDP") + "_DIAG)");
  }
  fail_errno(what, err);
}

uint32_t current_netns_inode() {
  struct stat st {};
  if (::stat("/proc/self/ns/net", &st) != 0) return 0;  // no procfs: unknown, not fatal
  return static_cast<uint32_t>(st.st_ino);
}

void copy_addr(const __be32 (&src)[4], uint16_t family, Endpoint& out) {
  std::memcpy(out.addr.data(), src, family == kAfInet ? 4 : 16);
}

void apply_meminfo(std::span<const uint8_t> data, Occupancy& occ) {
  // Older kernels send fewer SK_MEMINFO_* entries; read only what is there.
  const size_t n = data.size() / sizeof(uint32_t);
  auto get = [&](size_t i) -> uint32_t {
    uint32_t v = 0;
    if (i < n) std::memcpy(&v, data.data() + i * sizeof(uint32_t), sizeof(v));
    return v;
  };
  occ.rmem_alloc = get(SK_MEMINFO_RMEM_ALLOC);
  occ.rcvbuf = get(SK_MEMINFO_RCVBUF);
  occ.sndbuf = get(SK_MEMINFO_SNDBUF);
  occ.wmem_queued = get(SK_MEMINFO_WMEM_QUEUED);
}

void send_dump_request(int fd, uint16_t family, uint16_t protocol, uint32_t seq) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof(msg);
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = seq;
  msg.req.sdiag_family = static_cast<uint8_t>(family);
  msg.req.sdiag_protocol = static_cast<uint8_t>(protocol);
  msg.req.idiag_states = ~0u;  // every state, as `ss -a` asks
  msg.req.idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1);

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    const ssize_t n =
        ::sendto(fd, &msg, sizeof(msg), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
    if (n == static_cast<ssize_t>(sizeof(msg))) return;
    if (n < 0 && errno == EINTR) continue;
    fail_errno("sending the dump request", n < 0 ? errno : EMSGSIZE);
  }
}

// Reads the replies to one dump until NLMSG_DONE, appending new sockets.
void read_dump(int fd, uint16_t family, uint16_t protocol, uint32_t seq, uint32_t netns,
               std::vector<DiagSocket>& out, std::unordered_set<uint64_t>& seen) {
  // The kernel sizes dump datagrams from the reader's buffer, capped at 32 KiB;
  // twice that leaves room, and MSG_TRUNC below catches it if not.
  std::vector<uint8_t> buf(64 * 1024);
  for (;;) {
    sockaddr_nl from{};
    iovec iov{buf.data(), buf.size()};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof(from);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    const ssize_t got = ::recvmsg(fd, &mh, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        throw std::runtime_error("sock_diag: the kernel did not answer within 5 s");
      fail_errno("reading the dump", errno);
    }
    if (mh.msg_flags & MSG_TRUNC) throw std::runtime_error("sock_diag: reply larger than 64 KiB");
    if (from.nl_pid != 0) continue;  // not from the kernel

    std::span<const uint8_t> rest(buf.data(), static_cast<size_t>(got));
    while (rest.size() >= sizeof(nlmsghdr)) {
      nlmsghdr h;
      std::memcpy(&h, rest.data(), sizeof(h));
      if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > rest.size())
        throw std::runtime_error("sock_diag: malformed netlink reply (bad message length)");
      const auto payload = rest.subspan(sizeof(h), h.nlmsg_len - sizeof(h));
      rest = rest.subspan(std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), rest.size()));

      if (h.nlmsg_seq != seq) continue;  // a stale reply to something else
      if (h.nlmsg_type == NLMSG_DONE) {
        // A dump that failed part-way reports -errno in NLMSG_DONE's payload.
        int32_t err = 0;
        if (payload.size() >= sizeof(err)) std::memcpy(&err, payload.data(), sizeof(err));
        if (err < 0) fail_dump(family, protocol, -err);
        return;
      }
      if (h.nlmsg_type == NLMSG_ERROR) {
        int32_t err = 0;
        if (payload.size() >= sizeof(err)) std::memcpy(&err, payload.data(), sizeof(err));
        if (err == 0) continue;  // an ACK, not an error
        fail_dump(family, protocol, err < 0 ? -err : err);
      }
      if (h.nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      auto s = decode_inet_diag_msg(payload, protocol, netns);
      // Multi-part dumps resume by hash position, so a table that changes
      // between parts can repeat a socket; the cookie is its identity.
      if (s && seen.insert(s->id.cookie).second) out.push_back(*s);
    }
  }
}

}  // namespace

std::optional<DiagSocket> decode_inet_diag_msg(std::span<const uint8_t> payload, uint16_t protocol,
                                               uint32_t netns) {
  inet_diag_msg m;
  if (payload.size() < sizeof(m)) return std::nullopt;
  std::memcpy(&m, payload.data(), sizeof(m));
  if (m.idiag_family != kAfInet && m.idiag_family != kAfInet6) return std::nullopt;

  DiagSocket s;
  s.id.cookie = uint64_t{m.id.idiag_cookie[0]} | (uint64_t{m.id.idiag_cookie[1]} << 32);
  s.id.netns = netns;
  s.id.family = m.idiag_family;
  s.id.protocol = protocol;
  s.id.type = protocol == kProtoTcp ? SOCK_STREAM : SOCK_DGRAM;
  s.id.state = m.idiag_state;
  copy_addr(m.id.idiag_src, s.id.family, s.id.local);
  copy_addr(m.id.idiag_dst, s.id.family, s.id.remote);
  s.id.local.port = ntohs(m.id.idiag_sport);
  s.id.remote.port = ntohs(m.id.idiag_dport);
  s.inode = m.idiag_inode;
  s.uid = m.idiag_uid;
  s.occ.rx_queue = m.idiag_rqueue;
  s.occ.tx_queue = m.idiag_wqueue;
  if (protocol == kProtoTcp && m.idiag_state == static_cast<uint8_t>(TcpState::Listen)) {
    // For listeners the kernel reports sk_ack_backlog / sk_max_ack_backlog here.
    s.occ.ack_backlog = m.idiag_rqueue;
    s.occ.max_ack_backlog = m.idiag_wqueue;
  }

  auto attrs = payload.subspan(std::min<size_t>(NLMSG_ALIGN(sizeof(m)), payload.size()));
  while (attrs.size() >= NLA_HDRLEN) {
    nlattr a;
    std::memcpy(&a, attrs.data(), sizeof(a));
    if (a.nla_len < NLA_HDRLEN || a.nla_len > attrs.size()) break;  // rest is garbage
    if ((a.nla_type & NLA_TYPE_MASK) == INET_DIAG_SKMEMINFO)
      apply_meminfo(attrs.subspan(NLA_HDRLEN, a.nla_len - NLA_HDRLEN), s.occ);
    attrs = attrs.subspan(std::min<size_t>(NLA_ALIGN(a.nla_len), attrs.size()));
  }
  return s;
}

std::vector<DiagSocket> dump_inet_sockets() {
  Fd nl(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (nl.fd < 0) {
    const int err = errno;
    if (err == EPROTONOSUPPORT || err == EAFNOSUPPORT)
      throw std::runtime_error(
          "sock_diag: this kernel has no NETLINK_SOCK_DIAG (needs CONFIG_INET_DIAG); "
          "existing sockets cannot be listed");
    fail_errno("opening a NETLINK_SOCK_DIAG socket", err);
  }
  // The kernel always answers a dump; the timeout only keeps a broken kernel
  // or a seccomp filter from hanging start-up forever.
  const timeval timeout{5, 0};
  ::setsockopt(nl.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

  const uint32_t netns = current_netns_inode();
  std::vector<DiagSocket> out;
  std::unordered_set<uint64_t> seen;
  uint32_t seq = 0;
  for (uint16_t protocol : {kProtoTcp, kProtoUdp}) {
    for (uint16_t family : {kAfInet, kAfInet6}) {
      ++seq;
      send_dump_request(nl.fd, family, protocol, seq);
      read_dump(nl.fd, family, protocol, seq, netns, out, seen);
    }
  }
  return out;
}

}  // namespace sockscope
