#include "decoder.h"

#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "abi_check.h"
#include "raw_record.h"

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

// Runs decode, which throws Bad for a malformed record, and counts the outcome.
template <class F>
DecodeStatus counted(DecodeStats& stats, F&& decode) {
  try {
    DecodeStatus st = decode();
    ++(st == DecodeStatus::Ok ? stats.ok : stats.unknown_type);
    return st;
  } catch (const Bad& b) {
    ++stats.malformed;
    stats.last_error = b.why;
    return DecodeStatus::Malformed;
  }
}

}  // namespace

DecodeStatus decode_record(std::span<const uint8_t> rec, Event& out, DecodeStats& stats) {
  return counted(stats, [&] {
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
      default: return DecodeStatus::UnknownType;
    }
    return DecodeStatus::Ok;
  });
}

StatsUpdate decode_stats(uint64_t cookie, const ss_sock_stats& v, uint64_t ts_ns) {
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

JourneyUpdate decode_journey(uint64_t cookie, const ss_journey& v, uint64_t ts_ns) {
  JourneyUpdate u;
  u.ts_ns = ts_ns;
  u.cookie = cookie;
  u.nic_to_queue = hist_of(v.nic_to_queue);
  u.queue_to_read = hist_of(v.queue_to_read);
  return u;
}

DevStatsUpdate decode_dev_stats(const ss_dev_key& key, std::span<const ss_dev_stats> per_cpu,
                                const ss_dev_name* name, uint64_t ts_ns) {
  DevStatsUpdate u;
  u.ts_ns = ts_ns;
  u.dev = {key.netns, key.ifindex};
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
  if (name) {
    // the kernel's name may fill all 16 bytes without a NUL: keep 15
    for (size_t i = 0; i + 1 < u.name.size() && name->name[i] != '\0'; ++i) u.name[i] = name->name[i];
  }
  return u;
}

DevDropsUpdate decode_dev_drops(const ss_dev_drop_key& key, std::span<const uint64_t> per_cpu, uint64_t ts_ns) {
  DevDropsUpdate u;
  u.ts_ns = ts_ns;
  u.dev = {key.netns, key.ifindex};
  u.reason = key.reason;
  for (uint64_t v : per_cpu) u.count += v;
  return u;
}

SockDropsUpdate decode_sock_drops(const ss_sock_drop_key& key, uint64_t count, uint64_t ts_ns) {
  return {ts_ns, key.cookie, key.reason, count};
}

DecodeStatus decode_seed(const RawSeed& r, Event& out, DecodeStats& stats) {
  return counted(stats, [&] {
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
    out = s;
    return DecodeStatus::Ok;
  });
}

}  // namespace sockscope
