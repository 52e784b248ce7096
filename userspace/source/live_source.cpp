#include "source/live_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <array>
#include <exception>
#include <iostream>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "record/abi_check.h"
#include "source/kernel/kernel_enums.h"
#include "source/kernel/map_read.h"
#include "source/kernel/preflight.h"
#include "source/kernel/proc_owners.h"
#include "source/kernel/sockdiag.h"
#include "util/hash.h"
#include "util/user_error.h"

namespace sockscope {

LiveSource::LiveSource(const LiveOptions& opts) : opts_(opts) {
  preflight_live();
  wall_offset_ = wall_minus_monotonic_ns();
  auto kr = load_kernel_reasons();
  reasons_ = std::move(kr.names);
  if (!kr.warning.empty()) std::cerr << "sockscope: " << kr.warning << "\n";
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0)
    throw UserError(fmt::format("reading the number of possible CPUs from /sys/devices/system/cpu/possible failed: {}",
                                std::strerror(-ncpu)));
  ncpu_ = size_t(ncpu);
  // Attach first, then read what exists: the first iterator pass (at the
  // first poll) shows every socket, including those made while attaching,
  // and settles any event that raced with it. Without the iterators (an
  // older kernel), sock_diag seeds instead, also after attaching: a socket
  // seen both ways is joined by its inode.
  bpf_ = std::make_unique<BpfObject>(opts.loader);
  std::cerr << probe_report(bpf_->probes());
  if (!bpf_->state_runs()) std::cerr << "sockscope: " << bpf_->state_runs_note() << "\n";
  for (const auto& note : bpf_->kernel_notes()) std::cerr << "sockscope: " << note << "\n";
  if (opts_.seed && have_passes()) {
    try {
      iter_ = std::make_unique<IterRunner>();
    } catch (const std::runtime_error& e) {
      throw UserError(e.what());
    }
  } else if (opts_.seed) {
    take_seeds();
  }
  rb_ = ring_buffer__new(bpf_->events_fd(), &LiveSource::on_record, this, nullptr);
  if (!rb_) throw UserError(fmt::format("setting up the ring buffer failed: {}", std::strerror(errno)));
  // libbpf's own epoll is level-triggered: it returns as soon as one record
  // waits, so the reader would drain record by record, bouncing the ring's
  // positions between CPUs. Edge-triggered, it sleeps until the kernel's
  // wakeup (a threshold crossed, see bpf/lib/emit.bpf.h) or the timeout.
  wake_fd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  if (wake_fd_ < 0 || epoll_ctl(wake_fd_, EPOLL_CTL_ADD, bpf_->events_fd(), &ev) < 0)
    throw UserError(fmt::format("setting up the ring buffer wakeup failed: {}", std::strerror(errno)));
}

LiveSource::~LiveSource() {
  if (wake_fd_ >= 0) close(wake_fd_);
  if (rb_) ring_buffer__free(rb_);
}

int LiveSource::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<LiveSource*>(ctx);
  if (self->holding_) {
    const uint32_t n = static_cast<uint32_t>(size);
    const auto* b = static_cast<const uint8_t*>(data);
    self->held_.insert(self->held_.end(), reinterpret_cast<const uint8_t*>(&n),
                       reinterpret_cast<const uint8_t*>(&n) + sizeof(n));
    self->held_.insert(self->held_.end(), b, b + size);
    return 0;
  }
  // an exception must not unwind through libbpf's C frames: keep it, stop
  // consuming, and rethrow once back in C++
  try {
    if (self->deliver(RawKind::Kernel, {static_cast<const uint8_t*>(data), size}, *self->sink_, self->decode_) ==
        DecodeStatus::Ok)
      self->note_closed(self->scratch_);
  } catch (...) {
    self->pending_error_ = std::current_exception();
    return -1;
  }
  return 0;
}

void LiveSource::consume() {
  int n = ring_buffer__consume(rb_);
  if (pending_error_) std::rethrow_exception(std::exchange(pending_error_, nullptr));
  if (n < 0) throw UserError(fmt::format("reading the ring buffer failed: {}", std::strerror(-n)));
}

