// The loop every command runs: Source -> SocketTable -> a per-event
// callback, until the duration ends, the source ends, or a stop signal.
#pragma once

#include <functional>
#include <string>

#include "model/socket_table.h"
#include "source/source.h"
#include "util/heap_trim.h"

namespace sockscope {

using OnEvent = std::function<void(const Event&, const Socket*)>;

// One slice of the loop: polls the source once and applies what it
// delivers, so a caller with its own loop (the live view) runs exactly the
// code run_pipeline runs.
class PipelineStep {
 public:
  PipelineStep(Source& src, SocketTable& table, OnEvent on_event, std::function<void()> on_tick);
  // Waits at most timeout_ms; false once nothing more will come (end of a file).
  bool step(int timeout_ms);
  // Delivers what the source still buffers; once, before stopping.
  void flush();

 private:
  Source& src_;
  SocketTable& table_;
  OnEvent on_event_;
  std::function<void()> on_tick_;
  EventSink sink_;
  uint64_t last_expire_;
  HeapTrim trim_;
};

// on_tick, if given, runs after every poll of the source (at least every 50 ms).
void run_pipeline(Source& src, SocketTable& table, double duration_s, const OnEvent& on_event,
                  const std::function<void()>& on_tick = nullptr);

// "sockscope: events=… lost=… (ringbuf=… …) …" for stderr at exit.
std::string summary_line(const SocketTable& table, const DecodeStats& d);

}  // namespace sockscope
