#include "trace/reader.h"

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "trace/format.h"

namespace sockscope::trace {
namespace {

// The most a block can occupy in the file: the zstd bound of the largest
// payload (stored raw it is smaller still).
constexpr size_t kMaxStored = ZSTD_COMPRESSBOUND(kMaxBlockRaw);
constexpr size_t kReadChunk = 64 * 1024;

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

TraceReader::TraceReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
  size_t n = fill(sizeof(FileHeader));
  const uint8_t* p = buf_.data() + pos_;
  if (n < kFileMagic.size() || std::memcmp(p, kFileMagic.data(), kFileMagic.size()) != 0)
    throw TraceError(fmt::format("{} is not a sockscope trace: it does not start with the trace file's magic bytes "
                                 "(record one with 'sockscope record -w FILE')",
                                 name_));
  if (n < sizeof(FileHeader))
    throw TraceError(fmt::format("{} ends inside the trace header ({} bytes): nothing to read", name_, n));
  auto h = load<FileHeader>(p);
  if (!crc_ok(h.header_crc, p, offsetof(FileHeader, header_crc)))
    throw TraceError(fmt::format("{}: the trace header is corrupt (checksum mismatch): the file cannot be read", name_));
  if (h.format_version > kFormatVersion)
    throw TraceError(fmt::format("{} was written by a newer sockscope (trace format {}); this sockscope reads "
                                 "format {} and older: open it with a newer sockscope",
                                 name_, h.format_version, kFormatVersion));
  if (h.format_version == 0)
    throw TraceError(fmt::format("{}: the trace header is corrupt (format version 0)", name_));
  if (h.meta_len > kMaxMetaLen)
    throw TraceError(fmt::format("{}: the trace header is corrupt (metadata of {} bytes)", name_, h.meta_len));
  format_version_ = h.format_version;
  abi_version_ = h.abi_version;
  consume(sizeof(FileHeader));
  if (fill(h.meta_len) < h.meta_len)
    throw TraceError(fmt::format("{} ends inside the trace header: nothing to read", name_));
  p = buf_.data() + pos_;
  if (!crc_ok(h.meta_crc, p, h.meta_len))
    throw TraceError(fmt::format("{}: the trace header's metadata is corrupt (checksum mismatch)", name_));
  try {
    meta_ = meta_from_json(std::string(reinterpret_cast<const char*>(p), h.meta_len));
  } catch (const std::runtime_error& e) {
    throw TraceError(fmt::format("{}: the trace header's metadata is corrupt: {}", name_, e.what()));
  }
  consume(h.meta_len);
}

size_t TraceReader::fill(size_t want) {
  while (end_ - pos_ < want && !eof_) {
    if (pos_ + want > buf_.size() && pos_ > 0) {  // make room at the end
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    size_t cap = std::max(buf_.size(), std::min(want + kReadChunk, kMaxStored + sizeof(BlockHeader) + kReadChunk));
    if (cap > buf_.size()) buf_.resize(cap);
    ssize_t r = ::read(fd_.fd, buf_.data() + end_, buf_.size() - end_);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      warn(fmt::format("reading stopped at byte {}: {}", report_.offset + (end_ - pos_), std::strerror(errno)));
      eof_ = true;
    } else if (r == 0) {
      eof_ = true;
    } else {
      end_ += size_t(r);
    }
  }
  return std::min(end_ - pos_, want);
}

void TraceReader::consume(size_t n) {
  pos_ += n;
  report_.offset += n;
}

bool TraceReader::header_ok(const uint8_t* p) const {
  auto h = load<BlockHeader>(p);
  if (h.magic != kBlockMagic || !crc_ok(h.header_crc, p, offsetof(BlockHeader, header_crc))) return false;
  // a valid checksum over nonsense is a writer's bug or a crafted file
  if (h.reserved != 0 || (h.flags & ~kBlockZstd) != 0) return false;
  if (h.raw_len > kMaxBlockRaw || h.stored_len > kMaxStored) return false;
  if (!(h.flags & kBlockZstd) && h.stored_len != h.raw_len) return false;
  return true;
}

bool TraceReader::resync() {
  uint64_t from = report_.offset;
  consume(1);
  for (;;) {
    size_t n = fill(sizeof(BlockHeader));
    if (n < sizeof(BlockHeader)) {
      report_.bytes_skipped += report_.offset - from + n;
      warn(fmt::format("damaged data from byte {} to the end of the file ({} bytes): no block header found after it",
                       from, report_.offset - from + n));
      consume(n);
      return false;
    }
    const uint8_t* p = buf_.data() + pos_;
    if (load<uint32_t>(p) == kBlockMagic && header_ok(p)) break;
    consume(1);
  }
  report_.bytes_skipped += report_.offset - from;
  warn(fmt::format("damaged block header at byte {}: skipped {} bytes to the next block, at byte {}", from,
                   report_.offset - from, report_.offset));
  return true;
}

bool TraceReader::next(std::vector<RecordView>& out) {
  out.clear();
  for (;;) {
    uint64_t at = report_.offset;
    size_t n = fill(sizeof(BlockHeader));
    if (n == 0) return false;
    if (n < sizeof(BlockHeader)) {
      report_.cut_short = true;
      warn(fmt::format("the file ends {} bytes into a block header at byte {} (a recording cut short?): "
                       "read up to byte {}",
                       n, at, at));
      return false;
    }
    const uint8_t* p = buf_.data() + pos_;
    if (!header_ok(p)) {
      if (!resync()) return false;
      continue;
    }
    auto h = load<BlockHeader>(p);
    size_t whole = sizeof(BlockHeader) + h.stored_len;
    if (fill(whole) < whole) {
      report_.cut_short = true;
      warn(fmt::format("the file ends inside block {} at byte {} ({} of its {} bytes are there; a recording cut "
                       "short?): read up to byte {}",
                       h.seq, at, end_ - pos_, whole, at));
      return false;
    }
    p = buf_.data() + pos_;
    const uint8_t* payload = p + sizeof(BlockHeader);
    if (h.seq > next_seq_)
      warn(fmt::format("blocks {} to {} are missing before byte {}", next_seq_, h.seq - 1, at));
    else if (h.seq < next_seq_)
      warn(fmt::format("block {} at byte {} is out of order (block {} was expected)", h.seq, at, next_seq_));
    next_seq_ = h.seq + 1;
    auto skip = [&](const std::string& why) {
      ++report_.blocks_skipped;
      warn(fmt::format("block {} at byte {} is damaged ({}): skipped its {} records", h.seq, at, why, h.records));
      consume(whole);
    };
    if (!crc_ok(h.payload_crc, payload, h.stored_len)) {
      skip("checksum mismatch");
      continue;
    }
    std::span<const uint8_t> raw(payload, h.stored_len);
    if (h.flags & kBlockZstd) {
      raw_.resize(h.raw_len);
      size_t got = ZSTD_decompress(raw_.data(), raw_.size(), payload, h.stored_len);
      if (ZSTD_isError(got) || got != h.raw_len) {
        skip(ZSTD_isError(got) ? ZSTD_getErrorName(got) : "decompressed size differs");
        continue;
      }
      raw = raw_;
    }
    // records: kind, reserved, len, then len bytes; exactly h.records of them
    size_t off = 0;
    bool bad = false;
    while (off < raw.size()) {
      if (raw.size() - off < sizeof(RecordHeader)) {
        bad = true;
        break;
      }
      auto r = load<RecordHeader>(raw.data() + off);
      off += sizeof(RecordHeader);
      if (r.len > raw.size() - off) {
        bad = true;
        break;
      }
      out.push_back({r.kind, raw.subspan(off, r.len)});
      off += r.len;
    }
    if (bad || out.size() != h.records) {
      out.clear();
      skip("its records do not add up to its length");
      continue;
    }
    // views into buf_ stay valid: buf_ moves only in fill, on the next call
    consume(whole);
    ++report_.blocks;
    report_.records += out.size();
    return true;
  }
}

void TraceReader::warn(const std::string& msg) {
  std::string m = name_ + ": " + msg;
  if (warn_) warn_(m);
}

}  // namespace sockscope::trace
