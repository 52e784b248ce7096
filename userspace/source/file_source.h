// The replay Source: a trace file, read block by block through the same
// decoder the live run used (see raw_record.h). Problems in the file are
// reported on stderr (or to on_warning) and never stop the replay before
// the last readable block.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "source/source.h"
#include "trace/meta.h"

namespace sockscope {

namespace trace {
class TraceReader;
struct ReadReport;
}

class FileSource : public Source {
 public:
  // path "-" reads stdin. Throws UserError with what to do when the file
  // cannot be opened, is not a sockscope trace, is from a newer format or
  // kernel ABI, or its header is corrupt.
  explicit FileSource(const std::string& path);
  ~FileSource() override;

  // Delivers the records of one block; false at the end of the file.
  // Records newer than set_until()'s limit are held back, in order.
  bool poll(int timeout_ms, const EventSink& sink) override;
  void flush(const EventSink&) override {}
  int64_t wall_offset_ns() const override;
  // The recording's position: the newest timestamp read so far, or the
  // moment the recording ended once its end record is read.
  uint64_t now_ns() const override { return now_; }
  const DecodeStats& decode_stats() const override { return decode_; }
  const ReasonNames& reason_names() const override;
  const std::vector<ProbeStatus>& probes() const override;
  uint64_t sample_interval_ns() const override;

  const trace::Meta& meta() const;
  // Whether the recording's end record was read (false: cut short).
  bool complete() const { return ended_; }
  // Paces a replay (top -r): poll() delivers no record newer than ns and
  // holds the first such record (and all after it) for a later poll once
  // the limit has moved on; nothing is lost or reordered. While holding,
  // now_ns() is the limit: the recording is known to have reached it.
  // The default, kNoLimit, reads everything as it comes.
  static constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
  void set_until(uint64_t ns) { until_ = ns; }
  void end_at(uint64_t ns) override { set_until(ns); }
  // Whether a record is held back by the limit: the reader has caught up.
  bool holding() const { return !held_.empty(); }
  const trace::ReadReport& report() const;
  // Where each warning goes; stderr ("sockscope: FILE: …") by default.
  void on_warning(std::function<void(const std::string&)> f);

 private:
  struct Held {
    uint16_t kind;
    std::vector<uint8_t> bytes;  // a copy: a block's views die at the next read
  };
  // Handles one record unless it is newer than until_ (then false).
  bool take(uint16_t kind, std::span<const uint8_t> bytes, const EventSink& sink);

  std::unique_ptr<trace::TraceReader> reader_;
  std::string name_;
  std::function<void(const std::string&)> warn_;
  DecodeStats decode_;
  uint64_t now_ = 0;
  bool ended_ = false;
  bool done_ = false;
  uint64_t until_ = kNoLimit;
  std::deque<Held> held_;  // records held back by until_, oldest first
};

}  // namespace sockscope
