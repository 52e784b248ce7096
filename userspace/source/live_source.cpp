#include "live_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <utility>
#include <iostream>

#include <fmt/format.h>

#include "../util/user_error.h"
#include "abi_check.h"
#include "preflight.h"
#include "proc_owners.h"
#include "sockdiag.h"

namespace sockscope {

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t wall_minus_monotonic_ns() {
  timespec w{}, m{};
  clock_gettime(CLOCK_REALTIME, &w);
  clock_gettime(CLOCK_MONOTONIC, &m);
  return (int64_t(w.tv_sec) - m.tv_sec) * 1'000'000'000 + (int64_t(w.tv_nsec) - m.tv_nsec);
}

LiveSource::LiveSource(const LiveOptions& opts) : opts_(opts) {
  preflight_live();
  wall_offset_ = wall_minus_monotonic_ns();
  // Existing sockets are read before attaching, so every seed is older than
  // every BPF record. A socket created in between is seen from its first
  // event after attach on.
  if (opts_.seed) take_seeds();
  bpf_ = std::make_unique<BpfObject>(opts.loader);
  std::cerr << probe_report(bpf_->probes());
  rb_ = ring_buffer__new(bpf_->events_fd(), &LiveSource::on_record, this, nullptr);
  if (!rb_) throw UserError(fmt::format("setting up the ring buffer failed: {}", std::strerror(errno)));
}

LiveSource::~LiveSource() {
  if (rb_) ring_buffer__free(rb_);
}

int LiveSource::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<LiveSource*>(ctx);
  Event e;
  if (decode_record({static_cast<const uint8_t*>(data), size}, e, self->decode_) == DecodeStatus::Ok) {
    self->note_closed(e);
    // an exception must not unwind through libbpf's C frames: keep it,
    // stop consuming, and rethrow once back in C++
    try {
      (*self->sink_)(e);
    } catch (...) {
      self->pending_error_ = std::current_exception();
      return -1;
    }
  }
  return 0;
}

void LiveSource::consume() {
  ring_buffer__consume(rb_);
  if (pending_error_) std::rethrow_exception(std::exchange(pending_error_, nullptr));
}

// Map entries of closed sockets are deleted after their final read, so the
// LRU map holds live sockets rather than evicting them.
void LiveSource::note_closed(const Event& e) {
  if (auto* s = std::get_if<StateChange>(&e);
      s && (s->new_state == TcpState::Close || s->new_state == TcpState::TimeWait))
    closed_.insert(s->sock.cookie);
  else if (auto* c = std::get_if<SyscallEvent>(&e);
           c && c->call == Call::Close && c->arg0 && c->sock.protocol == kProtoUdp && c->sock.cookie)
    closed_.insert(c->sock.cookie);
}

void LiveSource::take_seeds() {
  uint64_t now = monotonic_ns();
  std::unordered_map<uint32_t, SocketOwner> owners;
  std::vector<DiagSocket> existing;
  try {
    owners = scan_socket_owners();
    existing = dump_inet_sockets();
  } catch (const std::runtime_error& e) {
    throw UserError(fmt::format("reading the sockets that exist already failed: {}", e.what()));
  }
  for (const auto& d : existing) {
    SockSeed s;
    s.ts_ns = now;
    s.sock = d.id;
    s.sock.inode = d.inode;
    s.occ = d.occ;
    s.inode = d.inode;
    s.uid = d.uid;
    if (auto it = owners.find(d.inode); it != owners.end()) {
      s.pid = it->second.pid;
      s.fd = it->second.fd;
      s.comm = it->second.comm;
    }
    seeds_.push_back(s);
  }
}

void LiveSource::seed(const EventSink& sink) {
  seeded_ = true;
  for (const auto& s : seeds_) sink(s);
  seeds_ = {};
}

