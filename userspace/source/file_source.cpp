#include "source/file_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

#include "trace/reader.h"
#include "util/user_error.h"

namespace sockscope {
namespace {

// Exit status for a trace that cannot be read: like a bad option, the
// user's input is at fault.
constexpr int kBadInput = 2;

int open_input(const std::string& path) {
  if (path == "-") return dup(STDIN_FILENO);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError(fmt::format("cannot open the trace file {}: {}", path, std::strerror(errno)), kBadInput);
  return fd;
}

}  // namespace

FileSource::FileSource(const std::string& path) {
  std::string name = path == "-" ? "stdin" : path;
  try {
    reader_ = std::make_unique<trace::TraceReader>(open_input(path), name);
  } catch (const trace::TraceError& e) {
    throw UserError(e.what(), kBadInput);
  }
  // Versions 4 to 6 only added record types (sockets from iterator
  // passes and fds held; state runs; a socket's end): version 3 files
  // decode unchanged.
  constexpr uint16_t kOldestAbi = 3;
  if (reader_->abi_version() < kOldestAbi || reader_->abi_version() > SS_ABI_VERSION)
    throw UserError(fmt::format("{} holds kernel records of ABI version {}; this sockscope decodes versions {} to {}: "
                                "open it with the sockscope version that recorded it",
                                name, reader_->abi_version(), kOldestAbi, SS_ABI_VERSION),
                    kBadInput);
  name_ = name;
  on_warning([](const std::string& m) { std::cerr << "sockscope: " << m << std::endl; });
  now_ = reader_->meta().start_ns;
}

FileSource::~FileSource() = default;

void FileSource::on_warning(std::function<void(const std::string&)> f) {
  warn_ = f;
  reader_->on_warning(std::move(f));
}

const trace::ReadReport& FileSource::report() const { return reader_->report(); }
const trace::Meta& FileSource::meta() const { return reader_->meta(); }
int64_t FileSource::wall_offset_ns() const { return reader_->meta().wall_offset_ns; }
const ReasonNames& FileSource::reason_names() const { return reader_->meta().reasons; }
const std::vector<ProbeStatus>& FileSource::probes() const { return reader_->meta().probes; }
uint64_t FileSource::sample_interval_ns() const { return reader_->meta().sample_interval_ns; }

bool FileSource::poll(int, const EventSink& sink) {
  if (!held_.empty()) {
    // what the limit held back comes first; the next block waits for a
    // later poll, as a block read does
    while (!held_.empty() && take(held_.front().kind, held_.front().bytes, sink)) held_.pop_front();
    return true;
  }
  if (done_) return false;
  std::vector<trace::RecordView> recs;
  if (!reader_->next(recs)) {
    done_ = true;
    const auto& r = reader_->report();
    if (!ended_ && !r.cut_short)
      warn_(fmt::format("{}: the recording has no end record (the recorder was killed?): read all {} blocks, "
                        "up to byte {}",
                        name_, r.blocks, r.offset));
    return false;
  }
  for (size_t i = 0; i < recs.size(); ++i) {
    if (take(recs[i].kind, recs[i].bytes, sink)) continue;
    for (; i < recs.size(); ++i) held_.push_back({recs[i].kind, {recs[i].bytes.begin(), recs[i].bytes.end()}});
  }
  return true;
}

bool FileSource::take(uint16_t kind, std::span<const uint8_t> bytes, const EventSink& sink) {
  if (until_ != kNoLimit) {
    uint64_t ts = raw_ts(kind, bytes);  // 0, never held back, when it has none
    if (ts > until_) {
      now_ = std::max(now_, until_);
      return false;
    }
  }
  if (kind == uint16_t(RawKind::End)) {
    if (bytes.size() == sizeof(RawEnd)) {
      RawEnd e;
      std::memcpy(&e, bytes.data(), sizeof(e));
      now_ = std::max(now_, e.ts_ns);
      ended_ = true;
    } else {
      ++decode_.malformed;
      decode_.last_error = fmt::format("end record of {} bytes, expected {}", bytes.size(), sizeof(RawEnd));
    }
    return true;
  }
  // a kind from a newer writer is counted as unknown by the decoder, and skipped
  if (deliver(RawKind(kind), bytes, sink, decode_) == DecodeStatus::Ok) now_ = std::max(now_, event_ts(scratch_));
  return true;
}

}  // namespace sockscope
