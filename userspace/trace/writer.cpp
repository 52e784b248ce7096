#include "trace/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "trace/format.h"
#include "util/clock.h"
#include "util/user_error.h"

namespace sockscope::trace {

void check_can_create(const std::string& path) {
  auto fail = [&](const std::string& why) {
    throw UserError(fmt::format("cannot create the trace file {}: {}", path, why));
  };
  // built, not assigned: g++ 12 at -O3 warns (-Wrestrict, falsely) on
  // assigning a literal here
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    fail(errno == ENOENT ? fmt::format("the directory {} does not exist", dir)
                         : fmt::format("{}: {}", dir, std::strerror(errno)));
  if (!S_ISDIR(st.st_mode)) fail(fmt::format("{} is not a directory", dir));
  // as open() will judge it: the effective ids, and a read-only mount (EROFS)
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail("it is a directory");
    if (faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0)
      fail(fmt::format("it cannot be written: {}", std::strerror(errno)));
  } else if (faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    fail(fmt::format("the directory {} cannot be written: {}", dir, std::strerror(errno)));
  }
}

TraceWriter::TraceWriter(WriterOptions opts, Meta meta) : opts_(std::move(opts)), meta_(std::move(meta)) {
  if (opts_.block_bytes < 4096 || opts_.block_bytes > kMaxBlockRaw) opts_.block_bytes = 1u << 20;
  block_.reserve(opts_.block_bytes);
  open_next();
}

TraceWriter::~TraceWriter() {
  if (closed_ || fd_ < 0) return;
  try {
    write_block();
  } catch (...) {  // a destructor cannot report: close() is the checked path
  }
  ::close(fd_);
}

void TraceWriter::open_next() {
  uint32_t index = stats_.files;
  path_ = index == 0 ? opts_.path : opts_.path + std::to_string(index);
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw UserError(fmt::format("cannot create the trace file {}: {} (check that the directory exists and is "
                                "writable)",
                                path_, std::strerror(errno)));
  // an existing file keeps its mode through O_TRUNC: traces hold addresses
  // and process names, so they are for root's eyes only
  if (fchmod(fd, 0600) != 0) {
    int err = errno;
    ::close(fd);
    throw UserError(fmt::format("cannot make {} private (mode 0600): {}", path_, std::strerror(err)));
  }
  fd_ = fd;
  ++stats_.files;
  files_.push_back(path_);
  file_bytes_ = 0;
  seq_ = 0;
  meta_.file_index = index;
  if (index > 0) meta_.start_ns = now();

  std::string meta = meta_to_json(meta_);
  if (meta.size() > kMaxMetaLen) throw UserError("trace metadata too large");  // a bug, not the user's
  FileHeader h{};
  std::memcpy(h.magic, kFileMagic.data(), sizeof(h.magic));
  h.format_version = kFormatVersion;
  h.abi_version = SS_ABI_VERSION;
  h.meta_len = uint32_t(meta.size());
  h.meta_crc = crc32_of(meta.data(), meta.size());
  h.header_crc = crc32_of(&h, offsetof(FileHeader, header_crc));
  write_all(&h, sizeof(h));
  write_all(meta.data(), meta.size());
}

void TraceWriter::write(RawKind kind, std::span<const uint8_t> bytes) {
  size_t need = sizeof(RecordHeader) + bytes.size();
  if (need > kMaxBlockRaw) throw std::logic_error("trace record larger than a block");
  // A file never grows past --rotate-size: when the block this record
  // would join (its header, and the end block a rotation adds) would not
  // fit, the file ends here. Sizes are before compression, so a
  // compressed file stops short of the size rather than past it. A new
  // file's first records (the snapshot) always go in.
  if (opts_.rotate_bytes && !rotating_ && !hold_ && file_has_data_) {
    constexpr size_t kEndBlock = sizeof(BlockHeader) + sizeof(RecordHeader) + sizeof(RawEnd);
    if (file_bytes_ + sizeof(BlockHeader) + block_.size() + need + kEndBlock > opts_.rotate_bytes) {
      write_block();
      rotate();
    }
  }
  if (!rotating_) file_has_data_ = true;
  if (!block_.empty() && block_.size() + need > opts_.block_bytes) write_block();
  if (block_.empty()) block_started_ns_ = now();
  RecordHeader r{uint16_t(kind), 0, uint32_t(bytes.size())};
  const auto* p = reinterpret_cast<const uint8_t*>(&r);
  block_.insert(block_.end(), p, p + sizeof(r));
  block_.insert(block_.end(), bytes.begin(), bytes.end());
  ++block_records_;
  ++stats_.records;
}

