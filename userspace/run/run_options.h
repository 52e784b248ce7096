// What one run of the pipeline needs to know, whoever parsed it: the
// filters, how long, the model's limits, the live source's tuning, and the
// trace files to read or write (tcpdump's -r/-w).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/filter.h"
#include "model/socket_table.h"
#include "source/live_source.h"

namespace sockscope {

struct RunOptions {
  Filter filter;
  std::vector<std::string> states;  // parsed into filter.states
  // ss's filter language: the words after the options, and -F FILE;
  // parsed into filter.ss (cli/filter_expression.cpp)
  std::vector<std::string> filter_words;
  std::string filter_file;
  bool json = false;
  double duration_s = 0;  // 0: until Ctrl-C
  bool duration_set = false;  // given on the command line
  std::string command_line;   // as run, for a trace file's header
  double retention_s = 60;
  size_t max_sockets = 262144;
  uint32_t ringbuf_mb = 8;
  double sample_interval_ms = 10;
  // --sample-interval: seconds between two reads of the kernel's socket
  // tables (the iterator passes); 0: not given (1 s, or top's -d)
  double pass_interval_s = 0;
  std::vector<std::string> detail;  // --detail: "syscalls", "packets", "calls" 
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

// How long `record` keeps a closed socket when --retention is not given.
// Nothing is shown while recording: the model only has to know a socket
// until its last records (its final read, the map reads after it, the pass
// that confirms it is gone) have come, which takes two sample intervals.
// With the views' 60 s, full-speed churn filled the table to its cap with
// closed sockets (500 MB), and the reader, faulting in that memory, fell
// seconds behind the ring and lost events.
inline double record_retention_s(double pass_interval_s) {
  const double interval = pass_interval_s > 0 ? pass_interval_s : 1.0;
  return 2 * interval + 1;
}

}  // namespace sockscope
