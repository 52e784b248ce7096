// Where events come from: live BPF or a trace file. Everything below a
// Source — the model, views, writers — sees only Events.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/event.h"
#include "model/reason_names.h"
#include "record/decode.h"
#include "record/probe_status.h"
#include "record/raw_record.h"
#include "util/clock.h"

namespace sockscope {

using EventSink = std::function<void(const Event&)>;

class Source {
 public:
  virtual ~Source() = default;
  // Delivers what is available within timeout_ms; false once nothing more
  // will ever come (end of a file).
  virtual bool poll(int timeout_ms, const EventSink& sink) = 0;
  // Delivers everything still buffered; called once before stopping.
  virtual void flush(const EventSink& sink) = 0;
  // CLOCK_REALTIME - CLOCK_MONOTONIC at start, to print wall-clock times.
  virtual int64_t wall_offset_ns() const = 0;
  // The current time on the events' clock: now (live), or the recording's
  // position (a file).
  virtual uint64_t now_ns() const = 0;
  virtual const DecodeStats& decode_stats() const = 0;
  // Names of the drop and reset reason codes in this source's events: the
  // running kernel's (live) or the recording kernel's (a file).
  virtual const ReasonNames& reason_names() const = 0;
  // Which probes attached (live), or had attached (a file).
  virtual const std::vector<ProbeStatus>& probes() const = 0;
  // Time between two reads of the kernel's socket tables (--sample-interval);
  // 0 when unknown (a file recorded before it was kept).
  virtual uint64_t sample_interval_ns() const { return 0; }
  // The undecoded record behind the event being delivered: valid only
  // inside the sink call. A trace writer stores exactly these bytes.
  const RawRecord& current_raw() const { return raw_; }
  // The run ends at ns on the events' clock (--duration): a recording
  // delivers nothing newer, so its window ends at that record, not at the
  // end of the block that crosses it. A live source ends by the clock.
  virtual void end_at(uint64_t ns) { (void)ns; }
  // Makes the next read of the kernel's maps deliver every entry, changed
  // or not, and the next pass a full one (a new trace file must start
  // complete). Nothing for a file.
  virtual void resend_maps() {}
  // Whether what resend_maps() asked for is still to come.
  virtual bool resending() const { return false; }
  // Switches the syscalls detail tier on for one process (off again when
  // it is on for that one); returns what happened, for the user.
  virtual std::string toggle_detail(uint32_t pid) {
    (void)pid;
    return "a recording holds what the tiers of its run saw: detail is switched on live";
  }

 protected:
  // Decodes one raw record and hands its events to sink, with current_raw()
  // set during the first (a state run has several: the record's bytes go
  // with its first step only). scratch_ holds the last one afterwards.
  // Returns the decoded record's status.
  DecodeStatus deliver(RawKind kind, std::span<const uint8_t> bytes, const EventSink& sink, DecodeStats& stats);
  Event scratch_;  // reused: most events need no allocation
  std::vector<Event> more_;

 private:
  RawRecord raw_;
};

}  // namespace sockscope
