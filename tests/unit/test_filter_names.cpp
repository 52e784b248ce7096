// Filters (ss-style options) and the names kernel values are shown by.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "model/filter.h"
#include "model/names.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;

namespace {

Socket make(uint16_t family, uint16_t proto, TcpState st, uint16_t lport, uint16_t rport, uint32_t pid,
            std::string_view name) {
  Socket s;
  s.id.family = family;
  s.id.protocol = proto;
  s.id.local.port = lport;
  s.id.remote.port = rport;
  s.state = st;
  s.owner.pid = pid;
  s.owner.comm = comm(name);
  return s;
}

// The sockets every filter case is checked against.
const Socket kWeb = make(kAfInet, kProtoTcp, TcpState::Established, 443, 51000, 200, "nginx");
const Socket kSsh = make(kAfInet6, kProtoTcp, TcpState::Listen, 22, 0, 300, "sshd");
const Socket kDns = make(kAfInet, kProtoUdp, TcpState::Close, 5353, 0, 400, "avahi-daemon");
const Socket kCurl6 = make(kAfInet6, kProtoTcp, TcpState::SynSent, 40000, 443, 100, "curl");

std::string matching(const Filter& f) {
  std::string out;
  for (const auto* s : {&kWeb, &kSsh, &kDns, &kCurl6})
    if (f.matches(*s)) {
      if (!out.empty()) out += ',';
      out += comm_view(s->owner.comm);
    }
  return out;
}

}  // namespace

TEST_CASE("Filter::matches, option by option", "[filter]") {
  struct Case {
    const char* what;
    void (*set)(Filter&);  // the options given
    const char* want;      // comms of the sockets that pass, in order
  };
  auto v = GENERATE(values<Case>({
      {"empty filter: everything", [](Filter&) {}, "nginx,sshd,avahi-daemon,curl"},
      {"-p one pid", [](Filter& f) { f.pids = {300}; }, "sshd"},
      {"-p two pids", [](Filter& f) { f.pids = {100, 200}; }, "nginx,curl"},
      {"-p no such pid", [](Filter& f) { f.pids = {999}; }, ""},
      {"--comm exact", [](Filter& f) { f.comms = {"curl"}; }, "curl"},
      {"--comm is not a prefix match", [](Filter& f) { f.comms = {"avahi"}; }, ""},
      {"--comm two names", [](Filter& f) { f.comms = {"sshd", "nginx"}; }, "nginx,sshd"},
      {"--port local", [](Filter& f) { f.ports = {22}; }, "sshd"},
      {"--port local or remote", [](Filter& f) { f.ports = {443}; }, "nginx,curl"},
      {"--port remote only", [](Filter& f) { f.ports = {51000}; }, "nginx"},
      {"--port two ports", [](Filter& f) { f.ports = {22, 5353}; }, "sshd,avahi-daemon"},
      {"--state established", [](Filter& f) { f.states = {TcpState::Established}; }, "nginx"},
      {"--state listen,syn-sent", [](Filter& f) { f.states = {TcpState::Listen, TcpState::SynSent}; },
       "sshd,curl"},
      {"-4", [](Filter& f) { f.v4 = true; }, "nginx,avahi-daemon"},
      {"-6", [](Filter& f) { f.v6 = true; }, "sshd,curl"},
      {"-4 -6", [](Filter& f) { f.v4 = f.v6 = true; }, "nginx,sshd,avahi-daemon,curl"},
      {"-t", [](Filter& f) { f.tcp = true; }, "nginx,sshd,curl"},
      {"-u", [](Filter& f) { f.udp = true; }, "avahi-daemon"},
      {"-t -u", [](Filter& f) { f.tcp = f.udp = true; }, "nginx,sshd,avahi-daemon,curl"},
      {"-t -6", [](Filter& f) { f.tcp = f.v6 = true; }, "sshd,curl"},
      {"-u -6", [](Filter& f) { f.udp = f.v6 = true; }, ""},
      {"--port 443 -6", [](Filter& f) { f.ports = {443}; f.v6 = true; }, "curl"},
      {"-p 200 --state listen", [](Filter& f) { f.pids = {200}; f.states = {TcpState::Listen}; }, ""},
      {"--comm sshd -t --port 22", [](Filter& f) { f.comms = {"sshd"}; f.tcp = true; f.ports = {22}; }, "sshd"},
  }));
  INFO(v.what);
  Filter f;
  v.set(f);
  CHECK(matching(f) == v.want);
}

