// What the live view shows, copied out of the model at each refresh, so
// drawing never reads the SocketTable while events are applied (the view
// draws on its own thread; see top.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diagnosis/diagnose.h"
#include "model/filter.h"
#include "model/nic_table.h"
#include "model/reason_names.h"
#include "model/socket.h"
#include "model/socket_table.h"
#include "source/source.h"

namespace sockscope::ui {

// A socket looks stuck after this long with unread data queued, or this
// long in CLOSE_WAIT (until the diagnosis rules can say better).
inline constexpr uint64_t kUnreadStuckNs = 5'000'000'000;
inline constexpr uint64_t kCloseWaitStuckNs = 10'000'000'000;

// Samples kept per device for the NIC view's sparklines (one per refresh).
inline constexpr size_t kNicHistory = 60;

struct Snapshot {
  struct Row {
    uint64_t key = 0, cookie = 0;
    uint32_t pid = 0;
    int32_t fd = -1;
    std::string comm;  // "-" when the owner is unknown
    std::string proto, local, remote;
    uint16_t local_port = 0, remote_port = 0;
    std::string state;  // as `list` shows it: "(closed)" once gone
    TcpState tcp_state = TcpState::Close;  // the kernel's; UDP: CLOSE unconnected, ESTABLISHED connected
    bool closed = false;
    uint64_t closed_ago_ns = 0;  // closed: how long ago (it fades, then leaves)
    uint64_t age_ns = 0;         // time in the current state
    bool age_known = true;       // false: in it since before start-up, for how long unknown
    // what the two ages are counted from (set_ages()): a row kept between
    // refreshes ages without being made again
    uint64_t state_since_ns = 0, closed_at_ns = 0;
    // (protocol, local port, remote port): with key, the model's stable order
    uint64_t order = 0;
    uint64_t recv_q = 0, send_q = 0;
    double rx_pct = 0, tx_pct = 0;  // against rcvbuf/sndbuf (listeners: accept queue/backlog)
    uint64_t bytes_sent = 0, bytes_received = 0;
    bool bytes_known = true;  // false: not measured by the tiers in force (UDP without --detail packets)
    double rx_rate = -1, tx_rate = -1;  // bytes/s since the last snapshot; <0: not known yet
    uint64_t drops = 0, retransmits = 0;
    std::string rtt;
    uint32_t cwnd = 0;  // segments; 0: not measured (or not TCP)
    std::string stuck;  // why it looks stuck; empty: it does not
  };
  // The selected socket, copied whole only for that one socket.
  struct Detail {
    Socket sock;
    std::string cgroup;  // live: from /proc; empty when not known
    std::vector<Finding> findings;  // the diagnosis rules' findings for this socket, most severe first
    std::vector<GapMark> gaps;      // events lost while it lived: its timeline may miss some
  };
  struct NicRow {
    Nic nic;
    // per second since the last snapshot; <0: not known yet
    double rx_pps = -1, rx_bps = -1, tx_pps = -1, tx_bps = -1;
    double polls_ps = -1, exhausted_ps = -1, drops_ps = -1;  // drops: the device path's (socket_level_drop: not)
    std::vector<double> rx_bps_history, tx_bps_history;  // oldest first, at most kNicHistory
  };

  std::vector<Row> rows;  // in the model's stable order
  std::optional<Detail> detail;
  std::vector<NicRow> nics;                // by netns, then ifindex
  Softnet softnet;                         // host-wide: the receive softirq's time_squeeze per CPU
  double squeeze_ps = -1;                  // softnet.total per second since the last snapshot; <0: not known yet
  // over the sockets the command line's filter passes, not only those the `/` filter shows
  std::map<std::string, size_t> by_state;
  uint64_t events = 0;
  double events_per_s = -1;  // since the last snapshot; <0: not known yet
  uint64_t lost_kernel = 0;  // ring buffer full, maps full (LostKind)
  uint64_t lost_user = 0;    // records rejected by the decoder, sockets evicted for room, unmatched counters
  std::vector<std::string> missing_probes;  // their names
  std::string tiers = "default";             // the tiers attached: "default", "default+syscalls", ...
  ReasonNames reasons;                     // drop / reset reason names of the source
  uint64_t now_ns = 0;                     // on the events' clock
  int64_t wall_offset_ns = 0;              // add to now_ns for the wall clock
  uint64_t retention_ns = 0;               // how long closed sockets stay
  // Replay (set by the caller): a trace, not live.
  bool replay = false;
  bool replay_ended = false;  // the whole trace has been read
  bool paused = false;
  double speed = 1;
  uint64_t replay_start_ns = 0, replay_end_ns = 0;  // the recording's span; end 0: not known
};

// Why a socket looks stuck at now_ns; empty when it does not.
std::string stuck_reason(const Socket& s, uint64_t now_ns);

// filter: the command line's filters (may be null); detail_key: the socket
// to copy whole (0: none); live: the sockets are this host's (cgroups can
// be read from /proc); tracker: when given, the diagnosis rules run and
// their findings flag the rows (Row::stuck) instead of the interim
// heuristic of stuck_reason().
Snapshot take(const SocketTable& table, const Source& src, uint64_t now_ns, const Filter* filter = nullptr,
              uint64_t detail_key = 0, bool live = false, const DiagnosisTracker* tracker = nullptr);

// A snapshot without its rows (and by_state): the selected socket, the
// devices, the counters, probes and times. take() adds the rows; the live
// view adds those that changed (row_delta.h).
Snapshot take_rest(const SocketTable& table, const Source& src, uint64_t now_ns, uint64_t detail_key = 0,
                   bool live = false);

// The diagnosis rules' findings at snap.now_ns, with default thresholds,
// for the sockets filter admits; the selected socket's (snap.detail) are
// copied into it.
std::vector<Finding> view_findings(const SocketTable& table, const DiagnosisTracker& tracker, Snapshot& snap,
                                   const Filter* filter);

// The selected socket's detail (snapshot_detail.cpp): a copy of it, and its
// cgroup when live.
std::optional<Snapshot::Detail> take_detail(const SocketTable& table, uint64_t key, bool live);

}  // namespace sockscope::ui
