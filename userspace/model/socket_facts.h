// Facts about one socket that every view shows alike (list, the live view,
// the CSV export, diagnose): its state as shown, time in that state, queue
// use against the limits, drops, owner, and the order sockets are listed in.
// Derived from the Socket on demand, never stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/socket.h"

namespace sockscope {

// "UNCONN" / "ESTAB"-style for UDP like ss, kernel names for TCP.
std::string_view socket_state_name(const Socket& s);
// A state this socket was in, named as socket_state_name() names its
// current one: a UDP socket's history says UNCONN, not TCP's CLOSE.
std::string_view state_name_for(const Socket& s, TcpState st);
// The state as the views show it: "(closed)" once the kernel socket is gone.
std::string_view shown_state(const Socket& s);
// "close", "reset", "timewait-expired", "owner-exited", "gone"; "" for None.
std::string_view end_how_name(EndHow how);
// How long the socket has been in its current state; 0 when not known
// (state_since_known false: in it since before start-up).
uint64_t time_in_state_ns(const Socket& s, uint64_t now_ns);

// Bytes waiting to be read: the receive queue as the kernel counts it
// includes the peer's FIN (one sequence number) once it arrived, which is
// not data left unread.
uint64_t unread_bytes(const Socket& s);
// Whether the owner can still do something about the socket: it is live,
// not in TIME_WAIT or CLOSE, and the owner has not closed its fd. Rules
// about what an owner should do apply to these only.
bool owner_can_act(const Socket& s);

// Memory against its limit in percent (rmem/rcvbuf, wmem/sndbuf; accept
// queue/backlog for listeners).
double rx_use_pct(const Socket& s);
double tx_use_pct(const Socket& s);
// Drops of a socket: the stats map's total, or the per-reason sum when that
// map was read later and already counts more.
uint64_t total_drops(const Socket& s);
// When the socket last sent / received data: the kernel's own time for
// TCP where it has one, else the last send / receive call; 0 unknown.
uint64_t last_send_ns(const Socket& s);
uint64_t last_recv_ns(const Socket& s);
// "comm,pid=N,fd=N" as ss -p writes it; "-" when the owner is unknown.
std::string owner_text(const Socket& s);

// Sockets in a stable order: TCP before UDP, then local port, remote, key.
std::vector<const Socket*> sorted_sockets(std::vector<const Socket*> v);

// One socket's row as values: `list` formats them for people, the CSV
// export writes them raw, diagnose names the socket with them.
struct SocketRow {
  std::string_view netid;
  std::string state;  // shown_state()
  uint64_t age_ns;    // time_in_state_ns()
  uint64_t recv_q, send_q;
  double rcv_pct, snd_pct;
  uint64_t rx_max, tx_max;
  std::string local, peer;
  std::optional<uint64_t> sent, rcvd;  // bytes_sent(), bytes_received()
  uint64_t drops, retransmits;
  std::string process;  // owner_text()
};
SocketRow socket_row(const Socket& s, uint64_t now_ns);

// Bytes sent / received: what the app moved where the packets tier measured
// it, else the kernel's own TCP counts (tcpi_bytes_sent, which counts
// retransmitted bytes again, and tcpi_bytes_received) from the samples;
// nullopt where neither is known (UDP without --detail packets).
std::optional<uint64_t> bytes_sent(const Socket& s);
std::optional<uint64_t> bytes_received(const Socket& s);

}  // namespace sockscope
