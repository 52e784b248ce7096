// When a condition becomes a finding. Every value is a `diagnose` option;
// docs/diagnose/README.md lists them with their defaults and why.
#pragma once

#include <cstdint>

namespace sockscope {

struct Thresholds {
  double unread_s = 3;         // app-not-reading: data queued and no read for this long
  double zero_window_s = 2;    // peer-not-reading: peer's window zero for this long
  double send_blocked_s = 2;   // send-blocked: one send() in the kernel for this long
  double close_wait_s = 5;     // close-wait-leak
  double fin_wait2_s = 5;      // fin-wait2-stuck
  uint64_t refused_min = 1;    // connection-refused: connects refused by one process
  double retrans_per_s = 5;    // retransmit-storm: sustained rate...
  uint64_t retrans_min = 20;   // ...and at least this many in the window
  uint64_t resets_min = 20;    // rst-storm: resets by one process or port in the window
  double resets_per_s = 5;
  uint64_t small_rcvbuf = 65536;  // rcvbuf-limited: SO_RCVBUF set below this
  double napi_exhausted_ratio = 0.3;  // napi-budget-exhausted: share of polls that used the whole budget...
  uint64_t napi_min_polls = 100;      // ...out of at least this many
  double idle_s = 300;                // idle-no-keepalive
  uint64_t fd_growth_min = 20;        // fd-leak: open sockets of one process grew by this much...
  double fd_growth_s = 5;             // ...over at least this long, never falling
};

}  // namespace sockscope
