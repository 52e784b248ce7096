// `sockscope diagnose`'s options: the usual filters and sources, and one
// option per threshold (docs/diagnose/README.md explains each).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/validators.h"

namespace sockscope {

CLI::App* add_diagnose_command(CLI::App& app, DiagnoseOptions& o, CLI::Option*& duration) {
  o.common.duration_s = 10;
  auto* cmd = app.add_subcommand("diagnose", "Watch for a while (or read a trace), then name what looks stuck: the "
                                             "socket, the process, the cause and the evidence. Exit 1 when "
                                             "something is found");
  add_common_options(*cmd, o.common);
  add_json_option(*cmd, o.common);
  add_read_option(*cmd, o.common);
  add_write_options(*cmd, o.common, false);
  duration = cmd->add_option("--duration", o.common.duration_s,
                             "Seconds to watch (default 10; with -r: the whole file)")
                 ->check(seconds_above_zero());
  Thresholds& t = o.thresholds;
  const char* g = "Thresholds";
  auto num = [&](const char* name, auto& v, const char* what) {
    cmd->add_option(name, v, fmt::format("{} (default {})", what, v))->group(g)->check(not_negative());
  };
  num("--unread", t.unread_s, "app-not-reading: seconds with data queued and no read");
  num("--zero-window", t.zero_window_s, "peer-not-reading: seconds of a zero window with data waiting");
  num("--send-blocked", t.send_blocked_s, "send-blocked: seconds one send() stays in the kernel");
  num("--close-wait", t.close_wait_s, "close-wait-leak: seconds in CLOSE_WAIT");
  num("--fin-wait2", t.fin_wait2_s, "fin-wait2-stuck: seconds in FIN_WAIT2");
  num("--refused", t.refused_min, "connection-refused: refused connects by one process to one place");
  num("--retrans-rate", t.retrans_per_s, "retransmit-storm: retransmitted segments per second");
  num("--retrans-min", t.retrans_min, "retransmit-storm: at least this many in the window");
  num("--resets-min", t.resets_min, "rst-storm: resets by one process or port in the window");
  num("--resets-rate", t.resets_per_s, "rst-storm: resets per second");
  num("--small-rcvbuf", t.small_rcvbuf, "rcvbuf-limited: an SO_RCVBUF below this many bytes is small");
  num("--napi-ratio", t.napi_exhausted_ratio, "napi-budget-exhausted: share of polls using the whole budget");
  num("--napi-polls", t.napi_min_polls, "napi-budget-exhausted: out of at least this many polls");
  num("--idle", t.idle_s, "idle-no-keepalive: seconds without data");
  num("--fd-growth", t.fd_growth_min, "fd-leak: growth in one process's open sockets");
  num("--fd-growth-time", t.fd_growth_s, "fd-leak: over at least this many seconds");
  return cmd;
}

}  // namespace sockscope