TEST_CASE("Filter::matches_packet: addresses and protocol only", "[filter]") {
  // a reset sent from closed port 9 to 10.0.0.2:51000
  SockId pkt;
  pkt.family = kAfInet;
  pkt.protocol = kProtoTcp;
  pkt.local = v4("10.0.0.1", 9);
  pkt.remote = v4("10.0.0.2", 51000);
  struct Case {
    const char* what;
    void (*set)(Filter&);
    bool want;
  };
  auto v = GENERATE(values<Case>({
      {"empty filter", [](Filter&) {}, true},
      {"--port local", [](Filter& f) { f.ports = {9}; }, true},
      {"--port remote", [](Filter& f) { f.ports = {51000}; }, true},
      {"--port other", [](Filter& f) { f.ports = {80}; }, false},
      {"-t -4", [](Filter& f) { f.tcp = f.v4 = true; }, true},
      {"-u", [](Filter& f) { f.udp = true; }, false},
      {"-6", [](Filter& f) { f.v6 = true; }, false},
      {"-p: a packet has no owner", [](Filter& f) { f.pids = {0}; }, false},
      {"--comm: a packet has no owner", [](Filter& f) { f.comms = {""}; }, false},
      {"--state: a packet has no state", [](Filter& f) { f.states = {TcpState::Close}; }, false},
  }));
  INFO(v.what);
  Filter f;
  v.set(f);
  CHECK(f.matches_packet(pkt) == v.want);
}

TEST_CASE("Filter::empty is true only with no option set", "[filter]") {
  CHECK(Filter{}.empty());
  auto set = GENERATE(as<void (*)(Filter&)>{},                      //
                      [](Filter& f) { f.pids = {1}; },              //
                      [](Filter& f) { f.comms = {"x"}; },           //
                      [](Filter& f) { f.ports = {1}; },             //
                      [](Filter& f) { f.states = {TcpState::Listen}; },  //
                      [](Filter& f) { f.v4 = true; },               //
                      [](Filter& f) { f.v6 = true; },               //
                      [](Filter& f) { f.tcp = true; },              //
                      [](Filter& f) { f.udp = true; });
  Filter f;
  set(f);
  CHECK_FALSE(f.empty());
}

TEST_CASE("parse_state takes kernel and ss spellings", "[names]") {
  auto [text, want] = GENERATE(table<const char*, TcpState>({
      {"established", TcpState::Established},
      {"ESTAB", TcpState::Established},
      {"estab", TcpState::Established},
      {"syn-sent", TcpState::SynSent},
      {"SYN_SENT", TcpState::SynSent},
      {"syn-recv", TcpState::SynRecv},
      {"fin-wait-1", TcpState::FinWait1},
      {"FIN_WAIT1", TcpState::FinWait1},
      {"fin-wait-2", TcpState::FinWait2},
      {"time-wait", TcpState::TimeWait},
      {"Time_Wait", TcpState::TimeWait},
      {"close", TcpState::Close},
      {"closed", TcpState::Close},
      {"unconn", TcpState::Close},
      {"close-wait", TcpState::CloseWait},
      {"last-ack", TcpState::LastAck},
      {"listen", TcpState::Listen},
      {"listening", TcpState::Listen},
      {"closing", TcpState::Closing},
      {"new-syn-recv", TcpState::NewSynRecv},
  }));
  CAPTURE(text);
  auto got = parse_state(text);
  REQUIRE(got.has_value());
  CHECK(tcp_state_name(*got) == tcp_state_name(want));
}

TEST_CASE("parse_state rejects junk", "[names]") {
  auto text = GENERATE(as<const char*>{}, "", "bogus", "unknown", "UNKNOWN", "estab lished", "synsent", "1",
                       "fin-wait-3", "established ", "listen\n");
  CAPTURE(text);
  CHECK_FALSE(parse_state(text).has_value());
}

TEST_CASE("tcp_state_name uses the kernel's names", "[names]") {
  CHECK(tcp_state_name(TcpState::Established) == "ESTABLISHED");
  CHECK(tcp_state_name(TcpState::SynSent) == "SYN_SENT");
  CHECK(tcp_state_name(TcpState::FinWait1) == "FIN_WAIT1");
  CHECK(tcp_state_name(TcpState::TimeWait) == "TIME_WAIT");
  CHECK(tcp_state_name(TcpState::Listen) == "LISTEN");
  CHECK(tcp_state_name(TcpState::BoundInactive) == "BOUND_INACTIVE");
  CHECK(tcp_state_name(static_cast<TcpState>(200)) == "UNKNOWN");
  // every name reads back as its state
  for (uint8_t i = 1; i <= kTcpStateMax; ++i) {
    auto st = static_cast<TcpState>(i);
    CAPTURE(i);
    CHECK(parse_state(tcp_state_name(st)) == std::optional<TcpState>(st));
  }
}

