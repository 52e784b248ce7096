// UDP sockets, and sockets that existed before sockscope started.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/integration/list_helpers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

TEST_CASE("list --json: sockets created before start-up are there, with owner and queues", "[kernel][seed][smoke]") {
  uint16_t port = 0, uport = 0;
  Fd l = tcp_listen(AF_INET, port);
  Fd c = tcp_connect(AF_INET, port);
  Fd s = tcp_accept(l);
  Fd pending = tcp_connect(AF_INET, port);  // waits in the accept queue
  uint16_t cport = local_port(c);
  std::vector<char> data(3000, 'z');
  write_all(c, data.data(), data.size());
  Fd u = udp_socket(AF_INET6, uport);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  SockscopeRun run({"list", "--json", "--duration", kUntilStopped}, "seed");
  REQUIRE(run.stop() == 0);
  auto list = run.json_doc();
  const auto* lis = find_socket(list, "tcp", ep("127.0.0.1", port), "0.0.0.0:*");
  const auto* srv = find_socket(list, "tcp", ep("127.0.0.1", port), ep("127.0.0.1", cport));
  const auto* udp = find_socket(list, "udp", ep("[::1]", uport), "");
  REQUIRE(lis);
  REQUIRE(srv);
  REQUIRE(udp);
  const uint32_t pid = getpid();
  CHECK((*lis)["seeded"] == true);
  CHECK((*lis)["state"] == "LISTEN");
  CHECK((*lis)["pid"] == pid);
  CHECK((*lis)["fd"] == l.fd);
  CHECK((*lis)["accept_queue"] == 1);
  CHECK((*lis)["backlog"] == 128);
  CHECK((*srv)["seeded"] == true);
  CHECK((*srv)["state"] == "ESTABLISHED");
  CHECK((*srv)["fd"] == s.fd);
  CHECK((*srv)["rx_queue"] == 3000);
  CHECK((*srv)["cookie"].get<uint64_t>() != 0);
  CHECK((*udp)["family"] == "inet6");
  CHECK((*udp)["state"] == "UNCONN");
  CHECK((*udp)["fd"] == u.fd);
  CHECK((*udp)["pid"] == pid);
}

TEST_CASE("list --json: a UDP socket's lifecycle and bytes", "[kernel][udp][smoke][syscalls-tier]") {
  uint16_t port = free_port();
  // UDP has no byte counts in the kernel's socket state: bytes come from
  // the packets tier, calls from the syscalls tier
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "-u", "--detail", "syscalls,packets"}, "udp");
  uint16_t rport = 0, sport = 0;
  Fd rx = udp_socket(AF_INET, rport);
  Fd tx = udp_socket(AF_INET, sport);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(rport);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char msg[123] = {};
  for (int i = 0; i < 10; ++i)
    REQUIRE(sendto(tx, msg, sizeof(msg), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 123);
  char buf[200];
  for (int i = 0; i < 9; ++i) REQUIRE(recv(rx, buf, sizeof(buf), 0) == 123);  // one stays queued
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  tx.close();
  (void)port;
  REQUIRE(run.stop() == 0);
  auto list = run.json_doc();
  const auto* r = find_socket(list, "udp", ep("127.0.0.1", rport), "");
  const auto* t = find_socket(list, "udp", ep("127.0.0.1", sport), "");
  INFO(list.dump(1));
  REQUIRE(r);
  REQUIRE(t);
  CHECK((*t)["bytes_sent"] == 1230);
  CHECK((*t)["send_calls"] == 10);
  CHECK((*t)["closed"] == true);
  CHECK((*r)["bytes_received"] == 9 * 123);
  CHECK((*r)["closed"] == false);
  CHECK((*r)["rx_queue"].get<uint64_t>() > 0);  // one datagram's memory
  CHECK((*r)["pid"] == getpid());
  CHECK((*r)["fd"] == rx.fd);
}
