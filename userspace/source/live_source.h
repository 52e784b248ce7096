// The live Source: seeds existing sockets from sock_diag, then streams the
// BPF ring buffer and reads the per-socket stats map in batches.
#pragma once

#include <exception>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "bpf_loader.h"
#include "source.h"

struct ring_buffer;

namespace sockscope {

struct LiveOptions {
  LoaderOptions loader;
  uint64_t stats_interval_ns = 250'000'000;  // how often the stats map is read
  bool seed = true;                           // sockets that exist at start-up
};

class LiveSource : public Source {
 public:
  // Checks privileges and kernel features, loads and attaches; prints the
  // probe report to stderr. Throws UserError.
  explicit LiveSource(const LiveOptions& opts);
  ~LiveSource() override;

  bool poll(int timeout_ms, const EventSink& sink) override;
  void flush(const EventSink& sink) override;
  int64_t wall_offset_ns() const override { return wall_offset_; }
  uint64_t now_ns() const override { return monotonic_ns(); }
  const DecodeStats& decode_stats() const override { return decode_; }
  const std::vector<ProbeStatus>& probes() const { return bpf_->probes(); }

 private:
  static int on_record(void* ctx, void* data, size_t size);
  void take_seeds();
  void seed(const EventSink& sink);
  void read_stats(const EventSink& sink);
  void read_lost(const EventSink& sink);
  void note_closed(const Event& e);
  void sweep_inflight();
  void consume();

  LiveOptions opts_;
  std::unique_ptr<BpfObject> bpf_;
  ring_buffer* rb_ = nullptr;
  const EventSink* sink_ = nullptr;  // valid during a poll
  DecodeStats decode_;
  std::exception_ptr pending_error_;  // thrown by the sink inside libbpf's callback
  int64_t wall_offset_ = 0;
  bool seeded_ = false;
  std::vector<SockSeed> seeds_;  // read before attach, delivered first
  uint64_t last_stats_ns_ = 0;
  uint64_t last_sweep_ns_ = 0;
  std::unordered_map<uint64_t, uint64_t> stats_seen_;  // cookie -> hash of last values
  std::unordered_set<uint64_t> closed_;  // cookies whose map entry can go after a read
  std::array<uint64_t, static_cast<size_t>(LostKind::Count)> lost_seen_{};
};

}  // namespace sockscope
