// The replay Source: a trace file, read block by block through the same
// decoder the live run used (see raw_record.h). Problems in the file are
// reported on stderr (or to on_warning) and never stop the replay before
// the last readable block.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "../trace/meta.h"
#include "source.h"

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
  bool poll(int timeout_ms, const EventSink& sink) override;
  void flush(const EventSink&) override {}
  int64_t wall_offset_ns() const override;
  // The recording's position: the newest timestamp read so far, or the
  // moment the recording ended once its end record is read.
  uint64_t now_ns() const override { return now_; }
  const DecodeStats& decode_stats() const override { return decode_; }
  const ReasonNames& reason_names() const override;
  const std::vector<ProbeStatus>& probes() const override;

  const trace::Meta& meta() const;
  // Whether the recording's end record was read (false: cut short).
  bool complete() const { return ended_; }
  const trace::ReadReport& report() const;
  // Where each warning goes; stderr ("sockscope: FILE: …") by default.
  void on_warning(std::function<void(const std::string&)> f);

 private:
  std::unique_ptr<trace::TraceReader> reader_;
  std::string name_;
  std::function<void(const std::string&)> warn_;
  DecodeStats decode_;
  uint64_t now_ = 0;
  bool ended_ = false;
  bool done_ = false;
};

}  // namespace sockscope