void LiveSource::hold_ring() {
  holding_ = true;
  int n = ring_buffer__consume(rb_);
  holding_ = false;
  if (n < 0) throw UserError(fmt::format("reading the ring buffer failed: {}", std::strerror(-n)));
}

// In the order they were taken; each was whole in the ring (its size came
// from the ring, not from the record), and is decoded like any other.
// Applying a second's worth of held records takes long enough for the
// ring to fill again, so it keeps draining the ring (into a fresh held_)
// as it goes, and applies what that took next: the order stays the ring's.
void LiveSource::apply_held(const EventSink& sink) {
  while (!held_.empty()) {
    std::vector<uint8_t> batch = std::move(held_);
    held_ = std::move(held_spare_);
    held_.clear();
    std::span<const uint8_t> rest(batch);
    for (uint32_t count = 1; rest.size() >= sizeof(uint32_t); ++count) {
      uint32_t n;
      std::memcpy(&n, rest.data(), sizeof(n));
      rest = rest.subspan(sizeof(n));
      if (n > rest.size()) break;  // cannot happen: written above
      if (deliver(RawKind::Kernel, rest.first(n), sink, decode_) == DecodeStatus::Ok) note_closed(scratch_);
      rest = rest.subspan(n);
      if (count % 4096 == 0) hold_ring();
    }
    held_spare_ = std::move(batch);
  }
}

// Map entries of closed sockets are deleted after their final read, so the
// LRU map holds live sockets rather than evicting them.
void LiveSource::note_closed(const Event& e) {
  if (auto* s = std::get_if<StateChange>(&e);
      s && (s->new_state == TcpState::Close || s->new_state == TcpState::TimeWait))
    closed_.push_back(s->sock.cookie);
  else if (auto* f = std::get_if<SockInfo>(&e); f && f->origin == SockOrigin::Final)
    closed_.push_back(f->sock.cookie);  // a socket end's last event is its final read
  else if (auto* c = std::get_if<SyscallEvent>(&e);
           c && c->call == Call::Close && c->arg0 && c->sock.protocol == kProtoUdp && c->sock.cookie)
    closed_.push_back(c->sock.cookie);
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
  for (const auto& s : seeds_) {
    encode_seed(raw_buf_, s);
    deliver(RawKind::Seed, raw_buf_, sink, decode_);
  }
  seeds_ = {};
}

bool LiveSource::poll(int timeout_ms, const EventSink& sink) {
  if (!seeded_) seed(sink);
  sink_ = &sink;
  // Records are submitted without a wakeup until enough pile up, so this
  // is mostly a bounded sleep: consume whatever is there after it.
  epoll_event ev;
  if (epoll_wait(wake_fd_, &ev, 1, timeout_ms) < 0 && errno != EINTR)
    throw UserError(fmt::format("waiting on the ring buffer failed: {}", std::strerror(errno)));
  consume();
  sink_ = nullptr;
  uint64_t now = monotonic_ns();
  if (iter_ && now - last_pass_ns_ >= opts_.pass_interval_ns) run_passes(sink);
  if (now - last_stats_ns_ >= opts_.stats_interval_ns) read_maps(sink);
  return true;
}

void LiveSource::flush(const EventSink& sink) {
  if (!seeded_) seed(sink);
  sink_ = &sink;
  consume();
  sink_ = nullptr;
  if (iter_) run_passes(sink);  // what the output shows is what the kernel has now
  read_maps(sink);
}

bool LiveSource::have_passes() const { return bpf_->iter_tcp_link() >= 0 || bpf_->iter_udp_link() >= 0; }

void LiveSource::pass_failed(const std::string& what, const std::string& err) {
  // once per kind of failure: a namespace that goes away mid-pass is normal
  if (pass_warned_.insert(what).second) std::cerr << "sockscope: " << what << ": " << err << "\n";
}

const std::vector<std::span<const uint8_t>>& LiveSource::pass_records() {
  std::vector<std::span<const uint8_t>>& out = records_;
  out.clear();
  std::span<const uint8_t> rest(pass_buf_);
  while (!rest.empty()) {
    // records are whole (the kernel rewrites one that did not fit)
    ss_hdr h;
    if (rest.size() < sizeof(h)) {
      ++decode_.malformed;
      decode_.last_error = "an iterator pass ended inside a record header";
      break;
    }
    std::memcpy(&h, rest.data(), sizeof(h));
    if (h.size < sizeof(h) || h.size > rest.size()) {
      ++decode_.malformed;
      decode_.last_error = fmt::format("an iterator record says it is {} bytes, {} are left", h.size, rest.size());
      break;
    }
    out.push_back(rest.first(h.size));
    rest = rest.subspan(h.size);
  }
  return out;
}