TEST_CASE("format_endpoint: ss-style addresses", "[names]") {
  CHECK(format_endpoint(kAfInet, v4("127.0.0.1", 80)) == "127.0.0.1:80");
  CHECK(format_endpoint(kAfInet, v4("10.1.2.3", 65535)) == "10.1.2.3:65535");
  CHECK(format_endpoint(kAfInet6, v6("::1", 80)) == "[::1]:80");
  CHECK(format_endpoint(kAfInet6, v6("2001:db8::42", 443)) == "[2001:db8::42]:443");
  CHECK(format_endpoint(kAfInet6, v6("::ffff:192.0.2.1", 8080)) == "[::ffff:192.0.2.1]:8080");
  // unset address, and port 0 as ss shows it
  CHECK(format_endpoint(kAfInet, Endpoint{}) == "0.0.0.0:*");
  CHECK(format_endpoint(kAfInet, v4("0.0.0.0", 22)) == "0.0.0.0:22");
  CHECK(format_endpoint(kAfInet, v4("127.0.0.1", 0)) == "127.0.0.1:*");
  CHECK(format_endpoint(kAfInet6, Endpoint{}) == "[::]:*");
  CHECK(format_endpoint(kAfInet6, v6("::", 22)) == "[::]:22");
  // a v4 socket ignores the bytes past the first four
  Endpoint e = v4("192.0.2.7", 53);
  e.addr[15] = 0xff;
  CHECK(format_endpoint(kAfInet, e) == "192.0.2.7:53");
  CHECK(format_endpoint(0, v4("1.2.3.4", 5)) == "?:5");
}

TEST_CASE("sockopt_name: known options by name, others by number", "[names]") {
  // numbers as the kernel ABI defines them (x86-64)
  CHECK(sockopt_name(1 /*SOL_SOCKET*/, 8) == "SO_RCVBUF");
  CHECK(sockopt_name(1, 7) == "SO_SNDBUF");
  CHECK(sockopt_name(1, 9) == "SO_KEEPALIVE");
  CHECK(sockopt_name(1, 13) == "SO_LINGER");
  CHECK(sockopt_name(1, 2) == "SO_REUSEADDR");
  CHECK(sockopt_name(1, 20) == "SO_RCVTIMEO");  // _OLD
  CHECK(sockopt_name(1, 66) == "SO_RCVTIMEO");  // _NEW
  CHECK(sockopt_name(6 /*IPPROTO_TCP*/, 1) == "TCP_NODELAY");
  CHECK(sockopt_name(6, 13) == "TCP_CONGESTION");
  CHECK(sockopt_name(6, 4) == "TCP_KEEPIDLE");
  // the same number at another level is another option
  CHECK(sockopt_name(6, 8) != "SO_RCVBUF");
  CHECK(sockopt_name(1, 9999) == "1:9999");
  CHECK(sockopt_name(41 /*IPPROTO_IPV6*/, 26) == "41:26");
}

TEST_CASE("names of lost kinds, drop origins and TCP record kinds", "[names]") {
  CHECK(lost_kind_name(LostKind::Ringbuf) == "ringbuf");
  CHECK(lost_kind_name(LostKind::DropMap) == "drop_map");
  CHECK(lost_kind_name(LostKind::Journey) == "journey");
  CHECK(lost_kind_name(LostKind::Count) == "?");
  CHECK(drop_origin_name(DropOrigin::KfreeSkb) == "kfree_skb");
  CHECK(drop_origin_name(DropOrigin::RcvqueueFull) == "rcvqueue_full");
  CHECK(drop_origin_name(DropOrigin::ExceedBuf) == "exceed_buf_limit");
  CHECK(drop_origin_name(DropOrigin::UdpQueueFail) == "udp_fail_queue");
  CHECK(drop_origin_name(static_cast<DropOrigin>(99)) == "?");
  CHECK(tcp_kind_name(TcpKind::Retransmit) == "retransmit");
  CHECK(tcp_kind_name(TcpKind::SynackRetransmit) == "synack_retransmit");
  CHECK(tcp_kind_name(TcpKind::ResetSent) == "reset_sent");
  CHECK(tcp_kind_name(TcpKind::ResetReceived) == "reset_received");
  CHECK(tcp_kind_name(TcpKind::ZeroWindowSent) == "zero_window_sent");
  CHECK(tcp_kind_name(TcpKind::ZeroWindowReceived) == "zero_window_received");
  CHECK(tcp_kind_name(TcpKind::PersistProbe) == "persist_probe");
  CHECK(tcp_kind_name(static_cast<TcpKind>(0)) == "?");
}

TEST_CASE("family, protocol and call names", "[names]") {
  CHECK(family_name(kAfInet) == "inet");
  CHECK(family_name(kAfInet6) == "inet6");
  CHECK(family_name(1) == "?");
  CHECK(protocol_name(kProtoTcp) == "tcp");
  CHECK(protocol_name(kProtoUdp) == "udp");
  CHECK(protocol_name(132) == "?");
  CHECK(call_name(Call::Socket) == "socket");
  CHECK(call_name(Call::Accept4) == "accept4");
  CHECK(call_name(Call::Writev) == "writev");
  CHECK(call_name(static_cast<Call>(kCallMax + 1)) == "?");
}
