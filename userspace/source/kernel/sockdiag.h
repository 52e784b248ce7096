// Sockets that already exist at start-up, read from the kernel's sock_diag
// netlink interface (what `ss` uses). The BPF side only sees sockets that do
// something after it attaches; this seeds the SocketTable with the rest, keyed
// by the same socket cookie.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/event.h"

namespace sockscope {

struct DiagSocket {
  SockId id;
  Occupancy occ;
  uint32_t inode = 0;  // 0 while no file exists: TIME_WAIT, SYN_RECV, not yet accept()ed
  uint32_t uid = 0;
};

// Dumps every TCP and UDP socket, IPv4 and IPv6, of the current network
// namespace via NETLINK_SOCK_DIAG / inet_diag (SOCK_DIAG_BY_FAMILY, all states).
//   id.cookie    idiag_cookie (low word first, as sock_diag_save_cookie writes it)
//   id.family    kAfInet / kAfInet6; id.protocol kProtoTcp / kProtoUdp
//   id.type      SOCK_STREAM (1) for TCP, SOCK_DGRAM (2) for UDP
//   id.state     idiag_state (kernel sk_state values)
//   id.local/remote  raw address bytes (v4 in the first 4), ports in host order
//   id.netns     inode of /proc/self/ns/net (0 if it cannot be read); id.sk = 0
//   occ.rx_queue/tx_queue  idiag_rqueue/idiag_wqueue: ss's Recv-Q/Send-Q. For a
//                TCP listener these are the accept queue and the backlog, which
//                also go to occ.ack_backlog/max_ack_backlog.
//   occ.rmem_alloc/rcvbuf/sndbuf/wmem_queued  from INET_DIAG_SKMEMINFO (0 when
//                the kernel sends none, e.g. TIME_WAIT sockets).
// Each cookie appears once even if the kernel repeats a socket across the
// parts of a dump. Throws std::runtime_error saying what to do if netlink fails.
std::vector<DiagSocket> dump_inet_sockets();

// Decodes the payload of one SOCK_DIAG_BY_FAMILY reply (struct inet_diag_msg
// followed by attributes), for a dump of `protocol`. Returns nullopt when the
// payload is too short or not AF_INET/AF_INET6; malformed attributes are
// ignored. Used by dump_inet_sockets; exposed so tests can feed it bad bytes.
std::optional<DiagSocket> decode_inet_diag_msg(std::span<const uint8_t> payload,
                                               uint16_t protocol, uint32_t netns);

}  // namespace sockscope
