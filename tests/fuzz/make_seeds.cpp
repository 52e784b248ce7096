// Writes the fuzzer's seed corpus: small traces holding every record kind,
// plain and compressed, so the fuzzer starts from files that get deep into
// the decoder and the model. Run again after a format change:
//   build/tests/make_fuzz_seeds tests/fuzz/corpus
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/support/synthetic.h"
#include "trace/writer.h"

using namespace sockscope;

namespace {

template <class T>
std::span<const uint8_t> bytes_of(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(T)};
}

ss_sock_id sock_id() {
  ss_sock_id s{};
  s.cookie = 4242;
  s.sk = 0xffff888000100000ull;
  s.netns = 4026531840u;
  s.family = 2;
  s.protocol = 6;
  s.type = 1;
  s.state = 1;
  s.sport = 8080;
  s.dport = 40000;
  uint8_t lo[4] = {127, 0, 0, 1};
  std::memcpy(s.saddr, lo, 4);
  std::memcpy(s.daddr, lo, 4);
  return s;
}

// One record of each kind the synthetic workload does not make.
void every_kind(trace::TraceWriter& w) {
  std::vector<uint8_t> b;
  SockSeed seed;
  seed.ts_ns = 900'000'000;
  seed.sock.cookie = 4242;
  seed.sock.family = 2;
  seed.sock.protocol = 6;
  seed.sock.type = 1;
  seed.sock.state = 1;
  seed.pid = 77;
  seed.fd = 5;
  encode_seed(b, seed);
  w.write(RawKind::Seed, b);

  ss_drop_event d{};
  d.hdr = {SS_EV_DROP, sizeof(d), 0, 1'000'000'100};
  d.sock = sock_id();
  d.reason = 6;
  d.origin = SS_DROP_KFREE_SKB;
  d.len = 1500;
  w.write(RawKind::Kernel, bytes_of(d));

  ss_tcp_event t{};
  t.hdr = {SS_EV_TCP, sizeof(t), 1, 1'000'000'200};
  t.sock = sock_id();
  t.kind = SS_TCP_RETRANSMIT;
  t.segs = 1;
  t.m.srtt_us = 50;
  w.write(RawKind::Kernel, bytes_of(t));

  // a socket's end: ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT,
  // then its final read, in one record
  ss_state_end e{};
  e.run.hdr = {SS_EV_STATE_END, sizeof(e), 1, 1'000'000'250};
  e.run.sock = sock_id();
  e.run.n = 3;
  e.run.steps[0] = {1'000'000'210, 77, 1, 4, {}};
  e.run.steps[1] = {1'000'000'220, 0, 4, 5, {}};
  e.run.steps[2] = {1'000'000'250, 0, 5, 6, {}};
  e.fin.hdr = {SS_EV_SOCK, sizeof(e.fin), 1, 1'000'000'250};
  e.fin.sock = sock_id();
  e.fin.sock.state = 6;
  e.fin.origin = SS_SOCK_FINAL;
  e.fin.kind = SS_SK_FULL;
  e.fin.last_send_ms = e.fin.last_recv_ms = e.fin.last_ack_ms = e.fin.tw_left_ms = SS_AGE_UNKNOWN;
  w.write(RawKind::Kernel, bytes_of(e));

  ss_journey j{};
  j.nic_to_queue.count = 1;
  j.nic_to_queue.max_ns = 1000;
  j.nic_to_queue.sum_ns = 1000;
  j.nic_to_queue.bucket[40] = 1;
  encode_journey(b, 1'000'000'300, 4242, j);
  w.write(RawKind::Journey, b);

  ss_sock_drop_key sk{4242, 6, 0};
  encode_sock_drops(b, 1'000'000'400, sk, 3);
  w.write(RawKind::SockDrops, b);

  ss_dev_key dk{4026531840u, 1};
  ss_dev_name name{};
  std::memcpy(name.name, "lo", 3);
  ss_dev_stats per_cpu[2]{};
  per_cpu[0].rx_packets = 10;
  per_cpu[1].tx_packets = 12;
  encode_dev_stats(b, 1'000'000'500, dk, &name, per_cpu);
  w.write(RawKind::DevStats, b);

  ss_dev_drop_key ddk{4026531840u, 1, 6, 0};
  uint64_t drops[2] = {1, 2};
  encode_dev_drops(b, 1'000'000'600, ddk, drops);
  w.write(RawKind::DevDrops, b);

  encode_lost(b, 1'000'000'700, LostKind::Ringbuf, 5);
  w.write(RawKind::Lost, b);
}

void make(const std::string& path, bool compress) {
  trace::WriterOptions o;
  o.path = path;
  o.compress = compress;
  o.flush_interval_ns = 0;
  trace::Meta m;
  m.host = "seed";
  m.kernel = "6.18";
  m.probes = {{"ss_state", "tp_btf/inet_sock_set_state", true, ""}};
  m.reasons.drop = {{6, "NETFILTER_DROP"}};
  trace::TraceWriter w(o, m);
  every_kind(w);
  w.tick();
  synth::Options so;
  so.connections = 3;
  so.samples_per_connection = 3;
  uint64_t n = 0;
  synth::generate(so, [&](RawKind k, std::span<const uint8_t> b) {
    w.write(k, b);
    if (++n % 10 == 0) w.tick();
  });
  w.close(2'000'000'000);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  make(dir + "/plain.ssc", false);
  make(dir + "/zstd.ssc", true);
  return 0;
}
