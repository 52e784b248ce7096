// -w: stores what the Source delivers in a trace file, as the raw records
// the decoder read. With filters, a socket is recorded from its first
// record on once it matches: what it did before (socket(), bind(), options)
// is held back until then, and dropped if it never matches.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/filter.h"
#include "model/socket_table.h"
#include "source/source.h"
#include "trace/writer.h"

namespace sockscope {

class Recording {
 public:
  // command: what was run, kept in the file's header.
  Recording(trace::WriterOptions opts, Source& src, const SocketTable& table, const Filter& filter,
            const std::string& command);
  // For each event, after the model applied it (s: the socket it touched).
  void on_event(const Event& e, const Socket* s);
  // Often, from the event loop: time-based flushes and rotation.
  // after every poll: the hold write_snapshot() set ends once the source
  // has delivered what it asked for (not per event: a virtual call each)
  void tick() {
    writer_.hold_rotation(src_.resending());
    writer_.tick();
  }
  // Writes the end record and closes; then summary() is final.
  void close(uint64_t end_ns) { writer_.close(end_ns); }
  // For stderr: records and bytes written, files, the kernel's losses.
  std::string summary(uint64_t lost_in_kernel, uint64_t end_ns) const;
  const trace::WriterStats& stats() const { return writer_.stats(); }

 private:
  void write_snapshot();
  void hold(uint64_t serial, const RawRecord& raw);
  void release(uint64_t serial);

  Source& src_;
  const SocketTable& table_;
  const Filter& filter_;
  trace::TraceWriter writer_;
  std::string first_path_;
  // records of sockets that do not match the filter (yet), by Socket::serial
  std::unordered_map<uint64_t, std::vector<uint8_t>> held_;
  size_t held_bytes_ = 0;
  uint64_t held_dropped_ = 0;  // not held: over the bounds below
  std::unordered_set<uint64_t> matched_;  // sockets recorded from now on
  uint64_t start_ns_;
};

}  // namespace sockscope
