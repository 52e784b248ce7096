// What `list` and `watch` print: the JSON keys the CLI promises and the
// ss-like table.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "model/filter.h"
#include "model/histogram.h"
#include "model/socket_table.h"
#include "output/event_format.h"
#include "output/json_array.h"
#include "output/socket_format.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;
using nlohmann::json;

namespace {

const ReasonNames kNames = test_reason_names();

Socket curl_v4() {
  Socket s;
  s.key = s.id.cookie = 1001;
  s.id.family = kAfInet;
  s.id.protocol = kProtoTcp;
  s.id.local = v4("127.0.0.1", 40000);
  s.id.remote = v4("127.0.0.1", 8080);
  s.state = TcpState::Established;
  s.state_since_ns = 5 * kSec;
  s.history = {{TcpState::Close, 3 * kSec}, {TcpState::SynSent, 4 * kSec}, {TcpState::Established, 5 * kSec}};
  s.owner = {100, 3, comm("curl")};
  s.occ = {.rx_queue = 11, .tx_queue = 22, .rmem_alloc = 512, .wmem_queued = 256, .rcvbuf = 131072,
           .sndbuf = 16384};
  s.occ_max = {.rx_queue = 111, .tx_queue = 222};
  s.io.bytes_sent = 1234;
  s.io.bytes_received = 56789;
  s.io.bytes_measured = s.io.calls_measured = true;  // as the detail tiers measure them
  return s;
}

Socket server_v6() {
  Socket s;
  s.key = s.id.cookie = 2002;
  s.id.family = kAfInet6;
  s.id.protocol = kProtoTcp;
  s.id.local = v6("::1", 8080);
  s.id.remote = v6("2001:db8::7", 51000);
  s.state = TcpState::SynRecv;
  s.history = {{TcpState::SynRecv, 7 * kSec}};
  return s;
}

Socket dns_udp() {
  Socket s;
  s.key = s.id.cookie = 3003;
  s.id.family = kAfInet;
  s.id.protocol = kProtoUdp;
  s.id.local = v4("0.0.0.0", 5353);
  s.state = TcpState::Close;
  s.owner = {400, 9, comm("avahi-daemon")};
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------
// list --json

TEST_CASE("socket_json has every key the CLI promises, with the model's values", "[format][json]") {
  json j = socket_json(curl_v4(), 9 * kSec, kNames);
  CHECK(j.at("cookie") == 1001);
  CHECK(j.at("family") == "inet");
  CHECK(j.at("proto") == "tcp");
  CHECK(j.at("state") == "ESTABLISHED");
  CHECK(j.at("local") == "127.0.0.1:40000");
  CHECK(j.at("remote") == "127.0.0.1:8080");
  CHECK(j.at("pid") == 100);
  CHECK(j.at("comm") == "curl");
  CHECK(j.at("fd") == 3);
  CHECK(j.at("rx_queue") == 11);
  CHECK(j.at("tx_queue") == 22);
  CHECK(j.at("rcvbuf") == 131072);
  CHECK(j.at("sndbuf") == 16384);
  CHECK(j.at("rx_queue_max") == 111);
  CHECK(j.at("tx_queue_max") == 222);
  CHECK(j.at("bytes_sent") == 1234);
  CHECK(j.at("bytes_received") == 56789);
  CHECK(j.at("closed") == false);
  CHECK(j.at("time_in_state_ns") == 4 * kSec);

  const json& h = j.at("history");
  REQUIRE(h.is_array());
  REQUIRE(h.size() == 3);
  CHECK(h[0] == json{{"state", "CLOSE"}, {"ts_ns", 3 * kSec}});
  CHECK(h[1] == json{{"state", "SYN_SENT"}, {"ts_ns", 4 * kSec}});
  CHECK(h[2] == json{{"state", "ESTABLISHED"}, {"ts_ns", 5 * kSec}});
}

TEST_CASE("socket_json: v6 endpoints in brackets, unknown owner", "[format][json]") {
  json j = socket_json(server_v6(), 0, kNames);
  CHECK(j.at("family") == "inet6");
  CHECK(j.at("local") == "[::1]:8080");
  CHECK(j.at("remote") == "[2001:db8::7]:51000");
  CHECK(j.at("state") == "SYN_RECV");
  CHECK(j.at("pid") == 0);
  CHECK(j.at("fd") == -1);
  CHECK(j.at("comm") == "");
  CHECK(j.at("history").size() == 1);
}

TEST_CASE("socket_json: UDP state spelled like ss", "[format][json]") {
  Socket s = dns_udp();
  json j = socket_json(s, 0, kNames);
  CHECK(j.at("proto") == "udp");
  CHECK(j.at("state") == "UNCONN");
  CHECK(j.at("remote") == "0.0.0.0:*");
  s.state = TcpState::Established;
  CHECK(socket_json(s, 0, kNames).at("state") == "ESTAB");
}

TEST_CASE("socket_json: a listener shows its accept queue", "[format][json]") {
  Socket s = server_v6();
  s.state = TcpState::Listen;
  s.occ.ack_backlog = 3;
  s.occ.max_ack_backlog = 128;
  s.occ_max.ack_backlog = 17;
  json j = socket_json(s, 0, kNames);
  CHECK(j.at("accept_queue") == 3);
  CHECK(j.at("accept_queue_max") == 17);
  CHECK(j.at("backlog") == 128);
  CHECK_FALSE(socket_json(server_v6(), 0, kNames).contains("accept_queue"));
}

// ---------------------------------------------------------------------------
// watch --json

TEST_CASE("watch_json for a state change: kernel names, owner from the model", "[format][json]") {
  Socket s = curl_v4();
  StateChange e;
  e.ts_ns = 5 * kSec;
  e.task = task(0, "swapper/1");  // softirq: not the owner
  e.sock = s.id;
  e.old_state = TcpState::SynSent;
  e.new_state = TcpState::Established;
  json j = watch_json(e, &s, kNames);
  CHECK(j.at("ts_ns") == 5 * kSec);
  CHECK(j.at("type") == "state");
  CHECK(j.at("cookie") == 1001);
  CHECK(j.at("pid") == 100);
  CHECK(j.at("comm") == "curl");
  CHECK(j.at("task_pid") == 0);
  CHECK(j.at("old_state") == "SYN_SENT");
  CHECK(j.at("new_state") == "ESTABLISHED");
  CHECK(j.at("local") == "127.0.0.1:40000");
  CHECK(j.at("proto") == "tcp");

  // no socket known: no owner either; whoever ran the hook (on loopback
  // the peer's process) is only the task_pid
  json bare = watch_json(e, nullptr, kNames);
  CHECK(bare.at("pid") == 0);
  CHECK(bare.at("comm") == "");
  CHECK(bare.at("task_pid") == 0);
  CHECK(bare.at("cookie") == 1001);
}

TEST_CASE("watch_json for a syscall: call, fd, ret, duration", "[format][json]") {
  Socket s = curl_v4();
  SyscallEvent e;
  e.enter_ns = 4 * kSec;
  e.ts_ns = 4 * kSec + 2500;
  e.task = task(100, "curl");
  e.sock = s.id;
  e.call = Call::Connect;
  e.fd = 3;
  e.ret = -115;
  e.addr_family = kAfInet;
  e.addr = v4("127.0.0.1", 8080);
  json j = watch_json(e, &s, kNames);
  CHECK(j.at("type") == "syscall");
  CHECK(j.at("call") == "connect");
  CHECK(j.at("fd") == 3);
  CHECK(j.at("ret") == -115);
  CHECK(j.at("duration_ns") == 2500);
  CHECK(j.at("addr") == "127.0.0.1:8080");
  CHECK(j.at("pid") == 100);
  CHECK(j.at("cookie") == 1001);

  e.call = Call::Close;
  e.ret = 0;
  e.arg0 = 1;
  json c = watch_json(e, &s, kNames);
  CHECK(c.at("call") == "close");
  CHECK(c.at("last_ref") == true);
}

TEST_CASE("watch shows state changes, syscalls, samples, drops and TCP events, not bookkeeping", "[format]") {
  CHECK(is_watch_event(StateChange{}));
  CHECK(is_watch_event(SyscallEvent{}));
  CHECK(is_watch_event(Sample{}));
  CHECK(is_watch_event(Drop{}));
  for (auto k : {TcpKind::Retransmit, TcpKind::SynackRetransmit, TcpKind::ResetSent, TcpKind::ResetReceived,
                 TcpKind::ZeroWindowSent, TcpKind::ZeroWindowReceived, TcpKind::PersistProbe}) {
    TcpEvent e;
    e.kind = k;
    CHECK(is_watch_event(e));
  }
  TcpEvent metrics;
  metrics.kind = TcpKind::Metrics;  // throttled samples feed the model only
  CHECK_FALSE(is_watch_event(metrics));
  CHECK_FALSE(is_watch_event(StatsUpdate{}));
  CHECK_FALSE(is_watch_event(SockSeed{}));
  CHECK_FALSE(is_watch_event(Lost{}));
  CHECK_FALSE(is_watch_event(JourneyUpdate{}));
  CHECK_FALSE(is_watch_event(SockDropsUpdate{}));
  CHECK_FALSE(is_watch_event(DevStatsUpdate{}));
  CHECK_FALSE(is_watch_event(DevDropsUpdate{}));
}

// ---------------------------------------------------------------------------
// list (table)

TEST_CASE("list_table: a header and one row per socket", "[format][table]") {
  Socket a = curl_v4(), b = server_v6(), c = dns_udp();
  c.closed = true;
  auto out = lines(list_table(sorted_sockets({&c, &b, &a}), 9 * kSec));
  REQUIRE(out.size() == 4);
  for (const char* col : {"Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port",
                          "Process"})
    CHECK(out[0].find(col) != std::string::npos);

  // TCP before UDP, then by local port: the server (8080) before curl (40000)
  CHECK(out[1].rfind("tcp", 0) == 0);
  CHECK(out[1].find("[::1]:8080") != std::string::npos);
  CHECK(out[1].find("SYN_RECV") != std::string::npos);
  CHECK(out[1].find("[2001:db8::7]:51000") != std::string::npos);

  CHECK(out[2].rfind("tcp", 0) == 0);
  CHECK(out[2].find("ESTABLISHED") != std::string::npos);
  CHECK(out[2].find("127.0.0.1:40000") != std::string::npos);
  CHECK(out[2].find("127.0.0.1:8080") != std::string::npos);
  CHECK(out[2].find("curl,pid=100,fd=3") != std::string::npos);
  CHECK(out[2].find("56789") == std::string::npos);  // bytes over 10000 are shortened
  CHECK(out[2].find("56K") != std::string::npos);

  CHECK(out[3].rfind("udp", 0) == 0);
  CHECK(out[3].find("(closed)") != std::string::npos);
  CHECK(out[3].find("avahi-daemon,pid=400,fd=9") != std::string::npos);
}

TEST_CASE("list_table: buffer use in whole percents, as every view spells it", "[format][table]") {
  Socket a = curl_v4();
  a.occ.rmem_alloc = 4096;
  a.occ.rcvbuf = 110000;  // 3.72 %
  a.occ.wmem_queued = 10160;
  a.occ.sndbuf = 10000;  // 101.6 %
  auto out = lines(list_table({&a}, 9 * kSec));
  REQUIRE(out.size() == 2);
  INFO(out[1]);
  CHECK(out[1].find("    4   102 ") != std::string::npos);
  CHECK(out[1].find("3.7") == std::string::npos);
  CHECK(out[1].find("101.6") == std::string::npos);
}

TEST_CASE("list_table on an empty table prints just the header", "[format][table]") {
  std::string text = list_table({}, 0);
  auto out = lines(text);
  REQUIRE(out.size() == 1);
  CHECK(out[0].find("Netid") == 0);
  CHECK(text.back() == '\n');
}

TEST_CASE("queue use in percent: memory against its limit, listeners by accept queue", "[format]") {
  Socket s = curl_v4();  // rmem 512 of 131072, wmem 256 of 16384
  CHECK(rx_use_pct(s) == Approx(100.0 * 512 / 131072));
  CHECK(tx_use_pct(s) == Approx(100.0 * 256 / 16384));
  s.state = TcpState::Listen;
  s.occ.ack_backlog = 32;
  s.occ.max_ack_backlog = 128;
  CHECK(rx_use_pct(s) == Approx(25.0));
  CHECK(tx_use_pct(s) == 0);
  CHECK(rx_use_pct(Socket{}) == 0);  // no limit known: no division by zero
}

// ---------------------------------------------------------------------------
// sk_buff paths and TCP health: list --json

namespace {

// curl's connection after a lossy transfer.
Socket lossy() {
  Socket s = curl_v4();
  s.tcp = {.drops = 9, .retrans_segs = 17, .retrans_failed = 2, .synack_retrans = 1, .resets_sent = 3,
           .resets_received = 4, .rcvqueue_full = 5, .buf_limit = 6, .udp_queue_fail = 7,
           .zero_window_sent = 8, .zero_window_received = 10, .persist_probes = 11};
  s.metrics = {.srtt_us = 1500, .rttvar_us = 300, .cwnd = 12, .ssthresh = 20, .snd_wnd = 65535, .rcv_wnd = 4096};
  s.metrics_ns = 8 * kSec;
  s.drops_by_reason = {{34, 6}, {13, 2}, {999, 1}};
  return s;
}

}  // namespace

TEST_CASE("socket_json: drops, retransmits, resets, windows and metrics", "[format][json][skb]") {
  json j = socket_json(lossy(), 9 * kSec, kNames);
  CHECK(j.at("drops") == 9);
  CHECK(j.at("drops_by_reason") == json{{"NETFILTER_DROP", 6}, {"SOCKET_RCVBUFF", 2}, {"reason_999", 1}});
  CHECK(j.at("retransmits") == 17);
  CHECK(j.at("retransmits_failed") == 2);
  CHECK(j.at("synack_retransmits") == 1);
  CHECK(j.at("resets_sent") == 3);
  CHECK(j.at("resets_received") == 4);
  CHECK(j.at("rcvqueue_full") == 5);
  CHECK(j.at("buf_limit_hits") == 6);
  CHECK(j.at("udp_queue_fails") == 7);
  CHECK(j.at("zero_window_sent") == 8);
  CHECK(j.at("zero_window_received") == 10);
  CHECK(j.at("zero_window_events") == 18);
  CHECK(j.at("persist_probes") == 11);
  CHECK(j.at("rtt_us") == 1500);
  CHECK(j.at("rttvar_us") == 300);
  CHECK(j.at("cwnd") == 12);
  CHECK(j.at("ssthresh") == 20);
  CHECK(j.at("snd_wnd") == 65535);
  CHECK(j.at("rcv_wnd") == 4096);
}

TEST_CASE("socket_json: drops is never below the sum by reason", "[format][json][skb]") {
  // the two maps are read one after the other: either can be ahead
  Socket s = lossy();
  s.tcp.drops = 4;  // the per-reason map already counts 9
  CHECK(socket_json(s, 0, kNames).at("drops") == 9);
  s.drops_by_reason.clear();
  CHECK(socket_json(s, 0, kNames).at("drops") == 4);
  CHECK(socket_json(s, 0, kNames).at("drops_by_reason") == json::object());
}

TEST_CASE("socket_json: two codes with one name add up", "[format][json][skb]") {
  ReasonNames names = kNames;
  names.drop[40] = "NETFILTER_DROP";  // a kernel with a duplicate spelling
  Socket s = lossy();
  s.drops_by_reason = {{34, 6}, {40, 3}};
  CHECK(socket_json(s, 0, names).at("drops_by_reason") == json{{"NETFILTER_DROP", 9}});
}

TEST_CASE("socket_json: journey histograms as count, p50, p99, max in microseconds", "[format][json][skb]") {
  Socket s = curl_v4();
  std::vector<uint64_t> fast, slow;
  for (uint64_t i = 1; i <= 100; ++i) fast.push_back(i * 100);  // 0.1 .. 10 us
  for (uint64_t i = 1; i <= 100; ++i) slow.push_back(i * 1'000'000);  // 1 .. 100 ms
  s.journey.make() = {hist_of(fast), hist_of(slow)};
  json j = socket_json(s, 0, kNames).at("journey");
  const json& n = j.at("nic_to_queue_us");
  CHECK(n.at("count") == 100);
  CHECK(n.at("max").get<double>() == Approx(10.0));
  CHECK(n.at("p50").get<double>() == Approx(percentile(s.nic_to_queue(), 0.5) / 1000.0));
  CHECK(n.at("p99").get<double>() == Approx(percentile(s.nic_to_queue(), 0.99) / 1000.0));
  const json& r = j.at("queue_to_read_us");
  CHECK(r.at("count") == 100);
  CHECK(r.at("max").get<double>() == Approx(100'000.0));
  CHECK(r.at("p50").get<double>() == Approx(50'000.0).epsilon(0.15));  // within its bucket
  CHECK(r.at("p50").get<double>() > n.at("p99").get<double>());

  json empty = socket_json(curl_v4(), 0, kNames).at("journey");
  for (const char* k : {"nic_to_queue_us", "queue_to_read_us"})
    CHECK(empty.at(k) == json{{"count", 0}, {"p50", 0}, {"p99", 0}, {"max", 0}});
}

TEST_CASE("list_table: Drops, Retr and RTT columns", "[format][table][skb]") {
  Socket a = lossy(), b = server_v6();
  auto out = lines(list_table(sorted_sockets({&a, &b}), 9 * kSec));
  REQUIRE(out.size() == 3);
  for (const char* col : {"Drops", "Retr", "RTT"}) CHECK(out[0].find(col) != std::string::npos);
  // the columns sit between Rcvd and Process
  CHECK(out[0].find("Rcvd") < out[0].find("Drops"));
  CHECK(out[0].find("RTT") < out[0].find("Process"));
  CHECK(out[2].find("      9     17   1.5ms curl,pid=100") != std::string::npos);
  CHECK(out[1].find("      0      0       - -") != std::string::npos);  // no RTT measured
}

TEST_CASE("rtt_text picks a readable unit", "[format][skb]") {
  Socket s;
  CHECK(rtt_text(s) == "-");
  s.metrics_ns = 1;
  s.metrics.srtt_us = 0;
  CHECK(rtt_text(s) == "0us");  // measured, loopback-fast
  s.metrics.srtt_us = 850;
  CHECK(rtt_text(s) == "850us");
  s.metrics.srtt_us = 12'345;
  CHECK(rtt_text(s) == "12.3ms");
  s.metrics.srtt_us = 450'000;
  CHECK(rtt_text(s) == "450ms");
  s.metrics.srtt_us = 12'500'000;
  CHECK(rtt_text(s) == "12.5s");
}

// ---------------------------------------------------------------------------
// sk_buff paths and TCP health: watch

TEST_CASE("watch_json for a drop on a socket: reason name, origin, owner from the model", "[format][json][skb]") {
  Socket s = curl_v4();
  Drop d;
  d.ts_ns = 6 * kSec;
  d.sock = s.id;
  d.origin = DropOrigin::KfreeSkb;
  d.reason = 34;
  d.ifindex = 7;
  d.dev_netns = 4026532500;
  d.len = 1448;
  d.location = 0xffffffff81abcdefull;
  json j = watch_json(d, &s, kNames);
  CHECK(j.at("type") == "drop");
  CHECK(j.at("ts_ns") == 6 * kSec);
  CHECK(j.at("reason") == "NETFILTER_DROP");
  CHECK(j.at("reason_code") == 34);
  CHECK(j.at("origin") == "kfree_skb");
  CHECK(j.at("ifindex") == 7);
  CHECK(j.at("dev_netns") == 4026532500u);
  CHECK(j.at("len") == 1448);
  CHECK(j.at("location") == "0xffffffff81abcdef");
  CHECK(j.at("from_packet") == false);
  CHECK(j.at("cookie") == 1001);
  CHECK(j.at("pid") == 100);
  CHECK(j.at("comm") == "curl");
  CHECK(j.at("proto") == "tcp");
  CHECK(j.at("family") == "inet");
  CHECK(j.at("local") == "127.0.0.1:40000");
  CHECK(j.at("remote") == "127.0.0.1:8080");
  CHECK(j.contains("netns"));

  std::string line = watch_text(d, &s, 0, kNames);
  CHECK(line.find(" drop ") != std::string::npos);
  CHECK(line.find("reason=NETFILTER_DROP origin=kfree_skb dev=if7 len=1448 loc=0xffffffff81abcdef") !=
        std::string::npos);
  CHECK(line.find("curl") != std::string::npos);
  CHECK(line.find("cookie=1001") != std::string::npos);
}

TEST_CASE("watch_json for a drop with no socket: the packet's addresses, no owner", "[format][json][skb]") {
  Drop d;
  d.ts_ns = 6 * kSec;
  d.from_packet = true;
  d.sock.family = kAfInet;
  d.sock.protocol = kProtoTcp;
  d.sock.netns = 4026532500;
  d.sock.local = v4("10.0.0.2", 40000);  // the packet's source
  d.sock.remote = v4("10.0.0.1", 9);
  d.reason = 3;
  json j = watch_json(d, nullptr, kNames);
  CHECK(j.at("reason") == "NO_SOCKET");
  CHECK(j.at("from_packet") == true);
  CHECK(j.at("cookie") == 0);
  CHECK(j.at("pid") == 0);
  CHECK(j.at("comm") == "");
  CHECK(j.at("local") == "10.0.0.2:40000");
  CHECK(j.at("remote") == "10.0.0.1:9");
  CHECK(j.at("netns") == 4026532500u);
  CHECK(j.at("location") == "0x0");
  std::string line = watch_text(d, nullptr, 0, kNames);
  CHECK(line.find("tcp 10.0.0.2:40000>10.0.0.1:9") != std::string::npos);
  CHECK(line.find("no_socket") != std::string::npos);

  Event ev = d;
  REQUIRE(packet_sock(ev) != nullptr);  // watch filters match these addresses
  CHECK(packet_sock(ev)->local == d.sock.local);
  d.from_packet = false;
  ev = d;
  CHECK(packet_sock(ev) == nullptr);
  CHECK(packet_sock(StateChange{}) == nullptr);
}

TEST_CASE("drop reasons of the socket-level origins", "[format][skb]") {
  struct Case {
    DropOrigin origin;
    uint32_t code;
    const char* origin_name;
    const char* reason;
    int64_t reason_code;
  };
  auto c = GENERATE(values<Case>({
      {DropOrigin::RcvqueueFull, 0, "rcvqueue_full", "rcvbuf_full", 0},
      {DropOrigin::ExceedBuf, 0, "exceed_buf_limit", "proto_mem_send", 0},
      {DropOrigin::ExceedBuf, 1, "exceed_buf_limit", "proto_mem_recv", 1},
      // a full receive buffer and udp_mem, named as the other origins name them
      {DropOrigin::UdpQueueFail, 12, "udp_fail_queue", "rcvbuf_full", 12},
      {DropOrigin::UdpQueueFail, uint32_t(-105), "udp_fail_queue", "proto_mem_recv", -105},  // the kernel's rc as is
      {DropOrigin::UdpQueueFail, 22, "udp_fail_queue", "EINVAL", 22},
      {DropOrigin::UdpQueueFail, 0x80000000u, "udp_fail_queue", "errno_2147483648", INT32_MIN},  // junk from a file
  }));
  Socket s = dns_udp();
  Drop d;
  d.sock = s.id;
  d.origin = c.origin;
  d.reason = c.code;
  json j = watch_json(d, &s, kNames);
  CHECK(j.at("origin") == c.origin_name);
  CHECK(j.at("reason") == c.reason);
  CHECK(j.at("reason_code") == c.reason_code);
  CHECK(j.at("pid") == 400);
}

TEST_CASE("watch_json for a retransmit: segments, result, metrics, owner", "[format][json][skb]") {
  Socket s = curl_v4();
  TcpEvent e;
  e.ts_ns = 7 * kSec;
  e.sock = s.id;
  e.kind = TcpKind::Retransmit;
  e.segs = 3;
  e.err = 0;
  e.m = {.srtt_us = 2100, .cwnd = 5, .snd_wnd = 64000, .rcv_wnd = 32000};
  json j = watch_json(e, &s, kNames);
  CHECK(j.at("type") == "tcp");
  CHECK(j.at("event") == "retransmit");
  CHECK(j.at("segs") == 3);
  CHECK(j.at("err") == 0);
  CHECK(j.at("srtt_us") == 2100);
  CHECK(j.at("cwnd") == 5);
  CHECK(j.at("snd_wnd") == 64000);
  CHECK(j.at("rcv_wnd") == 32000);
  CHECK_FALSE(j.contains("reason"));
  CHECK(j.at("pid") == 100);
  CHECK(j.at("cookie") == 1001);
  CHECK(j.at("local") == "127.0.0.1:40000");

  std::string line = watch_text(e, &s, 0, kNames);
  CHECK(line.find(" retransmit ") != std::string::npos);
  CHECK(line.find("segs=3 srtt=2100us cwnd=5 snd_wnd=64000 rcv_wnd=32000") != std::string::npos);

  e.kind = TcpKind::ZeroWindowReceived;
  CHECK(watch_json(e, &s, kNames).at("event") == "zero_window_received");
  e.kind = TcpKind::PersistProbe;
  CHECK(watch_json(e, &s, kNames).at("event") == "persist_probe");
}

TEST_CASE("watch_json for a reset sent with no socket: reason name, our side is local", "[format][json][skb]") {
  TcpEvent e;
  e.ts_ns = 7 * kSec;
  e.kind = TcpKind::ResetSent;
  e.from_packet = true;
  e.reason = 1;
  e.sock.family = kAfInet6;
  e.sock.protocol = kProtoTcp;
  e.sock.local = v6("fd00::1", 9);  // the closed port we answered from
  e.sock.remote = v6("fd00::2", 51000);
  json j = watch_json(e, nullptr, kNames);
  CHECK(j.at("event") == "reset_sent");
  CHECK(j.at("reason") == "NO_SOCKET");
  CHECK(j.at("from_packet") == true);
  CHECK(j.at("local") == "[fd00::1]:9");
  CHECK(j.at("remote") == "[fd00::2]:51000");
  CHECK(j.at("cookie") == 0);
  CHECK(j.at("pid") == 0);
  std::string line = watch_text(e, nullptr, 0, kNames);
  CHECK(line.find("reset_sent") != std::string::npos);
  CHECK(line.find("reason=NO_SOCKET") != std::string::npos);

  e.reason = 77;  // not in this kernel's names
  CHECK(watch_json(e, nullptr, kNames).at("reason") == "reason_77");
  e.kind = TcpKind::ResetReceived;
  CHECK_FALSE(watch_json(e, nullptr, kNames).contains("reason"));
}

TEST_CASE("default tier: what no tier in force measured is null or '-', never 0", "[format][tiers]") {
  SocketTable table;
  table.set_coverage({.syscalls = false, .packets = false});
  // a UDP socket the cgroup hook saw made: no fd, no time in the call
  SyscallEvent made;
  made.ts_ns = made.enter_ns = 2 * kSec;
  made.origin = CallOrigin::Cgroup;
  made.call = Call::Socket;
  made.task = {200, 200, comm("dns")};
  made.sock.cookie = 77;
  made.sock.family = kAfInet;
  made.sock.protocol = kProtoUdp;
  made.sock.type = 2;
  made.sock.state = uint8_t(TcpState::Close);
  const Socket* s = table.apply(made);
  REQUIRE(s);
  CHECK(s->owner.fd == -1);  // the cgroup hook knows no fd
  json j = socket_json(*s, 3 * kSec, kNames);
  CHECK(j.at("bytes_sent").is_null());
  CHECK(j.at("bytes_received").is_null());
  CHECK(j.at("send_calls").is_null());
  CHECK(j.at("recv_ns_max").is_null());
  auto out = lines(list_table({s}, 3 * kSec));
  REQUIRE(out.size() == 2);
  CHECK(out[1].find(" - ") != std::string::npos);
  // the watch line says '-' for what the hook cannot know
  std::string line = watch_text(Event{made}, s, 0, kNames);
  INFO(line);
  CHECK(line.find("fd=- ret=0 took=-") != std::string::npos);
  json w = watch_json(Event{made}, s, kNames);
  CHECK(w.at("origin") == "cgroup");
  CHECK_FALSE(w.contains("fd"));
  CHECK_FALSE(w.contains("duration_ns"));
}

// Issue 16: every UDP buffer-full line read "reason=ENOMEM suppressed=1":
// the 1 is the kfree_skb of the drop already shown, throttled.
TEST_CASE("watch text for a UDP buffer-full drop: the reason as elsewhere, the socket's drops, no companion count",
          "[format][skb]") {
  Socket s = dns_udp();
  Drop d;
  d.ts_ns = 6 * kSec;
  d.sock = s.id;
  d.origin = DropOrigin::UdpQueueFail;
  d.reason = 12;  // ENOMEM
  d.ifindex = 1;
  d.suppressed = 1;
  std::string line = watch_text(d, &s, 0, kNames);
  CHECK(line.find("reason=rcvbuf_full") != std::string::npos);
  CHECK(line.find("ENOMEM") == std::string::npos);
  CHECK(line.find("suppressed") == std::string::npos);
  // JSON keeps the record as it is
  json j = watch_json(d, &s, kNames);
  CHECK(j.at("suppressed") == 1);
  CHECK(j.at("reason_code") == 12);
  // once the model has counted the socket's drops, the line says how many
  s.drops_by_reason[13] = 250;
  line = watch_text(d, &s, 0, kNames);
  CHECK(line.find("total_drops=250") != std::string::npos);
  // a drop no refusal pairs with: what was throttled is said
  d.origin = DropOrigin::KfreeSkb;
  d.reason = 34;
  d.suppressed = 4;
  CHECK(watch_text(d, nullptr, 0, kNames).find("suppressed=4") != std::string::npos);
}

// Issue 16: such a drop printed "? ?:*>?:*" where the socket goes.
TEST_CASE("watch text for a drop with neither socket nor packet addresses: the device and the reason",
          "[format][skb]") {
  Drop d;
  d.ts_ns = 6 * kSec;
  d.origin = DropOrigin::KfreeSkb;
  d.reason = 34;
  d.ifindex = 2;
  d.dev_netns = 4026531840u;
  NicTable nics;
  DevStatsUpdate u;
  u.dev = {4026531840u, 2};
  u.name = comm("eth0");
  nics.apply(u);
  std::string line = watch_text(d, nullptr, 0, kNames, &nics);
  INFO(line);
  CHECK(line.find("?:*") == std::string::npos);
  CHECK(line.find("no socket, on eth0") != std::string::npos);
  CHECK(line.find("reason=NETFILTER_DROP") != std::string::npos);
  CHECK(line.find("dev=eth0") != std::string::npos);
  // its name not read: as `nic` names it; no device at all: said so
  CHECK(watch_text(d, nullptr, 0, kNames).find("no socket, on if2") != std::string::npos);
  d.ifindex = 0;
  line = watch_text(d, nullptr, 0, kNames, &nics);
  CHECK(line.find("no socket, no device") != std::string::npos);
  CHECK(line.find("dev=(no device)") != std::string::npos);
}

TEST_CASE("JsonArrayWriter writes what dump() writes for the whole array, one element at a time", "[format][json]") {
  using nlohmann::json;
  const json big = {{"cookie", 4242},
                    {"comm", "say \"hi\"\nthere"},
                    {"bytes", std::string("ok \xff\xfe end")},  // not UTF-8: replaced, as dump() replaces
                    {"nested", {{"list", {1, 2, {{"deep", true}}}}, {"empty_obj", json::object()}, {"empty_arr", json::array()}}}};
  const std::vector<json> cases = {json::array(), json::array({1}), json::array({big}), json::array({big, 7, "x", big})};
  for (int indent : {-1, 0, 1, 4}) {
    for (const json& arr : cases) {
      std::ostringstream out;
      JsonArrayWriter w(out, indent);
      for (const json& e : arr) w.add(e);
      w.finish();
      INFO("indent " << indent << ", " << arr.size() << " elements");
      CHECK(out.str() == arr.dump(indent, ' ', false, json::error_handler_t::replace));
    }
  }
}
