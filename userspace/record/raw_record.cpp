#include "record/raw_record.h"

#include <cstddef>
#include <cstring>

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

}  // namespace

static_assert(offsetof(RawSockStats, ts_ns) == 0 && offsetof(RawSockDrops, ts_ns) == 0 &&
                  offsetof(RawJourney, ts_ns) == 0 && offsetof(RawDevStats, ts_ns) == 0 &&
                  offsetof(RawDevDrops, ts_ns) == 0 && offsetof(RawSeed, ts_ns) == 0 &&
                  offsetof(RawLost, ts_ns) == 0 && offsetof(RawEnd, ts_ns) == 0 &&
                  offsetof(RawPassEnd, ts_ns) == 0 && offsetof(RawPassDelta, ts_ns) == 0 &&
                  offsetof(RawSoftnet, ts_ns) == 0,
              "raw_ts reads every layout's timestamp at its start");

uint64_t raw_ts(uint16_t kind, std::span<const uint8_t> bytes) {
  if (kind == 0 || kind > kRawKindMax) return 0;
  size_t at = kind == uint16_t(RawKind::Kernel) ? offsetof(ss_hdr, ts_ns) : 0;
  uint64_t ts = 0;
  if (bytes.size() >= at + sizeof(ts)) std::memcpy(&ts, bytes.data() + at, sizeof(ts));
  return ts;
}

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

RawKind encode_pass_end(std::vector<uint8_t>& out, const PassEnd& p) {
  out.clear();
  if (p.delta) {
    RawPassDelta d{};
    d.ts_ns = p.ts_ns;
    d.start_ns = p.start_ns;
    d.netns = p.netns;
    d.count = p.count;
    d.ngone = uint32_t(p.gone.size());
    d.what = uint8_t(p.what);
    put(out, d);
    put_all(out, std::span<const uint64_t>(p.gone));
    return RawKind::PassDelta;
  }
  RawPassEnd r{};
  r.ts_ns = p.ts_ns;
  r.start_ns = p.start_ns;
  r.netns = p.netns;
  r.count = p.count;
  r.what = uint8_t(p.what);
  put(out, r);
  return RawKind::PassEnd;
}

void encode_softnet(std::vector<uint8_t>& out, uint64_t ts_ns, std::span<const uint64_t> time_squeeze) {
  out.clear();
  put(out, RawSoftnet{ts_ns, uint32_t(time_squeeze.size()), 0});
  put_all(out, time_squeeze);
}

}  // namespace sockscope