bool LiveSource::poll(int timeout_ms, const EventSink& sink) {
  if (!seeded_) seed(sink);
  sink_ = &sink;
  // Records are submitted without a wakeup until enough pile up, so the
  // poll is mostly a bounded sleep: consume whatever is there after it.
  int n = ring_buffer__poll(rb_, timeout_ms);
  if (pending_error_) std::rethrow_exception(std::exchange(pending_error_, nullptr));
  if (n < 0 && n != -EINTR) throw UserError(fmt::format("reading the ring buffer failed: {}", std::strerror(-n)));
  consume();
  sink_ = nullptr;
  uint64_t now = monotonic_ns();
  if (now - last_stats_ns_ >= opts_.stats_interval_ns) {
    read_stats(sink);
    read_lost(sink);
  }
  if (now - last_sweep_ns_ >= 5'000'000'000ull) {
    last_sweep_ns_ = now;
    sweep_inflight();
  }
  return true;
}

// A thread that dies inside a socket syscall never reaches its exit
// probe; drop its entry so the in-flight map cannot fill up over time.
void LiveSource::sweep_inflight() {
  std::vector<uint32_t> gone;
  uint32_t key = 0, next = 0;
  const uint32_t* prev = nullptr;
  while (bpf_map_get_next_key(bpf_->inflight_fd(), prev, &next) == 0) {
    if (access(fmt::format("/proc/{}", next).c_str(), F_OK) != 0) gone.push_back(next);
    key = next;
    prev = &key;
  }
  for (uint32_t tid : gone) bpf_map_delete_elem(bpf_->inflight_fd(), &tid);
}

void LiveSource::flush(const EventSink& sink) {
  if (!seeded_) seed(sink);
  sink_ = &sink;
  consume();
  sink_ = nullptr;
  read_stats(sink);
  read_lost(sink);
}

namespace {

uint64_t hash_stats(const ss_sock_stats& v) {
  // FNV-1a over the bytes: cheap change detection, no copy kept
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < sizeof(v); ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace

void LiveSource::read_stats(const EventSink& sink) {
  uint64_t now = monotonic_ns();
  last_stats_ns_ = now;
  auto closed = std::move(closed_);  // closed before this read: final values follow
  closed_.clear();
  constexpr uint32_t kBatch = 1024;
  std::vector<uint64_t> keys(kBatch);
  std::vector<ss_sock_stats> vals(kBatch);
  uint64_t token = 0;
  bool first = true;
  LIBBPF_OPTS(bpf_map_batch_opts, bopts);
  for (;;) {
    uint32_t count = kBatch;
    int err = bpf_map_lookup_batch(bpf_->stats_fd(), first ? nullptr : &token, &token, keys.data(),
                                   vals.data(), &count, &bopts);
    first = false;
    if (err && errno != ENOENT)
      throw UserError(fmt::format("reading the socket stats map failed: {}", std::strerror(errno)));
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t h = hash_stats(vals[i]);
      auto [it, fresh] = stats_seen_.try_emplace(keys[i], h);
      if (fresh || it->second != h) {
        it->second = h;
        sink(sockscope::decode_stats(keys[i], vals[i], now));
      }
    }
    if (err) break;  // ENOENT: that was the last batch
  }
  for (uint64_t cookie : closed) {
    bpf_map_delete_elem(bpf_->stats_fd(), &cookie);
    stats_seen_.erase(cookie);
  }
}

void LiveSource::read_lost(const EventSink& sink) {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return;
  std::vector<uint64_t> per_cpu(ncpu);
  for (uint32_t k = 0; k < lost_seen_.size(); ++k) {
    if (bpf_map_lookup_elem(bpf_->lost_fd(), &k, per_cpu.data()) != 0) continue;
    uint64_t total = 0;
    for (auto v : per_cpu) total += v;
    if (total != lost_seen_[k]) {
      lost_seen_[k] = total;
      sink(Lost{monotonic_ns(), static_cast<LostKind>(k), total});
    }
  }
}

}  // namespace sockscope
