#include "cli/options.h"

#include <algorithm>
#include <fmt/format.h>

#include "cli/validators.h"
#include "model/names.h"
#include "util/user_error.h"

namespace sockscope {

void add_common_options(CLI::App& cmd, RunOptions& o) {
  add_filter_options(cmd, o);
  add_tuning_options(cmd, o);
}

void add_filter_options(CLI::App& cmd, RunOptions& o) {
  auto* f = &o.filter;
  // one value per occurrence (repeat the option for more): the words
  // after it may be an ss filter (`--port 80 state listening`)
  cmd.add_option("-p,--pid", f->pids, "Only sockets owned by this process (repeatable)")
      ->check(whole_between(1, 4194304))  // PID_MAX_LIMIT
      ->allow_extra_args(false);
  cmd.add_option("--comm", f->comms, "Only sockets owned by a process of this name (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--port", f->ports, "Only sockets with this local or remote port (repeatable)")
      ->check(whole_between(1, 65535))
      ->allow_extra_args(false);
  cmd.add_option("--state", o.states,
                 "Only sockets in this state: established, syn-sent, listen, time-wait, close-wait, "
                 "unconn, ... (repeatable)")
      ->allow_extra_args(false);
  cmd.add_flag("-4,--ipv4", f->v4, "Only IPv4 sockets");
  cmd.add_flag("-6,--ipv6", f->v6, "Only IPv6 sockets");
  cmd.add_flag("-t,--tcp", f->tcp, "Only TCP sockets");
  cmd.add_flag("-u,--udp", f->udp, "Only UDP sockets");
  add_expression_options(cmd, o);
}

void add_json_option(CLI::App& cmd, RunOptions& o) { cmd.add_flag("--json", o.json, "JSON output"); }

void add_tuning_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("--retention", o.retention_s, "Seconds a closed socket stays visible (default 60)")
      ->check(seconds_at_least(0));
  cmd.add_option("--max-sockets", o.max_sockets, "Most sockets kept in memory (default 262144)")
      ->check(whole_between(16, double(size_t{1} << 26), "sockets"));
  cmd.add_option("--ringbuf-mb", o.ringbuf_mb, "Kernel ring buffer size in MiB, a power of 2 (default 8)")
      ->check(power_of_two(1, 256, "MiB"));
  cmd.add_option("--sample-interval", o.pass_interval_s,
                 "Seconds between two reads of the kernel's socket tables: how soon a socket's state, queues and "
                 "end are certain (default 1; top: its -d)")
      ->check(seconds_between(0.05, 3600));
  cmd.add_option("--sample-interval-ms", o.sample_interval_ms,
                 "Least time between two queue samples of one socket (default 10)")
      ->check(number({0, 60000, false, false, "ms"}));
  cmd.add_option("--detail", o.detail,
                 "Detail tiers on top of the default (which runs nothing per packet or per syscall), comma-separated: "
                 "'syscalls' (every socket call with its fd and blocking time), 'packets' (queues at every send/recv, "
                 "the receive journey, per-packet device counts), 'calls' (syscalls, plus one record per "
                 "send/recv/read/write). With one -p, only for that process")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"none", "syscalls", "packets", "calls"}));
  auto* nj = cmd.add_flag("--no-journey", o.no_journey,
                          "Do not time received data from the NIC to the socket and to the app (less overhead)");
  cmd.add_option("--journey-rate", o.journey_rate,
                 "Time at most N received packets per second on each CPU for the journey histograms (default "
                 "20000; 0: every packet, the most overhead)")
      ->check(whole_between(0, 100'000'000, "packets per second"))
      ->excludes(nj);
}

CLI::Option* add_read_option(CLI::App& cmd, RunOptions& o) {
  return cmd.add_option("-r,--read", o.read_path, "Read a trace recorded with -w instead of watching live ('-': stdin)");
}

void add_write_options(CLI::App& cmd, RunOptions& o, bool required) {
  auto* w = cmd.add_option("-w,--write", o.write_path,
                           required ? "Record to this trace file (mode 0600)"
                                    : "Also record what is seen to this trace file (mode 0600)");
  if (required) w->required();
  cmd.add_flag("--compress", o.compress, "Compress the trace's blocks with zstd")->needs(w);
  auto* size = cmd.add_option("--rotate-size", o.rotate_bytes,
                              "Start a new file when this one reaches SIZE (e.g. 100M): FILE, FILE1, FILE2 ...")
                   ->transform(CLI::AsSizeValue(false))
                   ->needs(w);
  cmd.add_option("--keep", o.keep, "With --rotate-size: keep only the newest N files")
      ->check(whole_between(1, 1'000'000, "files"))
      ->needs(size);
  cmd.add_option("--flush-interval", o.flush_interval_s,
                 "Seconds between writes to the trace: at most this much is lost on a crash (default 1)")
      ->check(seconds_between(0.01, 3600))
      ->needs(w);
}

void add_speed_option(CLI::App& cmd, RunOptions& o, CLI::Option* read) {
  cmd.add_option("--speed", o.speed,
                 fmt::format("Replay at this many times the recording's pace, {} to {} (default 1; keys [ and ] "
                             "halve and double it)",
                             kMinSpeedOption, kMaxSpeedOption))
      ->needs(read);
}

void finish_options(RunOptions& o) {
  // checked here rather than by CLI11 for a message that says the bounds
  if (!(o.speed >= kMinSpeedOption && o.speed <= kMaxSpeedOption))
    throw UserError(fmt::format("--speed {} is out of range: give {} to {} (times the recording's own pace)",
                                o.speed, kMinSpeedOption, kMaxSpeedOption),
                    2);
  if (o.rotate_bytes && o.rotate_bytes < 65536)
    throw UserError("--rotate-size must be at least 64K: each file holds a header and whole blocks", 2);
  if (!o.read_path.empty() && !o.detail.empty())
    throw UserError("--detail is for live runs: a trace holds what the tiers of its recording saw", 2);
  if (std::find(o.detail.begin(), o.detail.end(), "none") != o.detail.end()) {
    if (o.detail.size() > 1) throw UserError("--detail none cannot be combined with another tier", 2);
    o.detail.clear();
  }
  for (const auto& s : o.states) {
    auto st = parse_state(s);
    if (!st)
      throw UserError(fmt::format("unknown state '{}': use one of established, syn-sent, syn-recv, fin-wait-1, "
                                  "fin-wait-2, time-wait, close, close-wait, last-ack, listen, closing, unconn",
                                  s),
                      2);
    o.filter.states.push_back(*st);
  }
  finish_expression(o);
}

}  // namespace sockscope
