#include "record/decode.h"

#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "record/abi_check.h"

namespace sockscope {
namespace {

struct Bad {
  std::string why;
};

template <class T>
T load(std::span<const uint8_t> rec) {
  T v;
  std::memcpy(&v, rec.data(), sizeof(T));  // records are not aligned for us
  return v;
}

Task task_of(const ss_task& t) {
  Task out;
  out.pid = t.pid;
  out.tid = t.tid;
  std::memcpy(out.comm.data(), t.comm, sizeof(t.comm));
  out.comm.back() = '\0';
  return out;
}

SockId sock_of(const ss_sock_id& s) {
  if (s.family != kAfInet && s.family != kAfInet6 && s.family != 0)
    throw Bad{fmt::format("address family {} is not inet/inet6", s.family)};
  if (s.protocol != kProtoTcp && s.protocol != kProtoUdp && s.protocol != 0)
    throw Bad{fmt::format("protocol {} is not tcp/udp", s.protocol)};
  if (s.state > kTcpStateMax) throw Bad{fmt::format("socket state {} out of range", s.state)};
  SockId id;
  id.cookie = s.cookie;
  id.sk = s.sk;
  id.netns = s.netns;
  id.inode = s.inode;
  id.family = s.family;
  id.protocol = s.protocol;
  id.type = s.type;
  id.state = s.state;
  id.local.port = s.sport;
  id.remote.port = s.dport;
  std::memcpy(id.local.addr.data(), s.saddr, 16);
  std::memcpy(id.remote.addr.data(), s.daddr, 16);
  return id;
}

TcpState state_of(uint8_t v) {
  if (v < 1 || v > kTcpStateMax) throw Bad{fmt::format("TCP state {} out of range", v)};
  return static_cast<TcpState>(v);
}

Occupancy occ_of(const ss_occupancy& o) {
  return {o.rx_queue, o.tx_queue, o.rmem_alloc, o.wmem_queued,
          o.rcvbuf,   o.sndbuf,   o.ack_backlog, o.max_ack_backlog};
}

TcpMetrics metrics_of(const ss_tcp_metrics& m) {
  return {m.srtt_us, m.rttvar_us, m.snd_cwnd, m.snd_ssthresh, m.snd_wnd, m.rcv_wnd, m.probes_out, m.ca_state};
}

TcpCounters counters_of(const ss_tcp_counters& c) {
  TcpCounters t;
  t.drops = c.drops;
  t.retrans_segs = c.retrans_segs;
  t.retrans_failed = c.retrans_failed;
  t.synack_retrans = c.synack_retrans;
  t.resets_sent = c.resets_sent;
  t.resets_received = c.resets_received;
  t.rcvqueue_full = c.rcvqueue_full;
  t.buf_limit = c.buf_limit;
  t.udp_queue_fail = c.udp_queue_fail;
  t.zero_window_sent = c.zero_window_sent;
  t.zero_window_received = c.zero_window_received;
  t.persist_probes = c.persist_probes;
  return t;
}

Histogram hist_of(const ss_hist& h) {
  Histogram out;
  out.count = h.count;
  out.sum_ns = h.sum_ns;
  out.max_ns = h.max_ns;
  // count and the buckets are separate atomics in the kernel and may
  // disagree by a sample or two: kept as read, the model ranks by buckets.
  if (h.count) out.buckets.assign(std::begin(h.bucket), std::end(h.bucket));
  return out;
}

bool flag_ok(uint8_t v) { return v <= 1; }

// TCP_CA_Open .. TCP_CA_Loss (include/net/tcp.h enum tcp_ca_state)
constexpr uint8_t kCaStateMax = 4;

template <class T>
const T need(std::span<const uint8_t> rec, const char* what) {
  // A newer ABI may append fields: a longer record is fine, a shorter not.
  if (rec.size() < sizeof(T)) throw Bad{fmt::format("{} record of {} bytes, need {}", what, rec.size(), sizeof(T))};
  return load<T>(rec);
}

Event decode_state(std::span<const uint8_t> rec) {
  auto r = need<ss_state_event>(rec, "state");
  StateChange e;
  e.ts_ns = r.hdr.ts_ns;
  e.task = task_of(r.task);
  e.sock = sock_of(r.sock);
  if (!e.sock.cookie) throw Bad{"state record without a socket cookie"};
  e.old_state = state_of(r.old_state);
  e.new_state = state_of(r.new_state);
  return e;
}

// Steps are stamped on the CPU each change ran on, and a run goes out from
// another CPU (the next change's, an iterator pass's), whose reading of the
// monotonic clock can trail by a little: seen by a few microseconds in a
// 2-CPU guest under qemu, where strict order cost the listener's and the
// accepted socket's whole runs. A step up to this much earlier than the one
// before it, or later than its record, is taken as simultaneous with it;
// more than that is a malformed record.
constexpr uint64_t kClockSkewNs = 100'000'000;

// Steps in time order (within kClockSkewNs), each a move between two valid
// states, each starting where the one before ended.
Event decode_state_run(std::span<const uint8_t> rec, std::vector<Event>& more) {
  auto r = need<ss_state_run>(rec, "state run");
  if (r.n < 1 || r.n > SS_RUN_STEPS) throw Bad{fmt::format("state run of {} steps", r.n)};
  StateChange first;
  first.sock = sock_of(r.sock);
  if (!first.sock.cookie) throw Bad{"state run without a socket cookie"};
  uint64_t prev_ts = 0;
  for (uint8_t i = 0; i < r.n; ++i) {
    const ss_state_step& p = r.steps[i];
    StateChange e;
    e.task.pid = e.task.tid = p.pid;
    e.sock = first.sock;
    e.old_state = state_of(p.old_state);
    e.new_state = state_of(p.new_state);
    if (i > 0 && p.old_state != r.steps[i - 1].new_state)
      throw Bad{fmt::format("state run step {} ({}>{}) does not start where step {} ({}>{}) ended", i, p.old_state,
                            p.new_state, i - 1, r.steps[i - 1].old_state, r.steps[i - 1].new_state)};
    if (i > 0 && p.ts_ns + kClockSkewNs < prev_ts)
      throw Bad{fmt::format("state run step {} is {} ns before step {}", i, prev_ts - p.ts_ns, i - 1)};
    if (p.ts_ns > r.hdr.ts_ns + kClockSkewNs) throw Bad{"state run step later than its record"};
    // within the skew: in order, and no later than the record
    e.ts_ns = std::min<uint64_t>(std::max<uint64_t>(p.ts_ns, prev_ts), r.hdr.ts_ns);
    prev_ts = e.ts_ns;
    if (i == 0) first = e;
    else more.push_back(e);
  }
  // as in a single state record, sock.state is the state left
  for (auto& e : more) {
    auto& c = std::get<StateChange>(e);
    c.sock.state = uint8_t(c.old_state);
  }
  first.sock.state = uint8_t(first.old_state);
  return first;
}

Event decode_syscall(std::span<const uint8_t> rec) {
  auto r = need<ss_syscall_event>(rec, "syscall");
  if (r.call < 1 || r.call > kCallMax) throw Bad{fmt::format("syscall kind {} out of range", r.call)};
  SyscallEvent e;
  e.ts_ns = r.hdr.ts_ns;
  e.enter_ns = r.enter_ns;
  if (e.enter_ns > e.ts_ns) throw Bad{"syscall entered after it returned"};
  e.task = task_of(r.task);
  e.sock = sock_of(r.sock);
  e.ret = r.ret;
  e.fd = r.fd;
  e.call = static_cast<Call>(r.call);
  if (r.origin > kCallOriginMax) throw Bad{fmt::format("syscall origin {} out of range", r.origin)};
  e.origin = static_cast<CallOrigin>(r.origin);
  e.arg0 = r.arg0;
  e.arg1 = r.arg1;
  e.arg2 = r.arg2;
  e.addr_family = r.addr_family;
  e.addr.port = r.addr_port;
  std::memcpy(e.addr.addr.data(), r.addr, 16);
  return e;
}

Event decode_sample(std::span<const uint8_t> rec) {
  auto r = need<ss_sample_event>(rec, "sample");
  if (r.why < 1 || r.why > SS_SAMPLE_WHY_MAX) throw Bad{fmt::format("sample reason {} out of range", r.why)};
  Sample e;
  e.ts_ns = r.hdr.ts_ns;
  e.sock = sock_of(r.sock);
  e.occ = occ_of(r.occ);
  e.why = static_cast<SampleWhy>(r.why);
  return e;
}

Event decode_drop(std::span<const uint8_t> rec) {
  auto r = need<ss_drop_event>(rec, "drop");
  if (r.origin < 1 || r.origin > kDropOriginMax) throw Bad{fmt::format("drop origin {} out of range", r.origin)};
  if (!flag_ok(r.from_packet)) throw Bad{fmt::format("drop from_packet {} is not 0 or 1", r.from_packet)};
  // sock_exceed_buf_limit's kind: SK_MEM_SEND 0, SK_MEM_RECV 1
  if (r.origin == SS_DROP_EXCEED_BUF && r.reason > 1)
    throw Bad{fmt::format("buffer-limit drop direction {} is not 0 or 1", r.reason)};
  Drop e;
  e.ts_ns = r.hdr.ts_ns;
  e.sock = sock_of(r.sock);  // cookie 0: a drop with no socket
  e.from_packet = r.from_packet;
  e.origin = static_cast<DropOrigin>(r.origin);
  e.reason = r.reason;
  e.ifindex = r.ifindex;
  e.dev_netns = r.dev_netns;
  e.len = r.len;
  e.location = r.location;
  e.suppressed = r.suppressed;
  return e;
}

Event decode_tcp(std::span<const uint8_t> rec) {
  auto r = need<ss_tcp_event>(rec, "tcp");
  if (r.kind < 1 || r.kind > kTcpKindMax) throw Bad{fmt::format("tcp record kind {} out of range", r.kind)};
  if (!flag_ok(r.from_packet)) throw Bad{fmt::format("tcp from_packet {} is not 0 or 1", r.from_packet)};
  // Only a reset answering a packet that found no socket lacks one.
  if (!r.sock.cookie && !(r.kind == SS_TCP_RESET_SENT && r.from_packet))
    throw Bad{fmt::format("tcp record of kind {} without a socket cookie", r.kind)};
  if (r.m.ca_state > kCaStateMax) throw Bad{fmt::format("congestion state {} out of range", r.m.ca_state)};
  TcpEvent e;
  e.ts_ns = r.hdr.ts_ns;
  e.sock = sock_of(r.sock);
  e.from_packet = r.from_packet;
  e.kind = static_cast<TcpKind>(r.kind);
  e.m = metrics_of(r.m);
  e.reason = r.reason;
  e.err = r.err;
  e.segs = r.segs;
  e.suppressed = r.suppressed;
  return e;
}


// ABI 4 and 5 records are kSockInfoAbi5Size bytes: what they lack reads 0.
ss_sock_info sock_info_record(std::span<const uint8_t> rec) {
  if (rec.size() >= sizeof(ss_sock_info)) return load<ss_sock_info>(rec);
  if (rec.size() < kSockInfoAbi5Size)
    throw Bad{fmt::format("socket record of {} bytes, need {}", rec.size(), kSockInfoAbi5Size)};
  ss_sock_info r{};
  std::memcpy(&r, rec.data(), rec.size());
  return r;
}

Event decode_sock_info(std::span<const uint8_t> rec) {
  auto r = sock_info_record(rec);
  if (r.origin < 1 || r.origin > SS_SOCK_ORIGIN_MAX) throw Bad{fmt::format("socket record origin {} out of range", r.origin)};
  if (r.kind < 1 || r.kind > SS_SK_KIND_MAX) throw Bad{fmt::format("socket record kind {} out of range", r.kind)};
  if (r.m.ca_state > kCaStateMax) throw Bad{fmt::format("congestion state {} out of range", r.m.ca_state)};
  SockInfo e;
  e.ts_ns = r.hdr.ts_ns;
  e.sock = sock_of(r.sock);
  if (!e.sock.cookie) throw Bad{"socket record without a socket cookie"};
  if (e.sock.family == 0 || e.sock.protocol == 0) throw Bad{"socket record without family or protocol"};
  state_of(r.sock.state);  // a socket the kernel has is in some state
  if (r.kind != SS_SK_FULL && e.sock.protocol != kProtoTcp) throw Bad{"a timewait or request socket that is not TCP"};
  if (r.kind == SS_SK_TIMEWAIT && r.sock.state != uint8_t(TcpState::TimeWait) && r.sock.state != uint8_t(TcpState::FinWait2))
    throw Bad{fmt::format("timewait socket in state {}", r.sock.state)};
  e.occ = occ_of(r.occ);
  e.m = metrics_of(r.m);
  e.k.bytes_sent = r.bytes_sent;
  e.k.bytes_acked = r.bytes_acked;
  e.k.bytes_received = r.bytes_received;
  e.k.segs_out = r.segs_out;
  e.k.segs_in = r.segs_in;
  e.k.total_retrans = r.total_retrans;
  e.k.sk_drops = r.sk_drops;
  e.last_send_ms = r.last_send_ms;
  e.last_recv_ms = r.last_recv_ms;
  e.last_ack_ms = r.last_ack_ms;
  e.tw_left_ms = r.tw_left_ms;
  e.uid = r.uid;
  e.err = r.err;
  e.origin = static_cast<SockOrigin>(r.origin);
  e.kind = static_cast<SockKind>(r.kind);
  e.bound_dev_if = r.bound_dev_if;
  e.cgroup_id = r.cgroup_id;
  return e;
}

Event decode_file(std::span<const uint8_t> rec) {
  auto r = need<ss_file_event>(rec, "file");
  FileHolder e;
  e.ts_ns = r.hdr.ts_ns;
  e.task = task_of(r.task);
  if (!e.task.pid) throw Bad{"file record without a process"};
  if (!r.cookie && !r.sk) throw Bad{"file record names no socket"};
  if (r.fd < 0) throw Bad{fmt::format("file record with fd {}", r.fd)};
  if (r.family != kAfInet && r.family != kAfInet6) throw Bad{fmt::format("address family {} is not inet/inet6", r.family)};
  if (r.protocol != kProtoTcp && r.protocol != kProtoUdp) throw Bad{fmt::format("protocol {} is not tcp/udp", r.protocol)};
  e.cookie = r.cookie;
  e.sk = r.sk;
  e.inode = r.inode;
  e.fd = r.fd;
  e.netns = r.netns;
  e.family = r.family;
  e.protocol = r.protocol;
  e.state = state_of(r.state) == TcpState::Unknown ? 0 : r.state;
  return e;
}

// Map values are fixed-size; their contents are still checked where a
// range matters.
StatsUpdate stats_of(uint64_t cookie, const ss_sock_stats& v, uint64_t ts_ns) {
  StatsUpdate u;
  u.ts_ns = ts_ns;
  u.cookie = cookie;
  u.sk = v.sk;
  u.bytes_sent = v.bytes_sent;
  u.bytes_received = v.bytes_received;
  u.send_calls = v.send_calls;
  u.recv_calls = v.recv_calls;
  u.send_ns = v.send_ns;
  u.recv_ns = v.recv_ns;
  u.send_ns_max = v.send_ns_max;
  u.recv_ns_max = v.recv_ns_max;
  u.last_send_ns = v.last_send_ns;
  u.last_recv_ns = v.last_recv_ns;
  u.last_sample_ns = v.last_sample_ns;
  u.occ = occ_of(v.occ);
  u.occ_max = occ_of(v.occ_max);
  u.owner_pid = v.owner_pid;
  u.tcp = counters_of(v.tcp);
  u.metrics = metrics_of(v.metrics);
  u.metrics_ns = v.metrics_ns;
  return u;
}

// A histogram with count 0 has no buckets.
JourneyUpdate journey_of(uint64_t cookie, const ss_journey& v, uint64_t ts_ns) {
  JourneyUpdate u;
  u.ts_ns = ts_ns;
  u.cookie = cookie;
  u.nic_to_queue = hist_of(v.nic_to_queue);
  u.queue_to_read = hist_of(v.queue_to_read);
  return u;
}

// One device's per-CPU counters, summed; its name when known.
DevStatsUpdate dev_stats_of(const RawDevStats& r, const std::vector<ss_dev_stats>& per_cpu) {
  DevStatsUpdate u;
  u.ts_ns = r.ts_ns;
  u.dev = {r.key.netns, r.key.ifindex};
  for (const auto& v : per_cpu) {
    u.c.rx_packets += v.rx_packets;
    u.c.rx_bytes += v.rx_bytes;
    u.c.napi_polls += v.napi_polls;
    u.c.napi_work += v.napi_work;
    u.c.napi_budget_exhausted += v.napi_budget_exhausted;
    u.c.tx_queued += v.tx_queued;
    u.c.tx_packets += v.tx_packets;
    u.c.tx_bytes += v.tx_bytes;
    u.c.tx_errors += v.tx_errors;
  }
  if (r.has_name) {
    // the kernel's name may fill all 16 bytes without a NUL: keep 15
    for (size_t i = 0; i + 1 < u.name.size() && r.name.name[i] != '\0'; ++i) u.name[i] = r.name.name[i];
  }
  return u;
}

DevDropsUpdate dev_drops_of(const RawDevDrops& r, const std::vector<uint64_t>& per_cpu) {
  DevDropsUpdate u;
  u.ts_ns = r.ts_ns;
  u.dev = {r.key.netns, r.key.ifindex};
  u.reason = r.key.reason;
  for (uint64_t v : per_cpu) u.count += v;
  return u;
}

SockSeed seed_of(const RawSeed& r) {
  SockSeed s;
  s.ts_ns = r.ts_ns;
  s.sock = sock_of(r.sock);
  if (s.sock.family == 0 || s.sock.protocol == 0 || s.sock.cookie == 0)
    throw Bad{"seed without family, protocol or cookie"};
  s.occ = occ_of(r.occ);
  s.inode = r.inode;
  s.uid = r.uid;
  s.pid = r.pid;
  s.fd = r.fd;
  std::memcpy(s.comm.data(), r.comm, sizeof(r.comm));
  s.comm.back() = '\0';
  return s;
}

// A socket's end: its last run, then its final read, which has a header
// of its own (ss_state_end); a newer ABI may append fields after both.
Event decode_state_end(std::span<const uint8_t> rec, std::vector<Event>& more) {
  if (rec.size() < sizeof(ss_state_end))
    throw Bad{fmt::format("socket end record of {} bytes, need {}", rec.size(), sizeof(ss_state_end))};
  auto fin = rec.subspan(offsetof(ss_state_end, fin), sizeof(ss_sock_info));
  auto h = load<ss_hdr>(fin);
  if (h.type != SS_EV_SOCK || h.size != sizeof(ss_sock_info))
    throw Bad{fmt::format("socket end record holds a record of type {} and {} bytes, not a socket", h.type, h.size)};
  Event first = decode_state_run(rec.first(sizeof(ss_state_run)), more);
  Event info = decode_sock_info(fin);
  const auto& s = std::get<SockInfo>(info);
  const auto& last = more.empty() ? std::get<StateChange>(first) : std::get<StateChange>(more.back());
  if (s.origin != SockOrigin::Final || s.sock.cookie != last.sock.cookie || s.ts_ns != load<ss_hdr>(rec).ts_ns)
    throw Bad{"socket end record whose final read is not that socket's, at that time"};
  if (last.new_state != TcpState::Close && last.new_state != TcpState::TimeWait)
    throw Bad{"socket end record whose run does not end the socket"};
  more.push_back(std::move(info));
  return first;
}

// One ring-buffer record, as the kernel wrote it: {type, size, ts} first.
DecodeStatus decode_kernel(std::span<const uint8_t> rec, Event& out, std::vector<Event>& more) {
  if (rec.size() < sizeof(ss_hdr)) throw Bad{fmt::format("record of {} bytes is shorter than a header", rec.size())};
  auto h = load<ss_hdr>(rec);
  if (h.size < sizeof(ss_hdr) || h.size > rec.size())
    throw Bad{fmt::format("header says {} bytes, record has {}", h.size, rec.size())};
  rec = rec.first(h.size);
  switch (h.type) {
    case SS_EV_STATE: out = decode_state(rec); break;
    case SS_EV_SYSCALL: out = decode_syscall(rec); break;
    case SS_EV_SAMPLE: out = decode_sample(rec); break;
    case SS_EV_DROP: out = decode_drop(rec); break;
    case SS_EV_TCP: out = decode_tcp(rec); break;
    case SS_EV_SOCK: out = decode_sock_info(rec); break;
    case SS_EV_FILE: out = decode_file(rec); break;
    case SS_EV_STATE_RUN: out = decode_state_run(rec, more); break;
    case SS_EV_STATE_END: out = decode_state_end(rec, more); break;
    default: return DecodeStatus::UnknownType;
  }
  return DecodeStatus::Ok;
}

// A fixed-size layout of ours: exactly sizeof(T) bytes.
template <class T>
T exact(std::span<const uint8_t> b, const char* what) {
  if (b.size() != sizeof(T)) throw Bad{fmt::format("{} record of {} bytes, expected {}", what, b.size(), sizeof(T))};
  return load<T>(b);
}

// The fixed part T, then exactly ncpu values of V (ncpu read from T); the
// values are copied out, since file bytes are not aligned for V.
template <class T, class V>
std::vector<V> per_cpu(std::span<const uint8_t> b, uint32_t ncpu, const char* what) {
  if (ncpu < 1 || ncpu > kMaxRawCpus || b.size() != sizeof(T) + size_t(ncpu) * sizeof(V))
    throw Bad{fmt::format("{} record of {} bytes for {} CPUs", what, b.size(), ncpu)};
  std::vector<V> v(ncpu);
  std::memcpy(v.data(), b.data() + sizeof(T), v.size() * sizeof(V));
  return v;
}

template <class T>
T at_least(std::span<const uint8_t> b, const char* what) {
  if (b.size() < sizeof(T)) throw Bad{fmt::format("{} record too short", what)};
  return load<T>(b);
}

DecodeStatus decode_any(RawKind kind, std::span<const uint8_t> b, Event& out, std::vector<Event>& more) {
  switch (kind) {
    case RawKind::Kernel:
      return decode_kernel(b, out, more);
    case RawKind::SockStats: {
      auto r = exact<RawSockStats>(b, "socket stats");
      out = stats_of(r.cookie, r.v, r.ts_ns);
      return DecodeStatus::Ok;
    }
    case RawKind::SockDrops: {
      auto r = exact<RawSockDrops>(b, "socket drops");
      out = SockDropsUpdate{r.ts_ns, r.key.cookie, r.key.reason, r.count};
      return DecodeStatus::Ok;
    }
    case RawKind::Journey: {
      auto r = exact<RawJourney>(b, "journey");
      out = journey_of(r.cookie, r.v, r.ts_ns);
      return DecodeStatus::Ok;
    }
    case RawKind::DevStats: {
      auto r = at_least<RawDevStats>(b, "device stats");
      if (r.has_name > 1) throw Bad{fmt::format("device stats record with has_name {}", r.has_name)};
      out = dev_stats_of(r, per_cpu<RawDevStats, ss_dev_stats>(b, r.ncpu, "device stats"));
      return DecodeStatus::Ok;
    }
    case RawKind::DevDrops: {
      auto r = at_least<RawDevDrops>(b, "device drops");
      out = dev_drops_of(r, per_cpu<RawDevDrops, uint64_t>(b, r.ncpu, "device drops"));
      return DecodeStatus::Ok;
    }
    case RawKind::Seed:
      out = seed_of(exact<RawSeed>(b, "seed"));
      return DecodeStatus::Ok;
    case RawKind::Lost: {
      auto r = exact<RawLost>(b, "lost");
      if (r.kind >= uint32_t(LostKind::Count)) throw Bad{fmt::format("lost kind {} unknown", r.kind)};
      out = Lost{r.ts_ns, LostKind(r.kind), r.total};
      return DecodeStatus::Ok;
    }
    case RawKind::PassEnd: {
      auto r = exact<RawPassEnd>(b, "pass end");
      if (r.what < 1 || r.what > kPassWhatMax) throw Bad{fmt::format("pass kind {} unknown", r.what)};
      if (r.start_ns > r.ts_ns) throw Bad{"pass ended before it started"};
      out = PassEnd{r.ts_ns, r.start_ns, r.netns, PassWhat(r.what), r.count};
      return DecodeStatus::Ok;
    }
    case RawKind::PassDelta: {
      auto r = at_least<RawPassDelta>(b, "delta pass end");
      if (r.what != uint8_t(PassWhat::Tcp) && r.what != uint8_t(PassWhat::Udp))
        throw Bad{fmt::format("delta pass kind {} unknown", r.what)};
      if (r.start_ns > r.ts_ns) throw Bad{"pass ended before it started"};
      if (b.size() != sizeof(r) + size_t(r.ngone) * sizeof(uint64_t))
        throw Bad{fmt::format("delta pass end of {} bytes for {} gone sockets", b.size(), r.ngone)};
      std::vector<uint64_t> gone(r.ngone);
      // (an empty vector's data() may be null, which memcpy must not get)
      if (!gone.empty()) std::memcpy(gone.data(), b.data() + sizeof(r), gone.size() * sizeof(uint64_t));
      out = PassEnd{r.ts_ns, r.start_ns, r.netns, PassWhat(r.what), r.count, true, std::move(gone)};
      return DecodeStatus::Ok;
    }
    case RawKind::Softnet: {
      auto r = at_least<RawSoftnet>(b, "softnet");
      out = SoftnetUpdate{r.ts_ns, per_cpu<RawSoftnet, uint64_t>(b, r.ncpu, "softnet")};
      return DecodeStatus::Ok;
    }
    case RawKind::End:  // carries no event
      break;
  }
  return DecodeStatus::UnknownType;
}

}  // namespace

DecodeStatus decode(RawKind kind, std::span<const uint8_t> bytes, Event& out, std::vector<Event>& more,
                    DecodeStats& stats) {
  more.clear();
  try {
    DecodeStatus st = decode_any(kind, bytes, out, more);
    ++(st == DecodeStatus::Ok ? stats.ok : stats.unknown_type);
    return st;
  } catch (const Bad& b) {
    more.clear();
    ++stats.malformed;
    stats.last_error = b.why;
    return DecodeStatus::Malformed;
  }
}

}  // namespace sockscope
