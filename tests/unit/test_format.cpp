// What `list` and `watch` print: the JSON keys the CLI promises and the
// ss-like table.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "builders.h"
#include "output/event_format.h"
#include "output/socket_format.h"

using namespace sockscope;
using namespace sockscope::test;
using nlohmann::json;

namespace {

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

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// list --json

TEST_CASE("socket_json has every key the CLI promises, with the model's values", "[format][json]") {
  json j = socket_json(curl_v4(), 9 * kSec);
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
  json j = socket_json(server_v6(), 0);
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
  json j = socket_json(s, 0);
  CHECK(j.at("proto") == "udp");
  CHECK(j.at("state") == "UNCONN");
  CHECK(j.at("remote") == "0.0.0.0:*");
  s.state = TcpState::Established;
  CHECK(socket_json(s, 0).at("state") == "ESTAB");
}

TEST_CASE("socket_json: a listener shows its accept queue", "[format][json]") {
  Socket s = server_v6();
  s.state = TcpState::Listen;
  s.occ.ack_backlog = 3;
  s.occ.max_ack_backlog = 128;
  s.occ_max.ack_backlog = 17;
  json j = socket_json(s, 0);
  CHECK(j.at("accept_queue") == 3);
  CHECK(j.at("accept_queue_max") == 17);
  CHECK(j.at("backlog") == 128);
  CHECK_FALSE(socket_json(server_v6(), 0).contains("accept_queue"));
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
  json j = watch_json(e, &s);
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

  // no socket known: the task that ran is all there is
  json bare = watch_json(e, nullptr);
  CHECK(bare.at("pid") == 0);
  CHECK(bare.at("comm") == "swapper/1");
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
  json j = watch_json(e, &s);
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
  json c = watch_json(e, &s);
  CHECK(c.at("call") == "close");
  CHECK(c.at("last_ref") == true);
}

TEST_CASE("watch shows state changes, syscalls and samples, not bookkeeping", "[format]") {
  CHECK(is_watch_event(StateChange{}));
  CHECK(is_watch_event(SyscallEvent{}));
  CHECK(is_watch_event(Sample{}));
  CHECK_FALSE(is_watch_event(StatsUpdate{}));
  CHECK_FALSE(is_watch_event(SockSeed{}));
  CHECK_FALSE(is_watch_event(Lost{}));
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
