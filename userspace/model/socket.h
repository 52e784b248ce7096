// One socket as the model knows it: identity, owner, lifecycle, queues.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "model/event.h"
#include "model/occupancy_series.h"
#include "util/boxed.h"

namespace sockscope {

struct StatePoint {
  TcpState state;
  uint64_t ts_ns;
};

struct Owner {
  uint32_t pid = 0;  // 0: unknown
  int32_t fd = -1;
  Comm comm{};
};

struct IoCounters {
  uint64_t bytes_sent = 0, bytes_received = 0;
  uint64_t send_calls = 0, recv_calls = 0;
  uint64_t send_ns = 0, recv_ns = 0;          // time inside send / recv calls
  uint64_t send_ns_max = 0, recv_ns_max = 0;  // longest single call
  uint64_t last_send_ns = 0, last_recv_ns = 0;
  // Whether the tiers in force measured these (record/tiers.h, Coverage):
  // bytes by the packets tier, calls and their time by the syscalls tier.
  bool bytes_measured = false, calls_measured = false;
};

struct SockOption {
  uint64_t level, optname, value, ts_ns;
};

// A lifecycle syscall as kept in the socket's recent history.
struct CallRecord {
  Call call;
  uint64_t enter_ns, exit_ns;
  int64_t ret;
  uint64_t arg0;
  CallOrigin origin = CallOrigin::Syscall;  // Cgroup: no fd, no duration (needs --detail syscalls)
};

// A drop or TCP health record as kept in the socket's recent history.
// Counts come from the kernel's maps; this list only says when and why.
struct NetEvent {
  uint64_t ts_ns = 0;
  bool is_drop = false;
  DropOrigin origin = DropOrigin::KfreeSkb;  // drops
  TcpKind kind = TcpKind::Retransmit;        // TCP records
  uint32_t reason = 0;  // drop reason, or reset reason for a reset sent
  uint16_t segs = 0;    // retransmit
  int32_t err = 0;      // retransmit: 0 = sent
};

// How the model saw a socket end; values are shown by name (names.h).
enum class EndHow : uint8_t {
  None = 0,         // live, or closed with nothing known of how
  Close,            // its last fd was closed
  Reset,            // a reset or an error ended the connection
  TimewaitExpired,  // the kernel's timewait socket went
  OwnerExited,      // its holders exited without close()
  Gone,             // a pass no longer showed it, and no event said why
};

// The received data's journey, from the packets tier's maps.
struct Journey {
  Histogram nic_to_queue, queue_to_read;
};

struct Socket;

// A socket's place in its table's eviction order (SocketTable::make_room):
// a list by last activity, each event moving its socket to the end. A
// copy of a socket is in no list.
struct TableLink {
  Socket* prev = nullptr;
  Socket* next = nullptr;
  TableLink() = default;
  TableLink(const TableLink&) {}
  TableLink& operator=(const TableLink&) { return *this; }
};

struct Socket {
  static constexpr size_t kMaxHistory = 64;
  static constexpr size_t kMaxCalls = 32;
  static constexpr size_t kMaxOptions = 16;
  static constexpr size_t kMaxNetEvents = 32;

  uint64_t key = 0;  // the cookie, or a provisional key until it is known
  uint64_t serial = 0;  // unique in the table, kept when the key changes
  SockId id;         // latest identity
  uint64_t first_seen_ns = 0, last_event_ns = 0;

  // (The small fields sit together, so that padding does not cost each of
  // up to 262,144 sockets a few dozen bytes.)
  TcpState state = TcpState::Unknown;
  bool seeded = false;  // existed before sockscope started
  uint64_t state_since_ns = 0;
  std::vector<StatePoint> history;  // first point kept, then the newest
  uint64_t history_dropped = 0;

  bool fd_closed = false;  // the owner's last fd to it was closed
  bool fd_unnumbered = false;  // an fd holds it (cgroup/sock_create saw socket()), its number not yet known
  bool closed = false;     // the kernel socket is gone
  EndHow end = EndHow::None;
  // state_since_ns is when the model saw the state begin; false when the
  // socket was already in it before sockscope started (no kernel time)
  bool state_since_known = true;
  // A request socket (SYN_RECV, no full socket yet). Its child inherits
  // its cookie, so the row goes on as the child; a request that vanishes
  // without one (the handshake never completed) has its row removed.
  bool request = false;
  uint64_t closed_ns = 0;
  uint64_t confirmed_ns = 0;  // the latest pass that showed it; 0: none
  uint64_t hashed_ns = 0;     // since when it is in a table a pass walks; 0: not in one
  uint32_t err = 0;           // the kernel's sk_err as last read (ECONNRESET after a reset)
  uint32_t bound_dev_if = 0;  // SO_BINDTODEVICE's ifindex, as the latest kernel read has it; 0: not bound
  uint64_t cgroup_id = 0;     // the cgroup v2 it was made in (ss's `cgroup`), from a kernel read; 0: unknown

  // Every process holding an fd to it, from the latest files pass;
  // owner is the one that made, accepted or last used it, or else the first.
  std::vector<Owner> holders;
  uint64_t holders_ns = 0;  // when holders was last filled
  bool files_due = false;   // listed for the next files pass end (SocketTable::files_due_)
  bool changed = false;     // listed in SocketTable::changed_ (change tracking on)

  Owner owner;
  uint32_t listen_backlog = 0;
  Occupancy occ, occ_max;
  uint64_t occ_ts_ns = 0;
  OccupancySeries occ_series;  // occ over the last 2 minutes, per second
  IoCounters io;
  std::vector<SockOption> options;
  std::vector<CallRecord> calls;  // recent lifecycle calls, oldest first

  // sk_buff paths and TCP health, absolute values from the kernel's maps
  TcpCounters tcp;
  KernelCounters kernel;     // tcp_sock's own bytes and segments, from passes and the close
  uint64_t kernel_ns = 0;    // when kernel was read; 0: never
  // The kernel's own last data sent / received (lsndtime, lrcvtime); 0 unknown
  uint64_t kernel_last_send_ns = 0, kernel_last_recv_ns = 0;
  TcpMetrics metrics;
  uint64_t metrics_ns = 0;  // when metrics was read; 0: never
  std::map<uint32_t, uint64_t> drops_by_reason;  // kernel drop reason -> count
  Boxed<Journey> journey;  // none until the packets tier reads one (most sockets never have it)
  std::vector<NetEvent> net_events;  // recent drops and TCP records, oldest first
  uint64_t net_events_dropped = 0;   // older ones that made room

  TableLink link;  // SocketTable's, for eviction

  bool is_tcp() const { return id.protocol == kProtoTcp; }
  // The journey's histograms; empty ones when there is none.
  const Histogram& nic_to_queue() const { return journey ? journey->nic_to_queue : kNoHistogram; }
  const Histogram& queue_to_read() const { return journey ? journey->queue_to_read : kNoHistogram; }
  static inline const Histogram kNoHistogram{};
  bool has_cookie() const { return id.cookie != 0; }
};

}  // namespace sockscope
