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
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <utility>
#include <unordered_map>
#include <vector>

#include "model/coverage.h"
#include "model/event.h"
#include "model/names.h"
#include "model/nic_table.h"
#include "model/socket.h"
#include "util/slab_alloc.h"

namespace sockscope {

// The kernel keeps a timewait socket for TCP_TIMEWAIT_LEN and reports no
// state change when it goes; the model closes it after that long.
inline constexpr uint64_t kTimeWaitNs = 60ull * 1000 * 1000 * 1000;

struct TableLimits {
  uint64_t retention_ns = 60ull * 1000 * 1000 * 1000;
  size_t max_sockets = 262144;
};

// A gap: when the kernel lost events, of which kind, how many more.
struct GapMark {
  uint64_t ts_ns = 0;
  LostKind kind = LostKind::Ringbuf;
  uint64_t lost = 0;
};

struct TableCounters {
  uint64_t events = 0;
  uint64_t sockets_created = 0;
  uint64_t evicted_closed = 0;   // after the retention time
  uint64_t evicted_for_room = 0; // to stay under max_sockets: lost data, shown
  uint64_t unattributed = 0;     // records with neither cookie nor sk, or no socket for them
  uint64_t stats_unmatched = 0;  // counters of a socket that never showed up
  // Drop and reset records with no socket of ours (a packet to no socket,
  // a reset sent for one): records, so a lower bound under load.
  uint64_t drops_unattributed = 0;
  uint64_t resets_unattributed = 0;
  uint64_t closed_by_pass = 0;  // gone from the kernel's tables with no event saying so
  uint64_t timewait_gone = 0;   // TIME_WAIT sockets a pass no longer showed (no event exists for it)
  // Gaps: stretches in which the kernel lost events (counted in lost), each
  // repaired at the next complete pass; healed: those a pass ended.
  uint64_t gaps = 0, gaps_healed = 0;
  uint64_t holders_unmatched = 0; // fds to sockets not in the table (never bound or connected)
  uint64_t reasons_refused = 0;   // drop-reason counts past kMaxReasonsPerKey for one socket (hostile input)
  std::array<uint64_t, static_cast<size_t>(LostKind::Count)> lost{};  // kernel
  uint64_t lost_total() const;
};

class SocketTable {
 public:
  explicit SocketTable(TableLimits limits = {}) : limits_(limits) {}
  // Sockets point at each other (the eviction order): a table moves, it is
  // not copied.
  SocketTable(const SocketTable&) = delete;
  SocketTable& operator=(const SocketTable&) = delete;
  SocketTable(SocketTable&&) = default;
  SocketTable& operator=(SocketTable&&) = default;

  // Applies one event; returns the socket it touched, or nullptr.
  const Socket* apply(const Event& e);
  // Drops closed sockets past retention. The limit on sockets is kept on
  // every insert (apply), not here.
  void expire(uint64_t now_ns);

  const Socket* find(uint64_t key) const;
  using Map = std::unordered_map<uint64_t, Socket, std::hash<uint64_t>, std::equal_to<uint64_t>,
                                 SlabAllocator<std::pair<const uint64_t, Socket>>>;
  const Map& sockets() const { return sockets_; }
  const TableCounters& counters() const { return counters_; }
  // The latest gaps, oldest first (at most kMaxGapMarks): the views mark
  // them on a socket's timeline.
  static constexpr size_t kMaxGapMarks = 1024;
  const std::deque<GapMark>& gaps() const { return gaps_; }
  size_t size() const { return sockets_.size(); }
  const TableLimits& limits() const { return limits_; }
  // What the source's tiers measure (all, unless told otherwise): where a
  // tier is off, a socket's counters of that tier are not shown as zeros.
  void set_coverage(const Coverage& c) { coverage_ = c; }
  const Coverage& coverage() const { return coverage_; }
  // Network devices, from the per-device maps.
  const NicTable& nics() const { return nics_; }

