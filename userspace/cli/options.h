// Options shared by the commands, and their parsing (CLI11).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "../model/filter.h"
#include "../model/socket_table.h"
#include "../source/live_source.h"

namespace sockscope {

struct CommonOptions {
  Filter filter;
  std::vector<std::string> states;  // parsed into filter.states
  bool json = false;
  double duration_s = 0;  // 0: until Ctrl-C
  bool duration_set = false;  // given on the command line
  std::string command_line;   // as run, for a trace file's header
  double retention_s = 60;
  size_t max_sockets = 262144;
  uint32_t ringbuf_mb = 8;
  double sample_interval_ms = 10;
  std::string detail;  // "calls": one record per data syscall
  bool no_journey = false;  // skip the per-packet receive timing
  uint32_t journey_rate = 20000;  // most received packets timed per second per CPU; 0: all
  // trace files, tcpdump style
  std::string read_path;   // -r: replay this trace instead of watching live
  std::string write_path;  // -w: record to this trace
  bool compress = false;   // --compress: zstd blocks
  uint64_t rotate_bytes = 0;  // --rotate-size
  uint32_t keep = 0;          // --keep
  double flush_interval_s = 1;
  double speed = 1;  // --speed (top -r): the replay's pace, times the recording's own

  TableLimits limits() const;
  LiveOptions live() const;
};

// Adds the ss-style filters and the tuning options to a subcommand.
void add_common_options(CLI::App& cmd, CommonOptions& o);
// Only the socket filters, or only --json and the tuning options (for
// commands that show no sockets).
void add_filter_options(CLI::App& cmd, CommonOptions& o);
void add_tuning_options(CLI::App& cmd, CommonOptions& o);
// -r FILE (replay) and -w FILE (record as well), tcpdump style.
CLI::Option* add_read_option(CLI::App& cmd, CommonOptions& o);
void add_write_options(CLI::App& cmd, CommonOptions& o, bool required);
// --speed X for a paced replay (top): needs read, the -r option.
void add_speed_option(CLI::App& cmd, CommonOptions& o, CLI::Option* read);
inline constexpr double kMinSpeedOption = 0.1, kMaxSpeedOption = 1000;
// Turns option strings into values; throws UserError (exit 2) on bad ones.
void finish_options(CommonOptions& o);

}  // namespace sockscope