uint32_t LiveSource::deliver_pass(const EventSink& sink, std::span<const std::span<const uint8_t>> records,
                                  const std::vector<bool>* marked) {
  uint32_t n = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (marked && !(*marked)[i]) continue;
    // a pass over 100,000s of sockets takes long enough to fill the ring
    if (deliver(RawKind::Kernel, records[i], sink, decode_) == DecodeStatus::Ok && ++n % 4096 == 0) hold_ring();
  }
  return n;
}

bool LiveSource::full_pass_next() {
  constexpr uint32_t kFullPassEvery = 30;
  bool full = full_pass_due_ || delta_rounds_ >= kFullPassEvery || bpf_->tier_on(Tier::Syscalls) ||
              bpf_->tier_on(Tier::Packets);
  full_pass_due_ = false;
  delta_rounds_ = full ? 0 : delta_rounds_ + 1;
  return full;
}

void LiveSource::pass_end(const EventSink& sink, const PassEnd& p) {
  const RawKind kind = encode_pass_end(raw_buf_, p);  // before raw_buf_ is taken as the bytes
  deliver(kind, raw_buf_, sink, decode_);
}

// Events first, so the pass is applied on top of everything before it;
// then the pass; then the events made while it ran (the model orders them
// by time); then the ends, which close what the pass no longer showed.
void LiveSource::run_passes(const EventSink& sink) {
  sink_ = &sink;
  consume();
  sink_ = nullptr;
  const uint64_t start = monotonic_ns();
  const uint64_t since_last = start - last_pass_ns_;
  last_pass_ns_ = start;
  std::vector<PassEnd> ends;
  // sorted vectors, not hash sets: a pass over 100,000 sockets would
  // allocate a node for each
  std::vector<uint64_t>& cookies = cookies_next_;  // kept: see pass_records()
  cookies.clear();
  std::unordered_set<uint32_t> seen_ns;
  const bool full = full_pass_next();
  // In a delta pass, a TIME_WAIT socket older than the previous pass (the
  // kernel gives each 60 s; a second's margin for the timer's tick) goes by
  // its cookie alone: that pass showed it in full, and nothing about it
  // can have changed but whether it is still there.
  constexpr uint64_t kTimeWaitMs = 60'000, kMarginMs = 1'000;
  const uint64_t age_ms = since_last / 1'000'000 + kMarginMs;
  bpf_->set_pass_tw_brief(full || age_ms >= kTimeWaitMs ? 0 : uint32_t(kTimeWaitMs - age_ms));
  const std::vector<Netns> all = list_netns();
  for (size_t i = 0; i < all.size(); ++i) {
    const Netns& ns = all[i];
    seen_ns.insert(ns.inum);
    for (auto [what, link] : {std::pair{PassWhat::Tcp, bpf_->iter_tcp_link()}, {PassWhat::Udp, bpf_->iter_udp_link()}}) {
      if (link < 0) continue;
      pass_buf_.clear();
      std::string err;
      const bool ran = iter_->run(link, i == 0 ? nullptr : &ns, pass_buf_, err, [this] { hold_ring(); });
      hold_ring();
      if (!ran) {
        // incomplete: no end, so nothing is closed on its account
        pass_failed(fmt::format("a {} pass in network namespace {} failed", what == PassWhat::Tcp ? "TCP" : "UDP",
                                ns.inum),
                    err);
        continue;
      }
      const auto& records = pass_records();
      const PassDelta::Result& d = delta_.sift(ns.inum, uint8_t(what), records, full);
      // a socket named briefly that the previous pass did not show (it
      // failed, or the namespace is new): the next pass shows all in full
      if (d.brief_unknown) full_pass_due_ = true;
      ends.emplace_back(0, start, ns.inum, what, deliver_pass(sink, records, &d.deliver), !full, d.gone);
      cookies.insert(cookies.end(), d.cookies.begin(), d.cookies.end());
    }
  }
  // a namespace gone since the last pass: empty, so its sockets close
  for (uint32_t inum : netns_passed_)
    if (!seen_ns.count(inum)) {
      for (PassWhat what : {PassWhat::Tcp, PassWhat::Udp}) ends.push_back({0, start, inum, what, 0});
      delta_.forget(inum);
    }
  netns_passed_ = std::move(seen_ns);
  apply_held(sink);
  sink_ = &sink;
  consume();
  sink_ = nullptr;
  for (PassEnd& e : ends) {
    e.ts_ns = monotonic_ns();
    pass_end(sink, e);
  }
  if (full) resend_pass_due_ = false;

  // Owners: when sockets came or went, when one is held but in no table
  // (it ends only with its holders), and every 10 s for renamed processes.
  const int files = bpf_->iter_files_link();
  const uint64_t now = monotonic_ns();
  std::sort(cookies.begin(), cookies.end());
  bool changed = cookies != pass_cookies_;
  std::swap(pass_cookies_, cookies);
  if (files < 0 || !(changed || !held_unlisted_.empty() || now - last_files_ns_ >= 10'000'000'000ull)) return;
  last_files_ns_ = now;
  pass_buf_.clear();
  std::string err;
  const bool ran = iter_->run(files, nullptr, pass_buf_, err, [this] { hold_ring(); });
  hold_ring();
  if (!ran) {
    apply_held(sink);
    pass_failed("a pass over the processes' files failed", err);
    return;
  }
  held_unlisted_.clear();
  const uint32_t n = deliver_pass(sink, pass_records());
  apply_held(sink);
  // which held sockets no table showed
  for (size_t off = 0; off + sizeof(ss_file_event) <= pass_buf_.size(); off += sizeof(ss_file_event)) {
    ss_file_event f;
    std::memcpy(&f, pass_buf_.data() + off, sizeof(f));
    if (f.hdr.type != SS_EV_FILE || f.hdr.size != sizeof(f)) break;
    if (!std::binary_search(pass_cookies_.begin(), pass_cookies_.end(), f.cookie)) held_unlisted_.insert(f.cookie);
  }
  pass_end(sink, {monotonic_ns(), now, 0, PassWhat::Files, n});
}

namespace {

template <class T>
uint64_t hash_of(const T& v) {
  return hash_bytes(&v, sizeof(v));
}

// A per-CPU device record changed when anything after its timestamp did
// (key, name, every CPU's counters): hashed as encoded, so each entry is
// decoded once, on delivery.
uint64_t hash_after_ts(const std::vector<uint8_t>& raw) {
  static_assert(offsetof(RawDevStats, key) == sizeof(uint64_t) && offsetof(RawDevDrops, key) == sizeof(uint64_t));
  return hash_bytes(raw.data() + sizeof(uint64_t), raw.size() - sizeof(uint64_t));
}

}  // namespace

void LiveSource::read_maps(const EventSink& sink) {
  uint64_t now = monotonic_ns();
  last_stats_ns_ = now;
  std::vector<uint64_t> closed;  // closed before this read: final values follow
  closed.swap(closed_);
  read_stats(sink, now);
  read_sock_drops(sink, now);
  read_journey(sink, now);
  read_devices(sink, now);
  read_dev_drops(sink, now);
  read_lost(sink);
  forget_closed(closed);
  resend_maps_due_ = false;
}

void LiveSource::read_stats(const EventSink& sink, uint64_t now) {
  stats_seen_.begin();
  read_map<uint64_t, ss_sock_stats>(bpf_->stats_fd(), "socket stats", 1, batch_.stats,
                                    [&](uint64_t cookie, std::span<const ss_sock_stats> v) {
                                      if (!stats_seen_.changed(cookie, hash_of(v[0]))) return;
                                      encode_sock_stats(raw_buf_, now, cookie, v[0]);
                                      deliver(RawKind::SockStats, raw_buf_, sink, decode_);
                                    });
  stats_seen_.end();
}

void LiveSource::read_sock_drops(const EventSink& sink, uint64_t now) {
  sock_drops_seen_.begin();
  read_map<ss_sock_drop_key, uint64_t>(bpf_->sock_drops_fd(), "socket drops", 1, batch_.sock_drops,
                                       [&](const ss_sock_drop_key& k, std::span<const uint64_t> v) {
                                         if (!sock_drops_seen_.changed(std::make_tuple(k.cookie, k.reason, k.pad), v[0]))
                                           return;
                                         encode_sock_drops(raw_buf_, now, k, v[0]);
                                         deliver(RawKind::SockDrops, raw_buf_, sink, decode_);
                                       });
  sock_drops_seen_.end();
}

void LiveSource::read_journey(const EventSink& sink, uint64_t now) {
  journey_seen_.begin();
  read_map<uint64_t, ss_journey>(bpf_->sock_journey_fd(), "socket journey", 1, batch_.journey,
                                 [&](uint64_t cookie, std::span<const ss_journey> v) {
                                   if (!journey_seen_.changed(cookie, hash_of(v[0]))) return;
                                   encode_journey(raw_buf_, now, cookie, v[0]);
                                   deliver(RawKind::Journey, raw_buf_, sink, decode_);
                                 });
  journey_seen_.end();
}

// Every device of every namespace, from the kernel's own counters (the
// default tier: nothing per packet); with the per-packet hooks on, their
// NAPI and queue counts join in, one record per device, each field from one
// source. Then the host's softnet time_squeeze.
void LiveSource::read_devices(const EventSink& sink, uint64_t now) {
  std::map<DevKey, ss_dev_name> names;
  read_map<ss_dev_key, ss_dev_name>(bpf_->dev_names_fd(), "device names", 1, batch_.dev_names,
                                    [&](const ss_dev_key& k, std::span<const ss_dev_name> v) {
                                      names[DevKey{k.netns, k.ifindex}] = v[0];
                                    });
  // empty while the hooks are off: a cheap read, and right at once when
  // they are switched on while running
  std::map<DevKey, ss_dev_stats> hooks;
  read_map<ss_dev_key, ss_dev_stats>(bpf_->dev_stats_fd(), "device stats", ncpu_, batch_.dev_stats,
                                     [&](const ss_dev_key& k, std::span<const ss_dev_stats> per_cpu) {
                                       ss_dev_stats& sum = hooks[DevKey{k.netns, k.ifindex}];
                                       for (const auto& v : per_cpu) {
                                         sum.napi_polls += v.napi_polls;
                                         sum.napi_work += v.napi_work;
                                         sum.napi_budget_exhausted += v.napi_budget_exhausted;
                                         sum.tx_queued += v.tx_queued;
                                       }
                                     });
  if (!devices_) {
    try {
      devices_ = std::make_unique<DeviceCounters>(opts_.pass_interval_ns);
    } catch (const std::runtime_error& e) {
      throw UserError(e.what());
    }
  }
  std::string err;
  devices_->read(now, err);
  if (!err.empty()) pass_failed("reading the network devices failed", err);
  dev_seen_.begin();
  for (const auto& [key, r] : merge_devices(devices_->last(), hooks, names)) {
    encode_dev_stats(raw_buf_, now, ss_dev_key{key.netns, key.ifindex}, r.has_name ? &r.name : nullptr, {&r.c, 1});
    if (!dev_seen_.changed(key, hash_after_ts(raw_buf_))) continue;
    deliver(RawKind::DevStats, raw_buf_, sink, decode_);
  }
  dev_seen_.end();
  std::vector<uint64_t> squeeze;
  if (!read_softnet(squeeze, err)) {
    pass_failed("reading the receive softirq counts failed", err);
  } else if (squeeze != softnet_seen_) {
    softnet_seen_ = std::move(squeeze);
    encode_softnet(raw_buf_, now, softnet_seen_);
    deliver(RawKind::Softnet, raw_buf_, sink, decode_);
  }
}

void LiveSource::read_dev_drops(const EventSink& sink, uint64_t now) {
  dev_drops_seen_.begin();
  read_map<ss_dev_drop_key, uint64_t>(bpf_->dev_drops_fd(), "device drops", ncpu_, batch_.dev_drops,
                                      [&](const ss_dev_drop_key& k, std::span<const uint64_t> per_cpu) {
                                        encode_dev_drops(raw_buf_, now, k, per_cpu);
                                        if (!dev_drops_seen_.changed(std::make_tuple(k.netns, k.ifindex, k.reason),
                                                                     hash_after_ts(raw_buf_)))
                                          return;
                                        deliver(RawKind::DevDrops, raw_buf_, sink, decode_);
                                      });
  dev_drops_seen_.end();
}

// The LRU maps then hold live sockets rather than evicting them.
void LiveSource::forget_closed(std::vector<uint64_t>& closed) {
  std::sort(closed.begin(), closed.end());
  closed.erase(std::unique(closed.begin(), closed.end()), closed.end());
  // Only entries the read just made found: most short connections have
  // none, and each delete is a syscall.
  std::vector<uint64_t> stats, journey;
  std::vector<ss_sock_drop_key> drop_keys;
  for (uint64_t cookie : closed) {
    if (stats_seen_.seen().erase(cookie)) stats.push_back(cookie);
    if (journey_seen_.seen().erase(cookie)) journey.push_back(cookie);
    // every reason this socket had at the read just made
    auto& drops = sock_drops_seen_.seen();
    auto it = drops.lower_bound(std::make_tuple(cookie, 0u, 0u));
    while (it != drops.end() && std::get<0>(it->first) == cookie) {
      ss_sock_drop_key k{};
      std::tie(k.cookie, k.reason, k.pad) = it->first;
      drop_keys.push_back(k);
      it = drops.erase(it);
    }
  }
  delete_keys(bpf_->stats_fd(), stats, batch_.stats_delete);
  delete_keys(bpf_->sock_journey_fd(), journey, batch_.journey_delete);
  delete_keys(bpf_->sock_drops_fd(), drop_keys, batch_.sock_drops_delete);
}

void LiveSource::read_lost(const EventSink& sink) {
  std::vector<uint64_t> per_cpu(ncpu_);
  for (uint32_t k = 0; k < SS_LOST_KINDS; ++k) {
    if (bpf_map_lookup_elem(bpf_->lost_fd(), &k, per_cpu.data()) != 0) continue;
    uint64_t total = 0;
    for (auto v : per_cpu) total += v;
    if (k == SS_LOST_SKIPPED) total = bpf_->skipped_runs();  // the kernel's count, not the map's
    if (total != lost_seen_[k]) {
      lost_seen_[k] = total;
      encode_lost(raw_buf_, monotonic_ns(), static_cast<LostKind>(k), total);
      deliver(RawKind::Lost, raw_buf_, sink, decode_);
    }
  }
}

void LiveSource::resend_maps() {
  full_pass_due_ = true;
  resend_pass_due_ = iter_ != nullptr;
  resend_maps_due_ = true;
  stats_seen_.seen().clear();
  journey_seen_.seen().clear();
  dev_seen_.seen().clear();
  dev_drops_seen_.seen().clear();
  softnet_seen_.clear();
  // sock_drops_seen_ also says which entries forget_closed deletes: keep
  // the keys, change the counts so every one differs from the next read
  for (auto& [k, v] : sock_drops_seen_.seen()) v = ~0ull;
  lost_seen_.fill(~0ull);
}

// The key in top: the syscall hooks for one process, attached while
// running. Per-packet detail is not switched this way: its hooks run in
// softirq for every process and cannot be scoped to one (--detail packets).
std::string LiveSource::toggle_detail(uint32_t pid) {
  if (bpf_->tier_on(Tier::Syscalls) && bpf_->detail_pid() == 0)
    return "detail: the syscalls tier is already on for every process";
  if (bpf_->tier_on(Tier::Syscalls) && (pid == 0 || bpf_->detail_pid() == pid)) {
    uint32_t was = bpf_->detail_pid();
    bpf_->set_tier(Tier::Syscalls, false);
    bpf_->set_detail_pid(0);
    return fmt::format("detail off (syscalls for pid {})", was);
  }
  if (!pid) return "detail: select a socket that has an owner";
  bpf_->set_detail_pid(pid);
  if (std::string err = bpf_->set_tier(Tier::Syscalls, true); !err.empty())
    return fmt::format("detail: the syscall hooks could not attach: {}", err);
  return fmt::format("detail on: syscalls of pid {} (fds, time blocked, every call); D again for off", pid);
}

}  // namespace sockscope