uint64_t TraceWriter::now() const { return opts_.clock ? opts_.clock() : monotonic_ns(); }

void TraceWriter::tick() {
  // the first block at once: what the file is for (the sockets as they
  // were at the start) should not wait a flush interval, nor fill 1 MiB
  const bool first = seq_ == 0;
  if (!block_.empty() && (first || now() - block_started_ns_ >= opts_.flush_interval_ns)) write_block();
  if (opts_.rotate_bytes && !hold_ && file_has_data_ && file_bytes_ >= opts_.rotate_bytes) rotate();
}

void TraceWriter::rotate() {
  rotating_ = true;
  write_end(now());  // each file of a rotation ends as a finished recording does
  ::close(fd_);
  fd_ = -1;
  open_next();
  if (opts_.keep && files_.size() > opts_.keep) {
    // oldest first; a file someone removed already is not an error
    if (::unlink(files_.front().c_str()) == 0) ++stats_.removed;
    files_.erase(files_.begin());
  }
  if (on_new_file_) on_new_file_();
  rotating_ = false;
  file_has_data_ = false;
}

void TraceWriter::write_end(uint64_t ts_ns) {
  std::vector<uint8_t> end;
  encode_end(end, ts_ns);
  write(RawKind::End, end);
  write_block();
}

void TraceWriter::write_block() {
  if (block_.empty()) return;
  BlockHeader h{};
  h.magic = kBlockMagic;
  h.raw_len = uint32_t(block_.size());
  h.records = block_records_;
  h.seq = seq_++;
  std::span<const uint8_t> payload = block_;
  if (opts_.compress) {
    zbuf_.resize(ZSTD_compressBound(block_.size()));
    size_t n = ZSTD_compress(zbuf_.data(), zbuf_.size(), block_.data(), block_.size(), 3);
    // stored as is when zstd fails or does not help
    if (!ZSTD_isError(n) && n < block_.size()) {
      h.flags |= kBlockZstd;
      payload = std::span<const uint8_t>(zbuf_.data(), n);
    }
  }
  h.stored_len = uint32_t(payload.size());
  h.payload_crc = crc32_of(payload.data(), payload.size());
  h.header_crc = crc32_of(&h, offsetof(BlockHeader, header_crc));
  write_all(&h, sizeof(h));
  write_all(payload.data(), payload.size());
  // start writeback now without waiting for it: a crash of the host then
  // loses little more than a crash of the process
  sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
  ++stats_.blocks;
  block_.clear();
  block_records_ = 0;
}

void TraceWriter::write_all(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  while (n) {
    ssize_t w = ::write(fd_, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw UserError(fmt::format("writing the trace file {} failed: {}", path_,
                                  w < 0 ? std::strerror(errno) : "nothing written"));
    b += w;
    n -= size_t(w);
    file_bytes_ += uint64_t(w);
    stats_.bytes += uint64_t(w);
  }
}

void TraceWriter::close(uint64_t end_ns) {
  if (closed_) return;
  write_end(end_ns);
  closed_ = true;
  if (::close(fd_) != 0)
    throw UserError(fmt::format("closing the trace file {} failed: {}", path_, std::strerror(errno)));
  fd_ = -1;
}

}  // namespace sockscope::trace
