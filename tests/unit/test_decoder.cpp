// decode(): raw records (ring-buffer records built with the ABI structs the
// BPF side fills, and our own map-entry layouts) to Events. Every valid record decodes field for field; every
// malformed one is rejected and counted, and nothing crashes on junk.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "record/abi_check.h"
#include "record/decode.h"

using namespace sockscope;

namespace {

// The later steps of a state run: none for the records these tests build.
std::vector<sockscope::Event>& more_steps() {
  static std::vector<sockscope::Event> v;
  return v;
}

using Bytes = std::vector<uint8_t>;

template <class T>
Bytes raw(const T& rec, size_t extra = 0) {
  Bytes b(sizeof(T) + extra, 0xEE);
  std::memcpy(b.data(), &rec, sizeof(T));
  return b;
}

void set_size(Bytes& b, uint16_t size) { std::memcpy(b.data() + offsetof(ss_hdr, size), &size, sizeof(size)); }

ss_hdr hdr(uint16_t type, uint16_t size, uint64_t ts) {
  ss_hdr h{};
  h.type = type;
  h.size = size;
  h.cpu = 3;
  h.ts_ns = ts;
  return h;
}

ss_task task() {
  ss_task t{};
  t.pid = 4242;
  t.tid = 4243;
  std::memcpy(t.comm, "curl", 5);
  return t;
}

ss_sock_id sock_v6() {
  ss_sock_id s{};
  s.cookie = 0x1122334455667788;
  s.sk = 0xffff888012345000;
  s.netns = 4026531840;
  s.inode = 987654;
  s.family = kAfInet6;
  s.protocol = kProtoTcp;
  s.sport = 8080;
  s.dport = 51000;
  s.type = 1;
  s.state = 1;
  for (int i = 0; i < 16; ++i) {
    s.saddr[i] = uint8_t(i + 1);
    s.daddr[i] = uint8_t(0xF0 + i);
  }
  return s;
}

// A run of three steps: connect, established, closing.
ss_state_run run_rec() {
  ss_state_run r{};
  r.hdr = hdr(SS_EV_STATE_RUN, sizeof(r), 2'000'000'000);
  r.sock = sock_v6();
  r.n = 3;
  r.steps[0] = {1'000'000'000, 41, 7 /* CLOSE */, 2 /* SYN_SENT */, {}};
  r.steps[1] = {1'000'000'100, 0, 2, 1 /* ESTABLISHED */, {}};
  r.steps[2] = {1'500'000'000, 42, 1, 4 /* FIN_WAIT1 */, {}};
  return r;
}

ss_state_event state_rec() {
  ss_state_event r{};
  r.hdr = hdr(SS_EV_STATE, sizeof(r), 1'000'000'123);
  r.task = task();
  r.sock = sock_v6();
  r.old_state = 2;  // SYN_SENT
  r.new_state = 1;  // ESTABLISHED
  return r;
}

ss_syscall_event syscall_rec() {
  ss_syscall_event r{};
  r.hdr = hdr(SS_EV_SYSCALL, sizeof(r), 2'000'000'000);
  r.task = task();
  r.sock = sock_v6();
  r.enter_ns = 1'999'000'000;
  r.ret = -115;
  r.fd = 7;
  r.call = SS_CALL_CONNECT;
  r.arg0 = 11;
  r.arg1 = 22;
  r.arg2 = 33;
  r.addr_family = kAfInet;
  r.addr_port = 443;
  r.addr[0] = 93, r.addr[1] = 184, r.addr[2] = 216, r.addr[3] = 34;
  return r;
}

ss_sample_event sample_rec() {
  ss_sample_event r{};
  r.hdr = hdr(SS_EV_SAMPLE, sizeof(r), 3'000'000'000);
  r.sock = sock_v6();
  r.sock.protocol = kProtoUdp;
  r.sock.family = kAfInet;
  r.occ = {1, 2, 3, 4, 5, 6, 7, 8};
  r.why = SS_SAMPLE_DATA_READY;
  return r;
}

ss_tcp_metrics metrics(uint32_t base, uint8_t probes, uint8_t ca) {
  ss_tcp_metrics m{};
  m.srtt_us = base;
  m.rttvar_us = base + 1;
  m.snd_cwnd = base + 2;
  m.snd_ssthresh = base + 3;
  m.snd_wnd = base + 4;
  m.rcv_wnd = base + 5;
  m.probes_out = probes;
  m.ca_state = ca;
  return m;
}

ss_drop_event drop_rec() {
  ss_drop_event r{};
  r.hdr = hdr(SS_EV_DROP, sizeof(r), 4'000'000'000);
  r.sock = sock_v6();
  r.location = 0xffffffff81abcdef;
  r.reason = 12;  // a kernel skb_drop_reason code; the names come from BTF
  r.ifindex = 3;
  r.dev_netns = 4026531841;
  r.len = 1448;
  r.origin = SS_DROP_KFREE_SKB;
  r.from_packet = 0;
  r.suppressed = 9;
  return r;
}

// A drop of a packet that reached no socket: addresses from its headers.
ss_drop_event drop_no_sock_rec() {
  ss_drop_event r = drop_rec();
  r.sock.cookie = 0;
  r.sock.sk = 0;
  r.sock.inode = 0;
  r.from_packet = 1;
  return r;
}

ss_tcp_event tcp_rec() {
  ss_tcp_event r{};
  r.hdr = hdr(SS_EV_TCP, sizeof(r), 5'000'000'000);
  r.sock = sock_v6();
  r.m = metrics(1200, 2, 4);
  r.reason = 0;
  r.err = -105;
  r.segs = 3;
  r.kind = SS_TCP_RETRANSMIT;
  r.from_packet = 0;
  r.suppressed = 5;
  return r;
}

// A reset sent for a packet that found no socket.
ss_tcp_event reset_no_sock_rec() {
  ss_tcp_event r = tcp_rec();
  r.sock.cookie = 0;
  r.sock.sk = 0;
  r.m = {};
  r.kind = SS_TCP_RESET_SENT;
  r.reason = 1;  // SK_RST_REASON_NO_SOCKET on 6.10+
  r.err = 0;
  r.segs = 0;
  r.from_packet = 1;
  return r;
}

struct Decoded {
  DecodeStatus status;
  Event event;
  DecodeStats stats;
  std::vector<Event> more;  // a state run's later steps, a socket end's final read
};

Decoded decode(const Bytes& b) {
  Decoded d{DecodeStatus::Ok, Lost{}, {}, {}};
  d.status = sockscope::decode(RawKind::Kernel, b, d.event, d.more, d.stats);
  return d;
}

// Map entries take the live source's path: encoded as raw records, then
// through the one decoder.
template <class U>
U through(RawKind kind, const Bytes& b) {
  Event e;
  DecodeStats stats;
  REQUIRE(sockscope::decode(kind, b, e, more_steps(), stats) == DecodeStatus::Ok);
  REQUIRE(more_steps().empty());
  REQUIRE(std::holds_alternative<U>(e));
  return std::get<U>(e);
}

StatsUpdate decode_stats(uint64_t cookie, const ss_sock_stats& v, uint64_t ts_ns) {
  Bytes b;
  encode_sock_stats(b, ts_ns, cookie, v);
  return through<StatsUpdate>(RawKind::SockStats, b);
}

JourneyUpdate decode_journey(uint64_t cookie, const ss_journey& v, uint64_t ts_ns) {
  Bytes b;
  encode_journey(b, ts_ns, cookie, v);
  return through<JourneyUpdate>(RawKind::Journey, b);
}

DevStatsUpdate decode_dev_stats(const ss_dev_key& k, const std::vector<ss_dev_stats>& per_cpu,
                                const ss_dev_name* name, uint64_t ts_ns) {
  Bytes b;
  encode_dev_stats(b, ts_ns, k, name, per_cpu);
  return through<DevStatsUpdate>(RawKind::DevStats, b);
}

DevDropsUpdate decode_dev_drops(const ss_dev_drop_key& k, const std::vector<uint64_t>& per_cpu, uint64_t ts_ns) {
  Bytes b;
  encode_dev_drops(b, ts_ns, k, per_cpu);
  return through<DevDropsUpdate>(RawKind::DevDrops, b);
}

SockDropsUpdate decode_sock_drops(const ss_sock_drop_key& k, uint64_t count, uint64_t ts_ns) {
  Bytes b;
  encode_sock_drops(b, ts_ns, k, count);
  return through<SockDropsUpdate>(RawKind::SockDrops, b);
}

void check_sock(const SockId& id, const ss_sock_id& want) {
  CHECK(id.cookie == want.cookie);
  CHECK(id.sk == want.sk);
  CHECK(id.netns == want.netns);
  CHECK(id.inode == want.inode);
  CHECK(id.family == want.family);
  CHECK(id.protocol == want.protocol);
  CHECK(id.type == want.type);
  CHECK(id.state == want.state);
  CHECK(id.local.port == want.sport);
  CHECK(id.remote.port == want.dport);
  CHECK(std::memcmp(id.local.addr.data(), want.saddr, 16) == 0);
  CHECK(std::memcmp(id.remote.addr.data(), want.daddr, 16) == 0);
}

void check_task(const Task& t) {
  CHECK(t.pid == 4242);
  CHECK(t.tid == 4243);
  CHECK(comm_view(t.comm) == "curl");
}

// A table of valid records, one per known type.
struct Valid {
  const char* name;
  Bytes bytes;
};
ss_sock_info sock_info_rec() {
  ss_sock_info r{};
  r.hdr = hdr(SS_EV_SOCK, sizeof(r), 7'000'000'000);
  r.sock = sock_v6();
  r.occ.rx_queue = 11;
  r.occ.rcvbuf = 131072;
  r.m.srtt_us = 40;
  r.bytes_sent = 1000;
  r.bytes_acked = 900;
  r.bytes_received = 2000;
  r.segs_out = 5;
  r.segs_in = 6;
  r.total_retrans = 1;
  r.sk_drops = 2;
  r.last_send_ms = 1500;
  r.last_recv_ms = SS_AGE_UNKNOWN;
  r.last_ack_ms = 1400;
  r.tw_left_ms = SS_AGE_UNKNOWN;
  r.uid = 1000;
  r.err = 104;
  r.origin = SS_SOCK_PASS;
  r.kind = SS_SK_FULL;
  return r;
}

ss_file_event file_rec() {
  ss_file_event r{};
  r.hdr = hdr(SS_EV_FILE, sizeof(r), 8'000'000'000);
  r.task = task();
  r.cookie = 77;
  r.sk = 0xffff888000001000;
  r.inode = 5555;
  r.fd = 9;
  r.netns = 4026531840;
  r.family = kAfInet;
  r.protocol = kProtoUdp;
  r.state = 7;
  return r;
}

// A client's end: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT, then its final read.
ss_state_end end_rec() {
  ss_state_end r{};
  r.run = run_rec();
  r.run.hdr = hdr(SS_EV_STATE_END, sizeof(r), 3'000'000'000);
  r.run.n = 2;
  r.run.steps[0] = {2'000'000'000, 42, 1 /* ESTABLISHED */, 4 /* FIN_WAIT1 */, {}};
  r.run.steps[1] = {3'000'000'000, 0, 4, 6 /* TIME_WAIT */, {}};
  r.run.steps[2] = {};
  r.fin = sock_info_rec();
  r.fin.hdr = hdr(SS_EV_SOCK, sizeof(r.fin), 3'000'000'000);
  r.fin.origin = SS_SOCK_FINAL;
  r.fin.sock.state = 6;
  return r;
}

std::vector<Valid> valid_records() {
  return {{"state", raw(state_rec())},         {"syscall", raw(syscall_rec())},
          {"sample", raw(sample_rec())},       {"drop", raw(drop_rec())},
          {"drop without a socket", raw(drop_no_sock_rec())}, {"tcp", raw(tcp_rec())},
          {"reset without a socket", raw(reset_no_sock_rec())}, {"socket", raw(sock_info_rec())},
          {"file", raw(file_rec())}, {"state run", raw(run_rec())}, {"socket end", raw(end_rec())}};
}

}  // namespace

// ---------------------------------------------------------------------------
// Valid records

TEST_CASE("a state record decodes field for field", "[decoder]") {
  auto d = decode(raw(state_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(d.stats.ok == 1);
  auto* e = std::get_if<StateChange>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 1'000'000'123);
  check_task(e->task);
  check_sock(e->sock, sock_v6());
  CHECK(e->old_state == TcpState::SynSent);
  CHECK(e->new_state == TcpState::Established);
}

TEST_CASE("a state run decodes to one state change per step, in order", "[decoder]") {
  auto d = decode(raw(run_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(d.stats.ok == 1);
  auto* first = std::get_if<StateChange>(&d.event);
  REQUIRE(first != nullptr);
  REQUIRE(d.more.size() == 2);
  std::vector<StateChange> steps{*first, std::get<StateChange>(d.more[0]), std::get<StateChange>(d.more[1])};
  const uint64_t ts[] = {1'000'000'000, 1'000'000'100, 1'500'000'000};
  const uint32_t pid[] = {41, 0, 42};
  const TcpState from[] = {TcpState::Close, TcpState::SynSent, TcpState::Established};
  const TcpState to[] = {TcpState::SynSent, TcpState::Established, TcpState::FinWait1};
  for (size_t i = 0; i < steps.size(); ++i) {
    INFO("step " << i);
    CHECK(steps[i].ts_ns == ts[i]);
    CHECK(steps[i].task.pid == pid[i]);
    CHECK(steps[i].old_state == from[i]);
    CHECK(steps[i].new_state == to[i]);
    CHECK(steps[i].sock.cookie == sock_v6().cookie);
    CHECK(steps[i].sock.state == uint8_t(from[i]));  // as a single state record has it
    CHECK(steps[i].sock.local.port == 8080);
  }
  // the next record decoded starts with no steps left over
  auto again = decode(raw(state_rec()));
  CHECK(again.more.empty());
}

TEST_CASE("a state run that cannot be a socket's life is rejected whole", "[decoder]") {
  auto bad = [](auto change) {
    ss_state_run r = run_rec();
    change(r);
    auto d = decode(raw(r));
    if (d.status != DecodeStatus::Ok) CHECK(d.more.empty());
    return d.status;
  };
  CHECK(bad([](ss_state_run& r) { r.n = 0; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_run& r) { r.n = SS_RUN_STEPS + 1; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_run& r) { r.n = 4; }) == DecodeStatus::Malformed);  // a zeroed step: state 0
  CHECK(bad([](ss_state_run& r) { r.steps[1].old_state = 7; }) == DecodeStatus::Malformed);  // not from step 0's end
  CHECK(bad([](ss_state_run& r) { r.steps[2].ts_ns = 5; }) == DecodeStatus::Malformed);       // back in time
  CHECK(bad([](ss_state_run& r) { r.steps[2].new_state = 14; }) == DecodeStatus::Malformed);  // no such state
  CHECK(bad([](ss_state_run& r) { r.hdr.ts_ns = 1'200'000'000; }) == DecodeStatus::Malformed);  // after its record
  CHECK(bad([](ss_state_run& r) { r.sock.cookie = 0; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_run& r) { r.sock.family = 1; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_run&) {}) == DecodeStatus::Ok);
}

TEST_CASE("a state run whose steps came from CPUs whose clocks differ a little decodes, in order", "[decoder]") {
  ss_state_run r = run_rec();
  // step 1 read a clock 3 us behind step 0's; the record's time trails
  // step 2's by 2 us (flushed from another CPU)
  r.steps[1].ts_ns = r.steps[0].ts_ns - 3000;
  r.hdr.ts_ns = r.steps[2].ts_ns - 2000;
  auto d = decode(raw(r));
  REQUIRE(d.status == DecodeStatus::Ok);
  REQUIRE(d.more.size() == 2);
  uint64_t t0 = std::get<StateChange>(d.event).ts_ns;
  uint64_t t1 = std::get<StateChange>(d.more[0]).ts_ns;
  uint64_t t2 = std::get<StateChange>(d.more[1]).ts_ns;
  CHECK(t0 == r.steps[0].ts_ns);
  CHECK(t1 == t0);           // taken as simultaneous, never before
  CHECK(t2 == r.hdr.ts_ns);  // never after its record
  // a clock a second back is no skew
  r.steps[1].ts_ns = r.steps[0].ts_ns - 1'000'000'000;
  CHECK(decode(raw(r)).status == DecodeStatus::Malformed);
}

TEST_CASE("a socket end decodes to its last steps, then its final read", "[decoder]") {
  auto d = decode(raw(end_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(d.stats.ok == 1);
  auto* first = std::get_if<StateChange>(&d.event);
  REQUIRE(first != nullptr);
  CHECK(first->new_state == TcpState::FinWait1);
  REQUIRE(d.more.size() == 2);
  auto* last = std::get_if<StateChange>(&d.more[0]);
  REQUIRE(last != nullptr);
  CHECK(last->new_state == TcpState::TimeWait);
  CHECK(last->ts_ns == 3'000'000'000);
  auto* fin = std::get_if<SockInfo>(&d.more[1]);
  REQUIRE(fin != nullptr);
  CHECK(fin->origin == SockOrigin::Final);
  CHECK(fin->ts_ns == 3'000'000'000);
  CHECK(fin->sock.cookie == sock_v6().cookie);
  CHECK(fin->k == KernelCounters{1000, 900, 2000, 5, 6, 1, 2});
}

TEST_CASE("a socket end whose parts do not belong together is rejected whole", "[decoder]") {
  auto bad = [](auto change) {
    ss_state_end r = end_rec();
    change(r);
    auto d = decode(raw(r));
    if (d.status != DecodeStatus::Ok) CHECK(d.more.empty());
    return d.status;
  };
  CHECK(bad([](ss_state_end& r) { r.fin.hdr.type = SS_EV_STATE; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_end& r) { r.fin.hdr.size = 16; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_end& r) { r.fin.origin = SS_SOCK_PASS; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_end& r) { r.fin.sock.cookie = 9; }) == DecodeStatus::Malformed);      // another socket
  CHECK(bad([](ss_state_end& r) { r.fin.hdr.ts_ns = 2'500'000'000; }) == DecodeStatus::Malformed);  // another time
  CHECK(bad([](ss_state_end& r) { r.run.steps[1].new_state = 5; }) == DecodeStatus::Malformed);  // FIN_WAIT2: no end
  CHECK(bad([](ss_state_end& r) { r.run.n = 0; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_end& r) { r.fin.kind = 0; }) == DecodeStatus::Malformed);
  CHECK(bad([](ss_state_end&) {}) == DecodeStatus::Ok);
  // cut short, header included: the whole record or nothing
  Bytes b = raw(end_rec());
  b.resize(b.size() - 8);
  set_size(b, uint16_t(b.size()));
  auto d = decode(b);
  CHECK(d.status == DecodeStatus::Malformed);
  CHECK(d.more.empty());
}

TEST_CASE("a socket record from a pass decodes field for field", "[decoder]") {
  auto d = decode(raw(sock_info_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto* e = std::get_if<SockInfo>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 7'000'000'000);
  check_sock(e->sock, sock_v6());
  CHECK(e->occ.rx_queue == 11);
  CHECK(e->occ.rcvbuf == 131072);
  CHECK(e->m.srtt_us == 40);
  CHECK(e->k == KernelCounters{1000, 900, 2000, 5, 6, 1, 2});
  CHECK(e->last_send_ms == 1500);
  CHECK(e->last_recv_ms == kAgeUnknown);
  CHECK(e->last_ack_ms == 1400);
  CHECK(e->tw_left_ms == kAgeUnknown);
  CHECK(e->uid == 1000);
  CHECK(e->err == 104);
  CHECK(e->origin == SockOrigin::Pass);
  CHECK(e->kind == SockKind::Full);
}

TEST_CASE("a socket record carries its bound device and cgroup, and one of ABI 5 decodes without them", "[decoder]") {
  ss_sock_info r = sock_info_rec();
  r.bound_dev_if = 1;
  r.cgroup_id = 4242;
  auto d = decode(raw(r));
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(std::get<SockInfo>(d.event).bound_dev_if == 1);
  CHECK(std::get<SockInfo>(d.event).cgroup_id == 4242);
  // an ABI 5 trace's record: 224 bytes, zeros (padding then) where the
  // device is now
  r.bound_dev_if = 0;
  Bytes old = raw(r);
  old.resize(224);
  set_size(old, 224);
  d = decode(old);
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(std::get<SockInfo>(d.event).k == KernelCounters{1000, 900, 2000, 5, 6, 1, 2});
  CHECK(std::get<SockInfo>(d.event).bound_dev_if == 0);
  CHECK(std::get<SockInfo>(d.event).cgroup_id == 0);
  // shorter than any ABI's
  old.resize(216);
  set_size(old, 216);
  CHECK(decode(old).status == DecodeStatus::Malformed);
}

TEST_CASE("a socket record is checked: origin, kind, cookie, a timewait socket's protocol", "[decoder]") {
  auto bad = [](auto change) {
    ss_sock_info r = sock_info_rec();
    change(r);
    return decode(raw(r));
  };
  CHECK(bad([](ss_sock_info& r) { r.origin = 0; }).status == DecodeStatus::Malformed);
  CHECK(bad([](ss_sock_info& r) { r.origin = SS_SOCK_ORIGIN_MAX + 1; }).status == DecodeStatus::Malformed);
  CHECK(bad([](ss_sock_info& r) { r.kind = SS_SK_KIND_MAX + 1; }).status == DecodeStatus::Malformed);
  CHECK(bad([](ss_sock_info& r) { r.sock.cookie = 0; }).status == DecodeStatus::Malformed);
  CHECK(bad([](ss_sock_info& r) { r.sock.state = 200; }).status == DecodeStatus::Malformed);
  CHECK(bad([](ss_sock_info& r) {
          r.kind = SS_SK_TIMEWAIT;
          r.sock.protocol = kProtoUdp;
        }).status == DecodeStatus::Malformed);
  CHECK(bad([](ss_sock_info& r) {
          r.kind = SS_SK_TIMEWAIT;
          r.sock.state = 1;
        }).status == DecodeStatus::Malformed);
  auto tw = bad([](ss_sock_info& r) {
    r.kind = SS_SK_TIMEWAIT;
    r.sock.state = 6;
    r.tw_left_ms = 30'000;
  });
  REQUIRE(tw.status == DecodeStatus::Ok);
  CHECK(std::get<SockInfo>(tw.event).tw_left_ms == 30'000);
}

TEST_CASE("a file record decodes field for field, and one naming no socket or process is rejected", "[decoder]") {
  auto d = decode(raw(file_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto* e = std::get_if<FileHolder>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 8'000'000'000);
  check_task(e->task);
  CHECK(e->cookie == 77);
  CHECK(e->sk == 0xffff888000001000);
  CHECK(e->inode == 5555);
  CHECK(e->fd == 9);
  CHECK(e->netns == 4026531840);
  CHECK(e->protocol == kProtoUdp);
  ss_file_event r = file_rec();
  r.cookie = 0;
  CHECK(decode(raw(r)).status == DecodeStatus::Ok);  // joined by sk
  r.sk = 0;
  CHECK(decode(raw(r)).status == DecodeStatus::Malformed);
  r = file_rec();
  r.task.pid = 0;
  CHECK(decode(raw(r)).status == DecodeStatus::Malformed);
  r = file_rec();
  r.fd = -1;
  CHECK(decode(raw(r)).status == DecodeStatus::Malformed);
  r = file_rec();
  r.protocol = 1;
  CHECK(decode(raw(r)).status == DecodeStatus::Malformed);
}

TEST_CASE("a pass end round-trips through its raw form, and a bad one is rejected", "[decoder]") {
  std::vector<uint8_t> b;
  encode_pass_end(b, PassEnd{9'000, 8'000, 4026531840, PassWhat::Udp, 12});
  Event e;
  DecodeStats st;
  REQUIRE(sockscope::decode(RawKind::PassEnd, b, e, more_steps(), st) == DecodeStatus::Ok);
  auto* p = std::get_if<PassEnd>(&e);
  REQUIRE(p);
  CHECK(p->ts_ns == 9'000);
  CHECK(p->start_ns == 8'000);
  CHECK(p->netns == 4026531840);
  CHECK(p->what == PassWhat::Udp);
  CHECK(p->count == 12);
  encode_pass_end(b, PassEnd{9'000, 10'000, 1, PassWhat::Tcp, 0});  // ends before it starts
  CHECK(sockscope::decode(RawKind::PassEnd, b, e, more_steps(), st) == DecodeStatus::Malformed);
  encode_pass_end(b, PassEnd{9'000, 8'000, 1, PassWhat::Tcp, 0});
  b[offsetof(RawPassEnd, what)] = 9;
  CHECK(sockscope::decode(RawKind::PassEnd, b, e, more_steps(), st) == DecodeStatus::Malformed);
}

TEST_CASE("a delta pass end carries its gone sockets, and a count that does not fit is rejected", "[decoder]") {
  std::vector<uint8_t> b;
  REQUIRE(encode_pass_end(b, PassEnd{9'000, 8'000, 7, PassWhat::Tcp, 3, true, {11, 12}}) == RawKind::PassDelta);
  Event e;
  DecodeStats st;
  REQUIRE(sockscope::decode(RawKind::PassDelta, b, e, more_steps(), st) == DecodeStatus::Ok);
  auto* p = std::get_if<PassEnd>(&e);
  REQUIRE(p);
  CHECK(p->delta);
  CHECK(p->gone == std::vector<uint64_t>{11, 12});
  CHECK(p->count == 3);
  CHECK(p->netns == 7);
  CHECK(raw_ts(uint16_t(RawKind::PassDelta), b) == 9'000);
  auto bad = b;
  uint32_t many = 1'000'000;
  std::memcpy(bad.data() + offsetof(RawPassDelta, ngone), &many, sizeof(many));
  CHECK(sockscope::decode(RawKind::PassDelta, bad, e, more_steps(), st) == DecodeStatus::Malformed);
  bad = b;
  bad.pop_back();
  CHECK(sockscope::decode(RawKind::PassDelta, bad, e, more_steps(), st) == DecodeStatus::Malformed);
  bad = b;
  bad[offsetof(RawPassDelta, what)] = uint8_t(PassWhat::Files);  // files passes are never deltas
  CHECK(sockscope::decode(RawKind::PassDelta, bad, e, more_steps(), st) == DecodeStatus::Malformed);
}

TEST_CASE("a syscall record decodes field for field", "[decoder]") {
  auto d = decode(raw(syscall_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto* e = std::get_if<SyscallEvent>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 2'000'000'000);
  CHECK(e->enter_ns == 1'999'000'000);
  check_task(e->task);
  check_sock(e->sock, sock_v6());
  CHECK(e->ret == -115);
  CHECK(e->fd == 7);
  CHECK(e->call == Call::Connect);
  CHECK(e->arg0 == 11);
  CHECK(e->arg1 == 22);
  CHECK(e->arg2 == 33);
  CHECK(e->addr_family == kAfInet);
  CHECK(e->addr.port == 443);
  CHECK(e->addr.addr[0] == 93);
  CHECK(e->addr.addr[3] == 34);
}

TEST_CASE("every syscall kind in the ABI decodes to the same Call", "[decoder]") {
  for (uint16_t c = 1; c <= SS_CALL_MAX; ++c) {
    auto r = syscall_rec();
    r.call = c;
    auto d = decode(raw(r));
    CAPTURE(c);
    REQUIRE(d.status == DecodeStatus::Ok);
    CHECK(static_cast<uint16_t>(std::get<SyscallEvent>(d.event).call) == c);
  }
  CHECK(SS_CALL_MAX == kCallMax);
}

TEST_CASE("a sample record decodes field for field", "[decoder]") {
  auto d = decode(raw(sample_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto* e = std::get_if<Sample>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 3'000'000'000);
  check_sock(e->sock, sample_rec().sock);
  CHECK(e->occ == Occupancy{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(e->why == SampleWhy::DataReady);
}

TEST_CASE("a drop record decodes field for field", "[decoder]") {
  auto d = decode(raw(drop_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto* e = std::get_if<Drop>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 4'000'000'000);
  check_sock(e->sock, sock_v6());
  CHECK(e->location == 0xffffffff81abcdef);
  CHECK(e->reason == 12);
  CHECK(e->ifindex == 3);
  CHECK(e->dev_netns == 4026531841);
  CHECK(e->len == 1448);
  CHECK(e->origin == DropOrigin::KfreeSkb);
  CHECK_FALSE(e->from_packet);
  CHECK(e->suppressed == 9);
}

TEST_CASE("a drop with no socket keeps the packet's addresses", "[decoder]") {
  auto d = decode(raw(drop_no_sock_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto& e = std::get<Drop>(d.event);
  CHECK(e.sock.cookie == 0);
  CHECK(e.from_packet);
  check_sock(e.sock, drop_no_sock_rec().sock);
  // no socket and no packet headers either: still a countable drop
  auto r = drop_no_sock_rec();
  r.from_packet = 0;
  r.sock = {};
  CHECK(decode(raw(r)).status == DecodeStatus::Ok);
}

TEST_CASE("every drop origin in the ABI decodes to the same DropOrigin", "[decoder]") {
  for (uint8_t o = 1; o <= SS_DROP_ORIGIN_MAX; ++o) {
    auto r = drop_rec();
    r.origin = o;
    r.reason = 1;  // valid for every origin, including the buffer limit's direction
    auto d = decode(raw(r));
    CAPTURE(int(o));
    REQUIRE(d.status == DecodeStatus::Ok);
    CHECK(uint8_t(std::get<Drop>(d.event).origin) == o);
  }
}

TEST_CASE("a tcp record decodes field for field", "[decoder]") {
  auto d = decode(raw(tcp_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto* e = std::get_if<TcpEvent>(&d.event);
  REQUIRE(e != nullptr);
  CHECK(e->ts_ns == 5'000'000'000);
  check_sock(e->sock, sock_v6());
  CHECK(e->kind == TcpKind::Retransmit);
  CHECK_FALSE(e->from_packet);
  CHECK(e->m == TcpMetrics{1200, 1201, 1202, 1203, 1204, 1205, 2, 4});
  CHECK(e->reason == 0);
  CHECK(e->err == -105);
  CHECK(e->segs == 3);
  CHECK(e->suppressed == 5);
}

TEST_CASE("a reset sent with no socket decodes with cookie 0", "[decoder]") {
  auto d = decode(raw(reset_no_sock_rec()));
  REQUIRE(d.status == DecodeStatus::Ok);
  auto& e = std::get<TcpEvent>(d.event);
  CHECK(e.kind == TcpKind::ResetSent);
  CHECK(e.sock.cookie == 0);
  CHECK(e.from_packet);
  CHECK(e.reason == 1);
  check_sock(e.sock, reset_no_sock_rec().sock);
}

TEST_CASE("every tcp kind in the ABI decodes to the same TcpKind", "[decoder]") {
  for (uint8_t k = 1; k <= SS_TCP_KIND_MAX; ++k) {
    auto r = tcp_rec();
    r.kind = k;
    auto d = decode(raw(r));
    CAPTURE(int(k));
    REQUIRE(d.status == DecodeStatus::Ok);
    CHECK(uint8_t(std::get<TcpEvent>(d.event).kind) == k);
  }
}

TEST_CASE("a 16-character comm is cut to 15 and NUL-terminated", "[decoder]") {
  auto r = state_rec();
  std::memcpy(r.task.comm, "0123456789abcdef", 16);
  auto d = decode(raw(r));
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(comm_view(std::get<StateChange>(d.event).task.comm) == "0123456789abcde");
}

TEST_CASE("state, call and reason bounds: the extreme valid values decode", "[decoder]") {
  auto s = state_rec();
  s.old_state = 1;
  s.new_state = 13;  // BOUND_INACTIVE
  s.sock.state = 13;
  CHECK(decode(raw(s)).status == DecodeStatus::Ok);
  auto c = syscall_rec();
  c.enter_ns = c.hdr.ts_ns;  // a call that took no time
  CHECK(decode(raw(c)).status == DecodeStatus::Ok);
  auto m = sample_rec();
  m.why = SS_SAMPLE_WHY_MAX;
  m.sock.family = 0;  // not read yet: allowed
  m.sock.protocol = 0;
  CHECK(decode(raw(m)).status == DecodeStatus::Ok);
}

TEST_CASE("decode_stats copies every counter of a stats-map entry", "[decoder]") {
  ss_sock_stats v{};
  v.sk = 0xabc;
  v.bytes_sent = 1;
  v.bytes_received = 2;
  v.send_calls = 3;
  v.recv_calls = 4;
  v.send_ns = 5;
  v.recv_ns = 6;
  v.send_ns_max = 7;
  v.recv_ns_max = 8;
  v.last_send_ns = 9;
  v.last_recv_ns = 10;
  v.last_sample_ns = 11;
  v.occ = {21, 22, 23, 24, 25, 26, 27, 28};
  v.occ_max = {31, 32, 33, 34, 35, 36, 37, 38};
  v.owner_pid = 77;
  v.tcp = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112};
  v.metrics = metrics(201, 7, 3);
  v.metrics_ns = 301;
  v.last_metrics_emit_ns = 302;  // BPF-private: not part of the event
  StatsUpdate u = decode_stats(555, v, 999);
  CHECK(u.ts_ns == 999);
  CHECK(u.cookie == 555);
  CHECK(u.sk == 0xabc);
  CHECK(u.bytes_sent == 1);
  CHECK(u.bytes_received == 2);
  CHECK(u.send_calls == 3);
  CHECK(u.recv_calls == 4);
  CHECK(u.send_ns == 5);
  CHECK(u.recv_ns == 6);
  CHECK(u.send_ns_max == 7);
  CHECK(u.recv_ns_max == 8);
  CHECK(u.last_send_ns == 9);
  CHECK(u.last_recv_ns == 10);
  CHECK(u.last_sample_ns == 11);
  CHECK(u.occ == Occupancy{21, 22, 23, 24, 25, 26, 27, 28});
  CHECK(u.occ_max == Occupancy{31, 32, 33, 34, 35, 36, 37, 38});
  CHECK(u.owner_pid == 77);
  CHECK(u.tcp.drops == 101);
  CHECK(u.tcp.retrans_segs == 102);
  CHECK(u.tcp.retrans_failed == 103);
  CHECK(u.tcp.synack_retrans == 104);
  CHECK(u.tcp.resets_sent == 105);
  CHECK(u.tcp.resets_received == 106);
  CHECK(u.tcp.rcvqueue_full == 107);
  CHECK(u.tcp.buf_limit == 108);
  CHECK(u.tcp.udp_queue_fail == 109);
  CHECK(u.tcp.zero_window_sent == 110);
  CHECK(u.tcp.zero_window_received == 111);
  CHECK(u.tcp.persist_probes == 112);
  CHECK(u.metrics == TcpMetrics{201, 202, 203, 204, 205, 206, 7, 3});
  CHECK(u.metrics_ns == 301);
}

// ---------------------------------------------------------------------------
// Map values

TEST_CASE("decode_journey copies both histograms, buckets only when counted", "[decoder]") {
  ss_journey v{};
  v.nic_to_queue.count = 3;
  v.nic_to_queue.sum_ns = 3000;
  v.nic_to_queue.max_ns = 1500;
  v.nic_to_queue.bucket[ss_hist_bucket(500)] = 1;
  v.nic_to_queue.bucket[ss_hist_bucket(1000)] += 1;
  v.nic_to_queue.bucket[SS_HIST_BUCKETS - 1] = 1;  // the open last bucket
  // the kernel bumped a bucket but not yet the count: no buckets, no reject
  v.queue_to_read.bucket[7] = 1;
  JourneyUpdate u = decode_journey(42, v, 1234);
  CHECK(u.ts_ns == 1234);
  CHECK(u.cookie == 42);
  CHECK(u.nic_to_queue.count == 3);
  CHECK(u.nic_to_queue.sum_ns == 3000);
  CHECK(u.nic_to_queue.max_ns == 1500);
  REQUIRE(u.nic_to_queue.buckets.size() == kHistBuckets);
  for (uint32_t i = 0; i < kHistBuckets; ++i) {
    CAPTURE(i);
    CHECK(u.nic_to_queue.buckets[i] == v.nic_to_queue.bucket[i]);
  }
  CHECK(u.queue_to_read.count == 0);
  CHECK(u.queue_to_read.buckets.empty());
}

TEST_CASE("decode_journey keeps a count that disagrees with the buckets", "[decoder]") {
  // count and buckets are separate atomics: a read can catch them one apart
  ss_journey v{};
  v.queue_to_read.count = 2;
  v.queue_to_read.max_ns = 900;
  v.queue_to_read.bucket[ss_hist_bucket(900)] = 1;
  JourneyUpdate u = decode_journey(1, v, 0);
  CHECK(u.queue_to_read.count == 2);
  REQUIRE(u.queue_to_read.buckets.size() == kHistBuckets);
  CHECK(u.queue_to_read.buckets[ss_hist_bucket(900)] == 1);
}

TEST_CASE("decode_dev_stats sums the CPUs and names the device", "[decoder]") {
  std::vector<ss_dev_stats> cpus(3);
  for (size_t i = 0; i < cpus.size(); ++i) {
    uint64_t b = (i + 1) * 1000;  // 1000, 2000, 3000
    cpus[i] = {b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9};
  }
  ss_dev_key k{4026531840, 7};
  ss_dev_name n{};
  std::memcpy(n.name, "veth-a", 7);
  DevStatsUpdate u = decode_dev_stats(k, cpus, &n, 55);
  CHECK(u.ts_ns == 55);
  CHECK(u.dev == DevKey{4026531840, 7});
  CHECK(comm_view(u.name) == "veth-a");
  CHECK(u.c == DevCounters{6003, 6006, 6009, 6012, 6015, 6018, 6021, 6024, 6027});
}

TEST_CASE("decode_dev_stats: a name is cut at its NUL or at 15 characters", "[decoder]") {
  std::vector<ss_dev_stats> one(1);
  ss_dev_key k{1, 2};
  ss_dev_name full;
  std::memcpy(full.name, "0123456789abcdef", 16);  // no NUL at all
  DevStatsUpdate u = decode_dev_stats(k, one, &full, 0);
  CHECK(comm_view(u.name) == "0123456789abcde");
  CHECK(u.name.back() == '\0');
  ss_dev_name junk;
  std::memset(junk.name, 'X', sizeof(junk.name));
  std::memcpy(junk.name, "lo", 3);  // NUL, then bytes that are not part of it
  u = decode_dev_stats(k, one, &junk, 0);
  CHECK(comm_view(u.name) == "lo");
  for (size_t i = 2; i < u.name.size(); ++i) CHECK(u.name[i] == '\0');
  u = decode_dev_stats(k, one, nullptr, 0);
  CHECK(comm_view(u.name).empty());
}

TEST_CASE("decode_dev_drops sums the CPUs, decode_sock_drops copies", "[decoder]") {
  ss_dev_drop_key dk{11, 12, 13, 0};
  std::vector<uint64_t> cpus{5, 0, 7, 1};
  DevDropsUpdate d = decode_dev_drops(dk, cpus, 77);
  CHECK(d.ts_ns == 77);
  CHECK(d.dev == DevKey{11, 12});
  CHECK(d.reason == 13);
  CHECK(d.count == 13);
  ss_sock_drop_key sk{0xc00c1e, 2, 0};
  SockDropsUpdate s = decode_sock_drops(sk, 99, 78);
  CHECK(s.ts_ns == 78);
  CHECK(s.cookie == 0xc00c1e);
  CHECK(s.reason == 2);
  CHECK(s.count == 99);
}

// ---------------------------------------------------------------------------
// Forward compatibility

TEST_CASE("an unknown type is skipped and counted, not rejected", "[decoder]") {
  for (uint16_t type : {uint16_t(0), uint16_t(SS_EV_TYPE_MAX + 1), uint16_t(0xffff)}) {
    CAPTURE(type);
    ss_hdr h = hdr(type, 40, 5);
    Bytes b = raw(h, 24);
    auto d = decode(b);
    CHECK(d.status == DecodeStatus::UnknownType);
    CHECK(d.stats.unknown_type == 1);
    CHECK(d.stats.ok == 0);
    CHECK(d.stats.malformed == 0);
  }
}

TEST_CASE("a longer record of a known type (newer ABI) is accepted", "[decoder]") {
  for (auto& v : valid_records()) {
    INFO(v.name);
    Bytes b = v.bytes;
    b.resize(b.size() + 24, 0xAB);  // fields appended by a newer sockscope
    set_size(b, static_cast<uint16_t>(b.size()));
    auto d = decode(b);
    REQUIRE(d.status == DecodeStatus::Ok);
    ss_hdr h;
    std::memcpy(&h, v.bytes.data(), sizeof(h));
    // a state run's first event is its first step, older than the record
    CHECK(event_ts(d.event) == (h.type == SS_EV_STATE_RUN   ? run_rec().steps[0].ts_ns
                                : h.type == SS_EV_STATE_END ? end_rec().run.steps[0].ts_ns
                                                            : h.ts_ns));
  }
  auto b = raw(state_rec(), 8);
  set_size(b, uint16_t(b.size()));
  auto d = decode(b);
  REQUIRE(d.status == DecodeStatus::Ok);
  CHECK(std::get<StateChange>(d.event).new_state == TcpState::Established);
}

TEST_CASE("bytes after the header's size are not part of the record", "[decoder]") {
  // the header says the record is shorter than the buffer: only that many
  // bytes count, so a known type cut short by its own header is rejected
  Bytes b = raw(state_rec(), 64);
  CHECK(decode(b).status == DecodeStatus::Ok);
  set_size(b, sizeof(ss_state_event) - 1);
  CHECK(decode(b).status == DecodeStatus::Malformed);
}

// ---------------------------------------------------------------------------
// Rejections

TEST_CASE("malformed records are rejected with a reason", "[decoder]") {
  struct Bad {
    const char* why;
    Bytes bytes;
  };
  auto with = [](auto rec, auto&& mutate) {
    mutate(rec);
    return raw(rec);
  };
  std::vector<Bad> cases = {
      {"empty", {}},
      {"shorter than a header", Bytes(sizeof(ss_hdr) - 1, 0)},
      {"header size below the header", with(state_rec(), [](auto& r) { r.hdr.size = sizeof(ss_hdr) - 1; })},
      {"header size 0", with(state_rec(), [](auto& r) { r.hdr.size = 0; })},
      {"header size beyond the buffer", with(state_rec(), [](auto& r) { r.hdr.size = sizeof(r) + 1; })},
      {"state body truncated", with(state_rec(), [](auto& r) { r.hdr.size = sizeof(r) - 8; })},
      {"syscall body truncated", with(syscall_rec(), [](auto& r) { r.hdr.size = sizeof(r) - 1; })},
      {"sample body truncated", with(sample_rec(), [](auto& r) { r.hdr.size = sizeof(ss_hdr); })},
      {"new state 0", with(state_rec(), [](auto& r) { r.new_state = 0; })},
      {"new state 14", with(state_rec(), [](auto& r) { r.new_state = 14; })},
      {"new state 255", with(state_rec(), [](auto& r) { r.new_state = 255; })},
      {"old state 0", with(state_rec(), [](auto& r) { r.old_state = 0; })},
      {"old state 14", with(state_rec(), [](auto& r) { r.old_state = 14; })},
      {"old state 255", with(state_rec(), [](auto& r) { r.old_state = 255; })},
      {"sock state 14", with(state_rec(), [](auto& r) { r.sock.state = 14; })},
      {"state record without a cookie", with(state_rec(), [](auto& r) { r.sock.cookie = 0; })},
      {"call 0", with(syscall_rec(), [](auto& r) { r.call = 0; })},
      {"call past the last", with(syscall_rec(), [](auto& r) { r.call = SS_CALL_MAX + 1; })},
      {"call 0xffff", with(syscall_rec(), [](auto& r) { r.call = 0xffff; })},
      {"family AF_UNIX", with(syscall_rec(), [](auto& r) { r.sock.family = 1; })},
      {"family 0xffff", with(state_rec(), [](auto& r) { r.sock.family = 0xffff; })},
      {"protocol SCTP", with(state_rec(), [](auto& r) { r.sock.protocol = 132; })},
      {"protocol 255", with(sample_rec(), [](auto& r) { r.sock.protocol = 255; })},
      {"sample why 0", with(sample_rec(), [](auto& r) { r.why = 0; })},
      {"sample why past the last", with(sample_rec(), [](auto& r) { r.why = SS_SAMPLE_WHY_MAX + 1; })},
      {"sample why 255", with(sample_rec(), [](auto& r) { r.why = 255; })},
      {"entered after it returned", with(syscall_rec(), [](auto& r) { r.enter_ns = r.hdr.ts_ns + 1; })},
      {"drop body truncated", with(drop_rec(), [](auto& r) { r.hdr.size = sizeof(r) - 1; })},
      {"drop origin 0", with(drop_rec(), [](auto& r) { r.origin = 0; })},
      {"drop origin past the last", with(drop_rec(), [](auto& r) { r.origin = SS_DROP_ORIGIN_MAX + 1; })},
      {"drop origin 255", with(drop_rec(), [](auto& r) { r.origin = 255; })},
      {"drop from_packet 2", with(drop_rec(), [](auto& r) { r.from_packet = 2; })},
      {"drop from_packet 255", with(drop_no_sock_rec(), [](auto& r) { r.from_packet = 255; })},
      {"buffer-limit direction 2", with(drop_rec(), [](auto& r) {
         r.origin = SS_DROP_EXCEED_BUF;
         r.reason = 2;
       })},
      {"drop family AF_UNIX", with(drop_rec(), [](auto& r) { r.sock.family = 1; })},
      {"drop sock state 14", with(drop_no_sock_rec(), [](auto& r) { r.sock.state = 14; })},
      {"tcp body truncated", with(tcp_rec(), [](auto& r) { r.hdr.size = sizeof(r) - 1; })},
      {"tcp kind 0", with(tcp_rec(), [](auto& r) { r.kind = 0; })},
      {"tcp kind past the last", with(tcp_rec(), [](auto& r) { r.kind = SS_TCP_KIND_MAX + 1; })},
      {"tcp kind 255", with(tcp_rec(), [](auto& r) { r.kind = 255; })},
      {"tcp from_packet 2", with(tcp_rec(), [](auto& r) { r.from_packet = 2; })},
      {"tcp congestion state 5", with(tcp_rec(), [](auto& r) { r.m.ca_state = 5; })},
      {"tcp protocol SCTP", with(tcp_rec(), [](auto& r) { r.sock.protocol = 132; })},
      {"retransmit without a cookie", with(tcp_rec(), [](auto& r) { r.sock.cookie = 0; })},
      {"retransmit without a cookie, from a packet", with(tcp_rec(), [](auto& r) {
         r.sock.cookie = 0;
         r.from_packet = 1;
       })},
      {"reset received without a cookie", with(reset_no_sock_rec(), [](auto& r) { r.kind = SS_TCP_RESET_RECEIVED; })},
      {"metrics without a cookie", with(reset_no_sock_rec(), [](auto& r) { r.kind = SS_TCP_METRICS; })},
      {"reset sent without a cookie, not from a packet",
       with(reset_no_sock_rec(), [](auto& r) { r.from_packet = 0; })},
  };
  for (const auto& c : cases) {
    INFO(c.why);
    auto d = decode(c.bytes);
    CHECK(d.status == DecodeStatus::Malformed);
    CHECK(d.stats.malformed == 1);
    CHECK(d.stats.ok == 0);
    CHECK_FALSE(d.stats.last_error.empty());
  }
}

TEST_CASE("decode stats accumulate across records", "[decoder]") {
  DecodeStats stats;
  Event e;
  auto good = raw(state_rec());
  auto bad = raw(sample_rec());
  bad[offsetof(ss_sample_event, why)] = 0;
  auto unknown = raw(hdr(200, 16, 1));
  CHECK(sockscope::decode(RawKind::Kernel, good, e, more_steps(), stats) == DecodeStatus::Ok);
  CHECK(sockscope::decode(RawKind::Kernel, good, e, more_steps(), stats) == DecodeStatus::Ok);
  CHECK(sockscope::decode(RawKind::Kernel, bad, e, more_steps(), stats) == DecodeStatus::Malformed);
  CHECK(sockscope::decode(RawKind::Kernel, unknown, e, more_steps(), stats) == DecodeStatus::UnknownType);
  CHECK(stats.ok == 2);
  CHECK(stats.malformed == 1);
  CHECK(stats.unknown_type == 1);
  CHECK(stats.last_error.find("reason") != std::string::npos);
}

// ---------------------------------------------------------------------------
// Robustness

TEST_CASE("every truncation of a valid record is rejected", "[decoder][fuzz]") {
  for (const auto& v : valid_records()) {
    INFO(v.name);
    for (size_t len = 0; len < v.bytes.size(); ++len) {
      CAPTURE(len);
      // the buffer cut short, the header still claiming the full size
      Bytes cut(v.bytes.begin(), v.bytes.begin() + long(len));
      CHECK(decode(cut).status == DecodeStatus::Malformed);
      // the header agreeing with the cut (when the size field survived);
      // a socket record of ABI 4 or 5's length is whole for them
      if (len >= offsetof(ss_hdr, size) + 2) {
        set_size(cut, uint16_t(len));
        const bool older_abi_whole = std::string_view(v.name) == "socket" && len >= kSockInfoAbi5Size;
        CHECK(decode(cut).status == (older_abi_whole ? DecodeStatus::Ok : DecodeStatus::Malformed));
      }
    }
  }
}

TEST_CASE("random bytes never crash the decoder and are all accounted for", "[decoder][fuzz]") {
  std::mt19937_64 rng(20240601);
  auto byte = [&] { return uint8_t(rng()); };
  const auto valid = valid_records();
  DecodeStats stats;
  uint64_t ok = 0, unknown = 0, malformed = 0;
  constexpr int kRounds = 300'000;
  for (int i = 0; i < kRounds; ++i) {
    Bytes b;
    switch (i % 3) {
      case 0:  // pure noise
        b.resize(rng() % 256);
        for (auto& x : b) x = byte();
        break;
      case 1: {  // noise behind a plausible header
        b.resize(sizeof(ss_hdr) + rng() % 240);
        for (auto& x : b) x = byte();
        // every known type, plus 0 and one past the last (unknown)
        ss_hdr h = hdr(uint16_t(rng() % (SS_EV_TYPE_MAX + 2)), uint16_t(b.size()), rng());
        std::memcpy(b.data(), &h, sizeof(h));
        break;
      }
      default: {  // a valid record with a few bytes flipped
        b = valid[rng() % valid.size()].bytes;
        for (int n = 1 + int(rng() % 3); n > 0; --n) b[rng() % b.size()] = byte();
        break;
      }
    }
    Event e;
    switch (sockscope::decode(RawKind::Kernel, b, e, more_steps(), stats)) {
      case DecodeStatus::Ok: {
        ++ok;
        // what passes must hold the invariants the model relies on
        if (auto* s = std::get_if<StateChange>(&e)) {
          REQUIRE(uint8_t(s->new_state) >= 1);
          REQUIRE(uint8_t(s->new_state) <= kTcpStateMax);
          REQUIRE(s->sock.cookie != 0);
        } else if (auto* c = std::get_if<SyscallEvent>(&e)) {
          REQUIRE(uint16_t(c->call) >= 1);
          REQUIRE(uint16_t(c->call) <= kCallMax);
          REQUIRE(c->enter_ns <= c->ts_ns);
        } else if (auto* m = std::get_if<Sample>(&e)) {
          REQUIRE(uint8_t(m->why) >= 1);
          REQUIRE(uint8_t(m->why) <= SS_SAMPLE_WHY_MAX);
          REQUIRE(m->sock.state <= kTcpStateMax);
        } else if (auto* dr = std::get_if<Drop>(&e)) {
          REQUIRE(uint8_t(dr->origin) >= 1);
          REQUIRE(uint8_t(dr->origin) <= kDropOriginMax);
          REQUIRE(dr->sock.state <= kTcpStateMax);
        } else if (auto* t = std::get_if<TcpEvent>(&e)) {
          REQUIRE(uint8_t(t->kind) >= 1);
          REQUIRE(uint8_t(t->kind) <= kTcpKindMax);
          REQUIRE((t->sock.cookie != 0 || (t->kind == TcpKind::ResetSent && t->from_packet)));
        }
        break;
      }
      case DecodeStatus::UnknownType: ++unknown; break;
      case DecodeStatus::Malformed: ++malformed; break;
    }
  }
  CHECK(ok + unknown + malformed == kRounds);
  CHECK(stats.ok == ok);
  CHECK(stats.unknown_type == unknown);
  CHECK(stats.malformed == malformed);
  // the mix reached every outcome, so the loop tested something
  CHECK(ok > 1000);
  CHECK(unknown > 1000);
  CHECK(malformed > 1000);
}
