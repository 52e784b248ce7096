// What the live view shows, copied out of the model at each refresh, so
// drawing never reads the SocketTable while events are applied.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/filter.h"
#include "model/socket.h"
#include "model/socket_table.h"
#include "source/source.h"

namespace sockscope::ui {

// A socket looks stuck after this long with unread data queued, or this
// long in CLOSE_WAIT (until the diagnosis rules can say better).
inline constexpr uint64_t kUnreadStuckNs = 5'000'000'000;
inline constexpr uint64_t kCloseWaitStuckNs = 10'000'000'000;

struct Snapshot {
  struct Row {
    uint64_t key = 0, cookie = 0;
    uint32_t pid = 0;
    int32_t fd = -1;
    std::string comm;  // "-" when the owner is unknown
    std::string proto, local, remote;
    uint16_t local_port = 0, remote_port = 0;
    std::string state;  // as `list` shows it: "(closed)" once gone
    bool closed = false;
    uint64_t age_ns = 0;  // time in the current state
    uint64_t recv_q = 0, send_q = 0;
    double rx_pct = 0, tx_pct = 0;
    uint64_t drops = 0, retransmits = 0;
    std::string rtt;
    std::string stuck;  // why it looks stuck; empty: it does not
  };
  // The selected socket's history, copied only for that one socket.
  struct Detail {
    uint64_t key = 0;
    uint64_t first_seen_ns = 0;
    std::vector<StatePoint> history;
    uint64_t history_dropped = 0;
    std::vector<CallRecord> calls;
    std::vector<NetEvent> net_events;
  };

  std::vector<Row> rows;  // in the model's stable order
  std::optional<Detail> detail;
  std::map<std::string, size_t> by_state;  // over every socket, not only the shown ones
  uint64_t events = 0, lost = 0;
  size_t probes_missing = 0;
  uint64_t now_ns = 0;        // on the events' clock
  int64_t wall_offset_ns = 0;  // add to now_ns for the wall clock
  bool replay = false;         // set by the caller: a trace, not live
  bool replay_ended = false;   // the whole trace has been read
};

// Why a socket looks stuck at now_ns; empty when it does not.
std::string stuck_reason(const Socket& s, uint64_t now_ns);

// filter: the command line's filters (may be null); detail_key: the socket
// whose history to copy (0: none).
Snapshot take(const SocketTable& table, const Source& src, uint64_t now_ns, const Filter* filter = nullptr,
              uint64_t detail_key = 0);

}  // namespace sockscope::ui