  // Change tracking, for a view that copies only what changed since it
  // last looked (top's snapshot) instead of every socket each refresh.
  // Off until asked: `list`, `record` and the rest pay nothing for it.
  void track_changes();
  // Calls each(key, socket) for every socket changed since the last call,
  // and each(key, nullptr) for every key erased; a key may come more than
  // once, the last call being what holds. Returns false, having called
  // nothing, when the caller must read the whole table instead: the first
  // call, or more erasures piled up than the table holds (nobody asked
  // for a long time).
  template <class F>
  bool drain_changes(F&& each);

 private:
  Socket* on(const StateChange& e);
  Socket* on(const SyscallEvent& e);
  Socket* on(const Sample& e);
  Socket* on(const StatsUpdate& e);
  void apply_stats(Socket& s, const StatsUpdate& e);
  void note_call(Socket& s, const SyscallEvent& e);
  void take_pending_stats(Socket& s);
  Socket* on(const SockSeed& e);
  Socket* on(const Lost& e);
  Socket* on(const Drop& e);
  Socket* on(const TcpEvent& e);
  Socket* on(const JourneyUpdate& e);
  Socket* on(const SockDropsUpdate& e);
  Socket* on(const DevStatsUpdate& e);
  Socket* on(const DevDropsUpdate& e);
  Socket* on(const SoftnetUpdate& e);
  Socket* on(const SockInfo& e);
  Socket* on(const FileHolder& e);
  Socket* on(const PassEnd& e);
  void apply_kernel_read(Socket& s, const SockInfo& e);
  void take_kernel_ages(Socket& s, const SockInfo& e);
  void pick_owner(Socket& s);
  void end_gone(Socket& s, uint64_t ts_ns);

  Socket* attach(const SockId& id, bool from_packet, uint64_t ts_ns);
  Socket* find_key(uint64_t key);  // through last_
  void forget_last() { last_ = {}; }
  struct Pending;
  Pending* pending(uint64_t cookie, uint64_t ts_ns);

  Socket* resolve(const SockId& id, uint64_t ts_ns, bool fresh = false);
  Socket& create(uint64_t key, const SockId& id, uint64_t ts_ns);
  void touched(Socket& s) {
    if (tracking_ && !s.changed) {
      s.changed = true;
      changed_.push_back(s.key);
    }
  }
  Socket* provisional_by_inode(uint32_t inode);
  void merge_identity(Socket& s, const SockId& id);
  void set_state(Socket& s, TcpState st, uint64_t ts_ns);
  void mark_closed(Socket& s, uint64_t ts_ns, EndHow how = EndHow::None);
  void erase(uint64_t key);
  // While over max_sockets: the longest closed socket goes, else the least
  // recently active one; never keep. Each one counts in evicted_for_room.
  void make_room(const Socket* keep);
  void place(Socket& s);   // at the end of the eviction order
  void unplace(Socket& s);
  // Puts a TIME_WAIT or closed socket on the queues expire() works from.
  void schedule(const Socket& s);

