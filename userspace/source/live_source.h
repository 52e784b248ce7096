// The live Source: seeds existing sockets from sock_diag, then streams the
// BPF ring buffer and reads the per-socket and per-device maps in batches.
#pragma once

#include <exception>
#include <map>
#include <memory>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "source/kernel/bpf_loader.h"
#include "source/kernel/dev_counters.h"
#include "source/kernel/iter_pass.h"
#include "source/kernel/map_changes.h"
#include "source/kernel/pass_delta.h"
#include "source/source.h"

struct ring_buffer;

namespace sockscope {

struct LiveOptions {
  LoaderOptions loader;
  uint64_t stats_interval_ns = 250'000'000;  // how often the stats, drop, journey and device maps are read
  bool seed = true;                           // sockets that exist at start-up
  uint64_t pass_interval_ns = 1'000'000'000;  // how often the iterators read the kernel's socket tables
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
  const ReasonNames& reason_names() const override { return reasons_; }
  const std::vector<ProbeStatus>& probes() const override { return bpf_->probes(); }
  uint64_t sample_interval_ns() const override { return opts_.pass_interval_ns; }
  void resend_maps() override;
  bool resending() const override { return resend_pass_due_ || resend_maps_due_; }
  std::string toggle_detail(uint32_t pid) override;

 private:
  static int on_record(void* ctx, void* data, size_t size);
  void take_seeds();
  void seed(const EventSink& sink);
  // Reads every map below, then deletes the entries of sockets closed
  // before the read: their final values have just been delivered.
  void read_maps(const EventSink& sink);
  void read_stats(const EventSink& sink, uint64_t now);
  void read_sock_drops(const EventSink& sink, uint64_t now);
  void read_journey(const EventSink& sink, uint64_t now);
  void read_devices(const EventSink& sink, uint64_t now);
  void read_dev_drops(const EventSink& sink, uint64_t now);
  void read_lost(const EventSink& sink);
  void forget_closed(std::vector<uint64_t>& closed);
  // While a pass runs, the ring is still drained (so a long pass loses
  // nothing) into held_, and what was held is applied after the pass.
  void hold_ring();
  void apply_held(const EventSink& sink);
  void note_closed(const Event& e);
  void consume();
  // The samples: every socket the kernel has, in every network namespace,
  // then (when sockets came or went) every process's fds to them.
  bool have_passes() const;
  void run_passes(const EventSink& sink);
  // The whole records in pass_buf_; a size that does not fit is not
  // trusted: the rest is dropped, counted as malformed.
  // Kept in records_, as cookies_next_ keeps the cookies of a round:
  // vectors of 100,000s of entries allocated afresh every pass cost a page
  // fault per 4 KiB each time (a sixth of the reader's time under churn).
  const std::vector<std::span<const uint8_t>>& pass_records();
  // Delivers the records of one pass (those marked, when deliver is given);
  // returns how many decoded.
  uint32_t deliver_pass(const EventSink& sink, std::span<const std::span<const uint8_t>> records,
                        const std::vector<bool>* marked = nullptr);
  // Whether the next round of passes delivers every socket: for a new
  // trace file, every kFullPassEvery rounds,
  // and while a detail tier is on (its samples change the queues between
  // passes, so a pass must restate them even when it read the same).
  bool full_pass_next();
  void pass_end(const EventSink& sink, const PassEnd& p);
  void pass_failed(const std::string& what, const std::string& err);

  LiveOptions opts_;
  std::unique_ptr<BpfObject> bpf_;
  ring_buffer* rb_ = nullptr;
  int wake_fd_ = -1;  // edge-triggered epoll on the ring: sleeps until a wakeup, not until any data
  const EventSink* sink_ = nullptr;  // valid during a poll
  DecodeStats decode_;
  ReasonNames reasons_;
  size_t ncpu_ = 1;  // possible CPUs: per-CPU map values hold one slot each
  std::exception_ptr pending_error_;  // thrown by the sink inside libbpf's callback
  int64_t wall_offset_ = 0;
  bool seeded_ = false;
  std::vector<SockSeed> seeds_;  // read before attach, delivered first
  uint64_t last_stats_ns_ = 0;
  // What each map held at the last read, to pass on only changes.
  MapChanges<std::unordered_map<uint64_t, uint64_t>> stats_seen_;    // cookie -> hash of the value
  MapChanges<std::unordered_map<uint64_t, uint64_t>> journey_seen_;  // cookie -> hash of the value
  MapChanges<std::map<std::tuple<uint64_t, uint32_t, uint32_t>, uint64_t>> sock_drops_seen_;  // cookie, reason, pad -> count
  MapChanges<std::map<DevKey, uint64_t>> dev_seen_;  // -> hash of name and counters as delivered
  MapChanges<std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint64_t>> dev_drops_seen_;  // netns, ifindex, reason -> hash of per-CPU counts
  std::unique_ptr<DeviceCounters> devices_;  // the kernel's own device counters, every namespace
  std::vector<uint64_t> softnet_seen_;       // time_squeeze by CPU, as last delivered
  // Whether each map answers batch lookups; off after the kernel refuses.
  struct Batch {
    bool stats = true, sock_drops = true, journey = true, dev_stats = true, dev_names = true, dev_drops = true;
    bool stats_delete = true, sock_drops_delete = true, journey_delete = true;
  } batch_;
  // cookies whose map entries can go after a read; a socket's end names it
  // two or three times (sorted and made unique at the read)
  std::vector<uint64_t> closed_;
  std::array<uint64_t, static_cast<size_t>(LostKind::Count)> lost_seen_{};
  std::vector<uint8_t> raw_buf_;  // the raw form of a map entry being delivered
  std::unique_ptr<IterRunner> iter_;
  ByteBuffer pass_buf_;  // a pass's records, as read (capacity kept: the size of the largest pass)
  bool holding_ = false;      // on_record copies into held_ instead of delivering
  std::vector<uint8_t> held_;  // records taken from the ring during a pass: u32 size, then the bytes
  std::vector<uint8_t> held_spare_;  // apply_held's other buffer, kept for its capacity
  uint64_t last_pass_ns_ = 0, last_files_ns_ = 0;
  std::vector<uint64_t> pass_cookies_;  // what the last tcp/udp passes showed, sorted
  std::vector<uint64_t> cookies_next_;  // the round being read: swapped with pass_cookies_ at its end
  std::vector<std::span<const uint8_t>> records_;
  PassDelta delta_;
  bool full_pass_due_ = true;
  bool resend_pass_due_ = false, resend_maps_due_ = false;  // resend_maps(): a full pass, a map read to come
  uint32_t delta_rounds_ = 0;  // rounds of delta passes since the last full one
  std::unordered_set<uint64_t> held_unlisted_;  // held by an fd, in no table: ends only with its holders
  std::unordered_set<uint32_t> netns_passed_;  // namespaces a pass ran in
  std::unordered_set<std::string> pass_warned_;  // failures already reported
};

}  // namespace sockscope
