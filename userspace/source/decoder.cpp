#include "decoder.h"

#include <cstring>

#include <fmt/format.h>

#include "abi_check.h"

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

}  // namespace

DecodeStatus decode_record(std::span<const uint8_t> rec, Event& out, DecodeStats& stats) {
  try {
    if (rec.size() < sizeof(ss_hdr)) throw Bad{fmt::format("record of {} bytes is shorter than a header", rec.size())};
    auto h = load<ss_hdr>(rec);
    if (h.size < sizeof(ss_hdr) || h.size > rec.size())
      throw Bad{fmt::format("header says {} bytes, record has {}", h.size, rec.size())};
    rec = rec.first(h.size);
    switch (h.type) {
      case SS_EV_STATE: out = decode_state(rec); break;
      case SS_EV_SYSCALL: out = decode_syscall(rec); break;
      case SS_EV_SAMPLE: out = decode_sample(rec); break;
      default:
        ++stats.unknown_type;
        return DecodeStatus::UnknownType;
    }
    ++stats.ok;
    return DecodeStatus::Ok;
  } catch (const Bad& b) {
    ++stats.malformed;
    stats.last_error = b.why;
    return DecodeStatus::Malformed;
  }
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
  return u;
}

}  // namespace sockscope
