#include "raw_record.h"

#include <cstring>

#include <fmt/format.h>

namespace sockscope {
namespace {

void put_bytes(std::vector<uint8_t>& out, const void* p, size_t n) {
  size_t at = out.size();
  out.resize(at + n);
  if (n) std::memcpy(out.data() + at, p, n);
}

template <class T>
void put(std::vector<uint8_t>& out, const T& v) {
  put_bytes(out, &v, sizeof(T));
}

template <class T>
void put_all(std::vector<uint8_t>& out, std::span<const T> v) {
  put_bytes(out, v.data(), v.size_bytes());
}

template <class T>
T load(std::span<const uint8_t> b) {
  T v;
  std::memcpy(&v, b.data(), sizeof(T));  // file bytes are not aligned for us
  return v;
}

DecodeStatus malformed(DecodeStats& stats, std::string why) {
  ++stats.malformed;
  stats.last_error = std::move(why);
  return DecodeStatus::Malformed;
}

DecodeStatus ok(DecodeStats& stats) {
  ++stats.ok;
  return DecodeStatus::Ok;
}

// The fixed part T, then exactly n values of V, where n is read from T.
template <class T, class V>
bool per_cpu_ok(std::span<const uint8_t> b, uint32_t ncpu) {
  return ncpu >= 1 && ncpu <= kMaxRawCpus && b.size() == sizeof(T) + size_t(ncpu) * sizeof(V);
}

}  // namespace

void encode_sock_stats(std::vector<uint8_t>& out, uint64_t ts_ns, uint64_t cookie, const ss_sock_stats& v) {
  out.clear();
  put(out, RawSockStats{ts_ns, cookie, v});
}

void encode_sock_drops(std::vector<uint8_t>& out, uint64_t ts_ns, const ss_sock_drop_key& k, uint64_t count) {
  out.clear();
  put(out, RawSockDrops{ts_ns, k, count});
}

void encode_journey(std::vector<uint8_t>& out, uint64_t ts_ns, uint64_t cookie, const ss_journey& v) {
  out.clear();
  put(out, RawJourney{ts_ns, cookie, v});
}

void encode_dev_stats(std::vector<uint8_t>& out, uint64_t ts_ns, const ss_dev_key& k, const ss_dev_name* name,
                      std::span<const ss_dev_stats> per_cpu) {
  out.clear();
  RawDevStats r{};
  r.ts_ns = ts_ns;
  r.key = k;
  if (name) r.name = *name;
  r.has_name = name != nullptr;
  r.ncpu = uint32_t(per_cpu.size());
  put(out, r);
  put_all(out, per_cpu);
}

void encode_dev_drops(std::vector<uint8_t>& out, uint64_t ts_ns, const ss_dev_drop_key& k,
                      std::span<const uint64_t> per_cpu) {
  out.clear();
  put(out, RawDevDrops{ts_ns, k, uint32_t(per_cpu.size()), 0});
  put_all(out, per_cpu);
}

void encode_seed(std::vector<uint8_t>& out, const SockSeed& s) {
  out.clear();
  RawSeed r{};
  r.ts_ns = s.ts_ns;
  r.sock.cookie = s.sock.cookie;
  r.sock.sk = s.sock.sk;
  r.sock.netns = s.sock.netns;
  r.sock.inode = s.sock.inode;
  r.sock.family = s.sock.family;
  r.sock.protocol = s.sock.protocol;
  r.sock.sport = s.sock.local.port;
  r.sock.dport = s.sock.remote.port;
  r.sock.type = s.sock.type;
  r.sock.state = s.sock.state;
  std::memcpy(r.sock.saddr, s.sock.local.addr.data(), 16);
  std::memcpy(r.sock.daddr, s.sock.remote.addr.data(), 16);
  r.occ = {s.occ.rx_queue, s.occ.tx_queue, s.occ.rmem_alloc, s.occ.wmem_queued,
           s.occ.rcvbuf,   s.occ.sndbuf,   s.occ.ack_backlog, s.occ.max_ack_backlog};
  r.inode = s.inode;
  r.uid = s.uid;
  r.pid = s.pid;
  r.fd = s.fd;
  std::memcpy(r.comm, s.comm.data(), sizeof(r.comm));
  put(out, r);
}

void encode_lost(std::vector<uint8_t>& out, uint64_t ts_ns, LostKind kind, uint64_t total) {
  out.clear();
  put(out, RawLost{ts_ns, uint32_t(kind), 0, total});
}

void encode_end(std::vector<uint8_t>& out, uint64_t ts_ns) {
  out.clear();
  put(out, RawEnd{ts_ns});
}

DecodeStatus decode_raw(RawKind kind, std::span<const uint8_t> b, Event& out, DecodeStats& stats) {
  auto exact = [&](size_t want, const char* what) {
    if (b.size() == want) return true;
    malformed(stats, fmt::format("{} record of {} bytes, expected {}", what, b.size(), want));
    return false;
  };
  switch (kind) {
    case RawKind::Kernel:
      return decode_record(b, out, stats);
    case RawKind::SockStats: {
      if (!exact(sizeof(RawSockStats), "socket stats")) return DecodeStatus::Malformed;
      auto r = load<RawSockStats>(b);
      out = decode_stats(r.cookie, r.v, r.ts_ns);
      return ok(stats);
    }
    case RawKind::SockDrops: {
      if (!exact(sizeof(RawSockDrops), "socket drops")) return DecodeStatus::Malformed;
      auto r = load<RawSockDrops>(b);
      out = decode_sock_drops(r.key, r.count, r.ts_ns);
      return ok(stats);
    }
    case RawKind::Journey: {
      if (!exact(sizeof(RawJourney), "journey")) return DecodeStatus::Malformed;
      auto r = load<RawJourney>(b);
      out = decode_journey(r.cookie, r.v, r.ts_ns);
      return ok(stats);
    }
    case RawKind::DevStats: {
      if (b.size() < sizeof(RawDevStats)) return malformed(stats, "device stats record too short");
      auto r = load<RawDevStats>(b);
      if (r.has_name > 1 || !per_cpu_ok<RawDevStats, ss_dev_stats>(b, r.ncpu))
        return malformed(stats, fmt::format("device stats record of {} bytes for {} CPUs", b.size(), r.ncpu));
      std::vector<ss_dev_stats> v(r.ncpu);
      std::memcpy(v.data(), b.data() + sizeof(r), v.size() * sizeof(ss_dev_stats));
      out = decode_dev_stats(r.key, v, r.has_name ? &r.name : nullptr, r.ts_ns);
      return ok(stats);
    }
    case RawKind::DevDrops: {
      if (b.size() < sizeof(RawDevDrops)) return malformed(stats, "device drops record too short");
      auto r = load<RawDevDrops>(b);
      if (!per_cpu_ok<RawDevDrops, uint64_t>(b, r.ncpu))
        return malformed(stats, fmt::format("device drops record of {} bytes for {} CPUs", b.size(), r.ncpu));
      std::vector<uint64_t> v(r.ncpu);
      std::memcpy(v.data(), b.data() + sizeof(r), v.size() * sizeof(uint64_t));
      out = decode_dev_drops(r.key, v, r.ts_ns);
      return ok(stats);
    }
    case RawKind::Seed: {
      if (!exact(sizeof(RawSeed), "seed")) return DecodeStatus::Malformed;
      return decode_seed(load<RawSeed>(b), out, stats);
    }
    case RawKind::Lost: {
      if (!exact(sizeof(RawLost), "lost")) return DecodeStatus::Malformed;
      auto r = load<RawLost>(b);
      if (r.kind >= uint32_t(LostKind::Count)) return malformed(stats, fmt::format("lost kind {} unknown", r.kind));
      out = Lost{r.ts_ns, LostKind(r.kind), r.total};
      return ok(stats);
    }
    case RawKind::End:
      break;
  }
  ++stats.unknown_type;
  return DecodeStatus::UnknownType;
}

}  // namespace sockscope
