// What the diagnosis needs beyond the model's current state: how long a
// condition has held, counters at the window's start, and per-process
// and per-port tallies. Fed every event after the model applied it, so a
// live run and the replay of its recording build the same state.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "model/socket_table.h"

namespace sockscope {

class DiagnosisTracker {
 public:
  // How long a condition has held: since when, and the largest value seen.
  struct Spell {
    uint64_t since_ns = 0;  // 0: not holding now
    uint64_t peak = 0;
  };
  struct Tally {
    uint64_t count = 0, first_ns = 0, last_ns = 0;
    uint32_t pid = 0;
    std::string comm;
    void add(uint64_t ts, uint64_t n = 1);
    void name(const Socket& owner);  // pid and comm of the socket's owner
  };
  struct PerSocket {
    uint64_t first_ns = 0;            // first event in the window
    Tally retransmits;                // retransmit records, with the ones throttled away
    Spell rx_queued;                  // receive queue non-empty
    Spell zero_window;                // the peer advertises a zero window, data waits to go
    Spell accept_full;                // a listener's accept queue full
    uint64_t rx_queue_at_start = 0;   // to tell a queue that keeps growing
    uint64_t refused_ns = 0;          // a connect answered by RST / ECONNREFUSED
    // The kernel's sk_drops at the first read in the window: a listener
    // counts its listen drops there, as TcpExtListenDrops does for the
    // host, so the rise is this listener's share. A socket made in the
    // window (its socket() or listen() seen) starts from 0 instead: a
    // pass may read it before its creation's records are applied.
    uint64_t sk_drops_at_start = 0;
    bool sk_drops_known = false;
    bool made_in_window = false;
  };
  struct OpenCount {
    uint64_t ts_ns;
    uint32_t open;
  };

  explicit DiagnosisTracker(const SocketTable& table) : table_(table) {}

  // After table.apply(e); s is the socket it touched, or null.
  void observe(const Event& e, const Socket* s);

  uint64_t start_ns() const { return start_ns_; }
  uint64_t last_ns() const { return last_ns_; }
  // By Socket::serial (stable across the key change from provisional to cookie).
  const PerSocket* socket(uint64_t serial) const;
  const std::map<uint32_t, Tally>& resets_by_pid() const { return resets_by_pid_; }
  // (netns, local port) -> resets sent or received there, any socket or none.
  const std::map<std::pair<uint32_t, uint16_t>, Tally>& resets_by_port() const { return resets_by_port_; }
  const std::map<uint32_t, Tally>& refused_by_pid() const { return refused_by_pid_; }
  // Per process with sockets open now: its open sockets, sampled once per
  // second of the events' clock.
  const std::map<uint32_t, std::vector<OpenCount>>& open_by_pid() const { return open_by_pid_; }
  // A listener's accepts (by its cookie): a successful accept() is recorded
  // on the socket it returns, with the listener's cookie in arg1.
  const Tally* accepts(uint64_t listener_cookie) const;
  // The listener an accepted socket came from (by the accepted socket's
  // serial); 0 when not accepted while watching.
  uint64_t listener_of(uint64_t serial) const;
  // Device counters at their first sighting in the window.
  const std::map<DevKey, DevCounters>& devices_at_start() const { return dev_start_; }

 private:
  void sample_open(uint64_t ts_ns);
  void track(const Socket& s, uint64_t ts_ns);
  void refused(const Socket& s, uint64_t ts_ns);

  const SocketTable& table_;
  uint64_t start_ns_ = 0, last_ns_ = 0, next_sample_ns_ = 0, samples_ = 0;
  std::unordered_map<uint64_t, PerSocket> sockets_;
  std::map<uint32_t, Tally> resets_by_pid_, refused_by_pid_;
  std::map<std::pair<uint32_t, uint16_t>, Tally> resets_by_port_;
  std::map<uint32_t, std::vector<OpenCount>> open_by_pid_;
  std::map<DevKey, DevCounters> dev_start_;
  std::unordered_map<uint64_t, Tally> accepts_;           // listener cookie -> accepts
  std::unordered_map<uint64_t, uint64_t> listener_of_;    // accepted serial -> listener cookie
};

}  // namespace sockscope
