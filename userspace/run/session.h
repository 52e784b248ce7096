// What every command runs on: a Source (live BPF, or a trace file with -r),
// the model, and with -w a recording of what the source delivered.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "model/socket_table.h"
#include "run/pipeline.h"
#include "run/recording.h"
#include "run/run_options.h"
#include "source/source.h"

namespace sockscope {

class FileSource;

class Session {
 public:
  // seed: read the sockets that exist already (live only).
  explicit Session(const RunOptions& o, bool seed = true);
  ~Session();

  Source& src() { return *src_; }
  SocketTable& table() { return table_; }
  bool replay() const { return replay_; }
  // The trace being replayed (-r); null live.
  FileSource* file();

  // Runs the pipeline until --duration ends (live; with -r: that much of
  // the recording, and the whole file when it is not given), the file
  // ends, or a stop signal. on_tick runs after every poll of the source.
  void run(const OnEvent& on_event = nullptr, const std::function<void()>& on_tick = nullptr);
  // One slice of the same pipeline, for a caller with its own loop (the
  // live view): polls the source once, waiting at most timeout_ms. False
  // once the source has ended (then flushed); call finish() afterwards.
  bool step(int timeout_ms);
  // What step() calls for every event after the model applied it (the live
  // view's diagnosis); set before the first step, kept across restart().
  void on_step_event(OnEvent f) { step_event_ = std::move(f); }
  // The moment the run ended on the source's clock: what the output shows
  // "now" as, and the recording's end, so a replay shows the same.
  uint64_t end_ns() const { return end_ns_; }
  // Closes the recording and prints the summaries to stderr.
  void finish();
  // Writes the recording's end record and closes it, now rather than in
  // finish() (the live view's intake thread, which owns the session, ends
  // before the terminal is given back). Nothing without -w or when closed.
  void close_recording();

  // A replay over from the file's beginning, with a fresh model (the live
  // view's `0`). Empty when it can be, else why not.
  std::string why_no_restart() const;
  // top's D key: the source switches detail; returns what it did.
  std::string toggle_detail(uint32_t pid) { return src_->toggle_detail(pid); }
  // Reopens the file; throws UserError (and nothing changes) when it cannot.
  void restart();

 private:
  std::function<void()> tick_fn();  // the recording's flushes, if recording
  OnEvent with_recording(const OnEvent& on_event);

  const RunOptions& o_;
  std::unique_ptr<Source> src_;
  SocketTable table_;
  std::unique_ptr<Recording> rec_;
  OnEvent step_event_;
  std::unique_ptr<PipelineStep> stepper_;  // step()'s pipeline, made on first use
  bool replay_ = false;
  bool rec_closed_ = false;
  uint64_t end_ns_ = 0;
};

}  // namespace sockscope
