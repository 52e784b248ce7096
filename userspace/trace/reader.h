// Reads a trace file block by block, trusting no byte: every length is
// bounded before anything is allocated, every block is checked against its
// checksum. A damaged block is reported and skipped; a file cut short reads
// up to its last complete block and says where it stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "record/raw_record.h"
#include "trace/meta.h"
#include "util/fd.h"

namespace sockscope::trace {

// The file cannot be read at all: not a trace, a newer format, a corrupt
// header. what() is the message for the user.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RecordView {
  uint16_t kind = 0;  // RawKind, or a kind from a newer writer
  std::span<const uint8_t> bytes;
};

struct ReadReport {
  uint64_t blocks = 0, records = 0;
  uint64_t blocks_skipped = 0;  // damaged: checksum, decompression, layout
  uint64_t bytes_skipped = 0;   // passed over to find the next block
  uint64_t unknown_records = 0; // kinds this version does not know
  bool cut_short = false;       // the file ends inside a block
  uint64_t offset = 0;          // bytes consumed so far
};

class TraceReader {
 public:
  // Takes ownership of fd. name is used in messages. Reads and checks the
  // header; throws TraceError.
  TraceReader(int fd, std::string name);
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  const Meta& meta() const { return meta_; }
  uint16_t format_version() const { return format_version_; }
  uint16_t abi_version() const { return abi_version_; }

  // The records of the next readable block (views valid until the next
  // call); false at the end of the file or where it stops being readable.
  bool next(std::vector<RecordView>& out);
  void on_warning(std::function<void(const std::string&)> f) { warn_ = std::move(f); }
  const ReadReport& report() const { return report_; }

 private:
  size_t fill(size_t want);  // bytes available from pos_ on, reading up to want
  void consume(size_t n);
  bool resync();             // to the next valid block header; false at the end
  bool header_ok(const uint8_t* p) const;
  void warn(const std::string& msg);

  Fd fd_;  // a member, so a constructor that throws still closes it
  std::string name_;
  Meta meta_;
  uint16_t format_version_ = 0, abi_version_ = 0;
  std::vector<uint8_t> buf_;  // window over the file
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  std::vector<uint8_t> raw_;  // a decompressed payload
  uint32_t next_seq_ = 0;
  ReadReport report_;
  std::function<void(const std::string&)> warn_;
};

}  // namespace sockscope::trace
