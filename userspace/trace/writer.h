// Writes a trace file: the header, then records gathered into blocks that
// go to disk when full or when the flush interval has passed, so a crash
// loses at most that interval. A file's first block goes out at the first
// tick that has records (live: right after the first read of the sockets),
// so a recording cut or killed in its first second still reads. With
// rotation it starts a new file once the current one reaches its size,
// tcpdump style (FILE, FILE1, FILE2 …), and keeps the newest N.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "record/raw_record.h"
#include "trace/meta.h"

namespace sockscope::trace {

struct WriterOptions {
  std::string path;
  bool compress = false;                        // zstd per block
  uint64_t flush_interval_ns = 1'000'000'000;   // a block goes out at least this often
  uint32_t block_bytes = 1u << 20;              // or once it holds this much
  uint64_t rotate_bytes = 0;                    // 0: one file
  uint32_t keep = 0;                            // with rotation: newest files kept, 0 = all
  std::function<uint64_t()> clock;              // monotonic ns; empty: the real clock (tests set one)
};

struct WriterStats {
  uint64_t records = 0;  // over all files
  uint64_t bytes = 0;    // written to disk, over all files
  uint64_t blocks = 0;
  uint32_t files = 0;    // opened
  uint32_t removed = 0;  // deleted by rotation
};

// Throws UserError, as TraceWriter would, when path cannot be created: its
// directory is missing or not writable, or it is a directory. For a check
// before the slow start-up (loading every probe), not instead of the
// writer's own: it creates nothing.
void check_can_create(const std::string& path);

class TraceWriter {
 public:
  // Creates path with mode 0600 (truncating it) and writes the header.
  // Throws UserError saying what to do.
  TraceWriter(WriterOptions opts, Meta meta);
  // Writes what is buffered, without an end record (as a crash would).
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void write(RawKind kind, std::span<const uint8_t> bytes);
  // Writes the buffered block if it is older than the flush interval, and
  // rotates when the file is full. Call often (the event loop does).
  void tick();
  // Called right after a rotation opened a new file: write what a reader of
  // that file alone needs (the sockets that exist, the maps' values).
  void on_new_file(std::function<void()> f) { on_new_file_ = std::move(f); }
  // While held, no rotation: what the new file's snapshot asked for (the
  // map values, a full pass) is still coming. A file is then as big as
  // that takes, past the size asked if it must.
  void hold_rotation(bool hold) { hold_ = hold; }
  // Appends the end record, writes the last block and closes.
  void close(uint64_t end_ns);

  const WriterStats& stats() const { return stats_; }
  const std::string& current_path() const { return path_; }

 private:
  void open_next();
  void write_block();
  void write_end(uint64_t ts_ns);  // the End record, then the block
  void write_all(const void* p, size_t n);
  void rotate();
  uint64_t now() const;

  WriterOptions opts_;
  Meta meta_;
  int fd_ = -1;
  std::string path_;
  std::vector<std::string> files_;  // this run's files, oldest first
  std::vector<uint8_t> block_, zbuf_;
  uint32_t block_records_ = 0;
  uint32_t seq_ = 0;
  uint64_t file_bytes_ = 0;
  uint64_t block_started_ns_ = 0;
  WriterStats stats_;
  std::function<void()> on_new_file_;
  bool closed_ = false;
  bool rotating_ = false;       // the end of one file and the snapshot starting the next
  bool hold_ = false;           // hold_rotation()
  bool file_has_data_ = false;  // a record besides the snapshot went into this file
};

}  // namespace sockscope::trace
