// The model: every socket sockscope has seen, keyed by socket cookie.
//
// Records made on the syscall path before the kernel generated a socket's
// cookie carry only its kernel address (sk); such a socket gets a
// provisional key and is moved to its cookie when a record carrying both
// arrives. Closed sockets stay for the retention time; the number of
// sockets is bounded.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>

#include "event.h"
#include "socket.h"
#include "names.h"

namespace sockscope {

// The kernel keeps a timewait socket for TCP_TIMEWAIT_LEN and reports no
// state change when it goes; the model closes it after that long.
inline constexpr uint64_t kTimeWaitNs = 60ull * 1000 * 1000 * 1000;

struct TableLimits {
  uint64_t retention_ns = 60ull * 1000 * 1000 * 1000;
  size_t max_sockets = 262144;
};

struct TableCounters {
  uint64_t events = 0;
  uint64_t sockets_created = 0;
  uint64_t evicted_closed = 0;   // after the retention time
  uint64_t evicted_for_room = 0; // to stay under max_sockets: lost data, shown
  uint64_t unattributed = 0;     // records with neither cookie nor sk
  uint64_t stats_unmatched = 0;  // counters of a socket that never showed up
  std::array<uint64_t, static_cast<size_t>(LostKind::Count)> lost{};  // kernel
  uint64_t lost_total() const;
};

class SocketTable {
 public:
  explicit SocketTable(TableLimits limits = {}) : limits_(limits) {}

  // Applies one event; returns the socket it touched, or nullptr.
  const Socket* apply(const Event& e);
  // Drops closed sockets past retention, then the oldest if over the limit.
  void expire(uint64_t now_ns);

  const Socket* find(uint64_t key) const;
  const std::unordered_map<uint64_t, Socket>& sockets() const { return sockets_; }
  const TableCounters& counters() const { return counters_; }
  size_t size() const { return sockets_.size(); }

 private:
  Socket* on(const StateChange& e);
  Socket* on(const SyscallEvent& e);
  Socket* on(const Sample& e);
  Socket* on(const StatsUpdate& e);
  void apply_stats(Socket& s, const StatsUpdate& e);
  void take_pending_stats(Socket& s);
  Socket* on(const SockSeed& e);
  Socket* on(const Lost& e);

  Socket* resolve(const SockId& id, uint64_t ts_ns, bool fresh = false);
  Socket& create(uint64_t key, const SockId& id, uint64_t ts_ns);
  Socket* provisional_by_inode(uint32_t inode);
  void merge_identity(Socket& s, const SockId& id);
  void set_state(Socket& s, TcpState st, uint64_t ts_ns);
  void mark_closed(Socket& s, uint64_t ts_ns);
  void erase(uint64_t key);

  TableLimits limits_;
  TableCounters counters_;
  std::unordered_map<uint64_t, Socket> sockets_;
  std::unordered_map<uint64_t, uint64_t> by_sk_;  // kernel address -> provisional key
  // Counters read from the kernel's map can arrive before the ring-buffer
  // records that create their socket: they wait here for it.
  std::unordered_map<uint64_t, StatsUpdate> pending_stats_;
  static constexpr size_t kMaxPendingStats = 65536;
  static constexpr uint64_t kPendingStatsNs = 10ull * 1000 * 1000 * 1000;
  uint64_t next_provisional_ = 0;
};

inline constexpr uint64_t kProvisionalBit = 1ull << 63;
inline bool is_provisional(uint64_t key) { return key & kProvisionalBit; }

}  // namespace sockscope