  TableLimits limits_;
  Coverage coverage_;
  TableCounters counters_;
  Map sockets_;  // nodes from slabs: see util/slab_alloc.h
  // The socket found last: a socket's records come in runs (a state end
  // is five or six events about one socket), and a lookup in a table of
  // 100,000s is a cache miss or two. Nodes stay put when the table grows;
  // erase() forgets it, and a copied or moved table starts without one.
  struct Last {
    uint64_t key = 0;
    Socket* s = nullptr;
    Last() = default;
    Last(const Last&) {}
    Last& operator=(const Last&) {
      s = nullptr;
      return *this;
    }
  };
  Last last_;
  // Ends of the eviction order (TableLink), least recently active first. Moved
  // with the table (its nodes move with it); a moved-from table has none.
  struct Ends {
    Socket* head = nullptr;
    Socket* tail = nullptr;
    Ends() = default;
    Ends(Ends&& o) noexcept : head(std::exchange(o.head, nullptr)), tail(std::exchange(o.tail, nullptr)) {}
    Ends& operator=(Ends&& o) noexcept {
      head = std::exchange(o.head, nullptr);
      tail = std::exchange(o.tail, nullptr);
      return *this;
    }
  };
  Ends order_;
  // Change tracking (track_changes): keys changed, keys erased, since the
  // last drain_changes(); resync_: the next drain reads everything.
  bool tracking_ = false, resync_ = false;
  std::vector<uint64_t> changed_, erased_;
  std::unordered_map<uint64_t, uint64_t> by_sk_;  // kernel address -> provisional key
  // Counters read from the kernel's maps can arrive before the ring-buffer
  // records that create their socket: they wait here for it.
  struct Pending {
    uint64_t ts_ns = 0;  // latest update; the wait counts from it
    std::optional<StatsUpdate> stats;
    std::optional<JourneyUpdate> journey;
    std::map<uint32_t, uint64_t> drops;  // reason -> count
    uint64_t entries() const { return (stats ? 1 : 0) + (journey ? 1 : 0) + drops.size(); }
  };
  std::unordered_map<uint64_t, Pending> pending_;
  static constexpr size_t kMaxPendingStats = 65536;
  static constexpr uint64_t kPendingStatsNs = 10ull * 1000 * 1000 * 1000;
  uint64_t next_provisional_ = 0;
  NicTable nics_;
  // (netns, PassWhat) whose first complete pass has been applied: a socket
  // first seen in a later pass is new, one in the first existed before.
  std::set<std::pair<uint32_t, uint8_t>> passed_;
  uint64_t files_end_ns_ = 0;  // when the latest files pass ended
  bool in_gap_ = false;        // events were lost since the last pass end
  std::deque<GapMark> gaps_;
  // What expire() has to do, soonest first: (when, key) of TIME_WAIT
  // sockets by the end of their fixed life, and of closed ones by when
  // they closed. expire() ran three walks over the whole table every
  // second (a tenth of the reader's time under churn, growing with the
  // table); from these it touches only what is due. Entries are checked
  // when taken: a socket that moved on, was erased or re-keyed since has a
  // newer entry (or none is needed).
  using Due = std::pair<uint64_t, uint64_t>;
  using DueQueue = std::priority_queue<Due, std::vector<Due>, std::greater<Due>>;
  DueQueue timewait_due_;
  DueQueue closed_due_;
  // Keys of sockets no pass has shown yet, pruned at every pass end: the
  // only ones besides those it lists that a delta pass can end.
  std::vector<uint64_t> unconfirmed_;
  // Keys of the sockets a files pass end must look at: those held by an
  // fd, those in no table (they live only while an fd holds them) and new
  // ones. The others (TIME_WAIT, closed, and any in a table that no
  // process held at the last files pass) need nothing from it; under churn
  // they are nearly all of a table at its cap, which a walk per files pass
  // (every second while sockets come and go) visited in full.
  std::vector<uint64_t> files_due_;
  void due_files(Socket& s);
};

inline constexpr uint64_t kProvisionalBit = 1ull << 63;
inline bool is_provisional(uint64_t key) { return key & kProvisionalBit; }

template <class F>
bool SocketTable::drain_changes(F&& each) {
  if (!tracking_) return false;
  if (resync_) {
    resync_ = false;
    for (auto& [key, s] : sockets_) s.changed = false;
    changed_.clear();
    erased_.clear();
    return false;
  }
  // erasures first: a key erased and made again is in both, and the
  // socket that holds it now is what counts
  for (uint64_t key : erased_) each(key, static_cast<const Socket*>(nullptr));
  erased_.clear();
  for (uint64_t key : changed_) {
    auto it = sockets_.find(key);
    if (it == sockets_.end()) {
      each(key, static_cast<const Socket*>(nullptr));
      continue;
    }
    it->second.changed = false;
    each(key, static_cast<const Socket*>(&it->second));
  }
  changed_.clear();
  return true;
}

}  // namespace sockscope
