#include "tests/support/synthetic.h"

#include <cstring>
#include <random>
#include <vector>

namespace sockscope::synth {
namespace {

struct Conn {
  ss_sock_id id{};
  uint32_t pid = 0;
  uint32_t samples_left = 0;
  uint64_t bytes = 0;
};

template <class T>
std::span<const uint8_t> bytes_of(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(T)};
}

ss_task task_of(const Conn& c) {
  ss_task t{};
  t.pid = c.pid;
  t.tid = c.pid;
  std::memcpy(t.comm, "synth-client", 13);
  return t;
}

}  // namespace

uint64_t generate(const Options& o, const Out& out) {
  std::mt19937_64 rng(o.seed);
  uint64_t ts = o.start_ns;
  uint64_t made = 0;
  auto hdr = [&](uint16_t type, uint16_t size) {
    ts += 200 + rng() % 2000;
    ss_hdr h{};
    h.type = type;
    h.size = size;
    h.cpu = uint32_t(rng() % 2);
    h.ts_ns = ts;
    return h;
  };
  auto state = [&](Conn& c, uint8_t from, uint8_t to) {
    ss_state_event e{};
    e.hdr = hdr(SS_EV_STATE, sizeof(e));
    e.task = task_of(c);
    c.id.state = to;
    e.sock = c.id;
    e.old_state = from;
    e.new_state = to;
    out(RawKind::Kernel, bytes_of(e));
    ++made;
  };
  auto call = [&](Conn& c, uint16_t which, int64_t ret) {
    ss_syscall_event e{};
    e.hdr = hdr(SS_EV_SYSCALL, sizeof(e));
    e.task = task_of(c);
    e.sock = c.id;
    e.enter_ns = e.hdr.ts_ns - 1000;
    e.ret = ret;
    e.fd = 3 + int32_t(c.id.cookie % 1000);
    e.call = which;
    e.arg0 = which == SS_CALL_CLOSE ? 1 : 0;
    out(RawKind::Kernel, bytes_of(e));
    ++made;
  };
  auto sample = [&](Conn& c) {
    ss_sample_event e{};
    e.hdr = hdr(SS_EV_SAMPLE, sizeof(e));
    e.sock = c.id;
    e.occ.rx_queue = uint32_t(rng() % 65536);
    e.occ.tx_queue = uint32_t(rng() % 65536);
    e.occ.rmem_alloc = e.occ.rx_queue + 768;
    e.occ.wmem_queued = e.occ.tx_queue + 768;
    e.occ.rcvbuf = 131072;
    e.occ.sndbuf = 16384;
    e.why = uint8_t(1 + rng() % 3);
    out(RawKind::Kernel, bytes_of(e));
    ++made;
  };
  auto stats = [&](Conn& c) {
    ss_sock_stats v{};
    v.sk = c.id.sk;
    c.bytes += rng() % 100000;
    v.bytes_sent = c.bytes;
    v.bytes_received = c.bytes / 2;
    v.send_calls = c.bytes / 1000;
    v.recv_calls = c.bytes / 2000;
    v.owner_pid = c.pid;
    std::vector<uint8_t> buf;
    encode_sock_stats(buf, ts, c.id.cookie, v);
    out(RawKind::SockStats, buf);
    ++made;
  };

  std::vector<Conn> open;
  uint64_t next_cookie = 4096;
  uint32_t started = 0;
  while (started < o.connections || !open.empty()) {
    if (started < o.connections && open.size() < o.concurrent) {
      Conn c;
      c.id.cookie = next_cookie++;
      c.id.sk = 0xffff888000000000ull + c.id.cookie * 2048;
      c.id.netns = 4026531840u;
      c.id.inode = uint32_t(100000 + c.id.cookie);
      c.id.family = 2;
      c.id.protocol = 6;
      c.id.type = 1;
      c.id.sport = uint16_t(32768 + c.id.cookie % 28000);
      c.id.dport = 8080;
      uint8_t lo[4] = {127, 0, 0, 1};
      std::memcpy(c.id.saddr, lo, 4);
      std::memcpy(c.id.daddr, lo, 4);
      c.pid = 1000 + uint32_t(rng() % 50);
      c.samples_left = o.samples_per_connection;
      call(c, SS_CALL_SOCKET, c.id.inode % 1000 + 3);
      state(c, 7, 2);   // CLOSE -> SYN_SENT
      state(c, 2, 1);   // SYN_SENT -> ESTABLISHED
      call(c, SS_CALL_CONNECT, 0);
      open.push_back(c);
      ++started;
      continue;
    }
    size_t i = rng() % open.size();
    Conn& c = open[i];
    if (c.samples_left) {
      --c.samples_left;
      sample(c);
      if (c.samples_left % 8 == 0) stats(c);
      continue;
    }
    call(c, SS_CALL_CLOSE, 0);
    state(c, 1, 4);  // ESTABLISHED -> FIN_WAIT1
    state(c, 4, 5);  // -> FIN_WAIT2
    state(c, 5, 7);  // -> CLOSE
    stats(c);
    open[i] = open.back();
    open.pop_back();
  }
  return made;
}

}  // namespace sockscope::synth
