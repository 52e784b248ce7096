// Queue occupancy and byte counts, against ss and against what the test
// wrote and read.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/helpers/observers.h"
#include "tests/integration/list_helpers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

TEST_CASE("list --json: a reader that stopped has rx_queue equal to ss's Recv-Q", "[kernel][queues][smoke]") {
  uint16_t port = free_port();
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "--port", std::to_string(port)}, "queues");
  auto [_, cport, l, c, s] = tcp_pair(AF_INET, port);
  std::vector<char> data(20000, 'x');
  write_all(c, data.data(), data.size());
  std::vector<char> buf(1000);
  REQUIRE(read_exact(s, buf.data(), buf.size()) == 1000);  // then the reader stops
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // independent observer: ss, while the sockets still exist
  uint64_t ss_recvq = ~0ull;
  for (const auto& r : ss_rows(true, port))
    if (r.local == ep("127.0.0.1", port) && r.peer == ep("127.0.0.1", cport)) ss_recvq = r.recv_q;
  REQUIRE(ss_recvq == 19000);

  REQUIRE(run.stop() == 0);
  auto list = run.json_doc();
  auto [srv, cli] = find_ends(list, "127.0.0.1", port, cport);
  INFO(list.dump(1));
  REQUIRE(srv);
  REQUIRE(cli);
  CHECK((*srv)["rx_queue"] == ss_recvq);
  CHECK((*srv)["rx_queue_max"].get<uint64_t>() >= ss_recvq);
  CHECK((*srv)["state"] == "ESTABLISHED");
  CHECK((*srv)["pid"] == getpid());
  CHECK((*srv)["fd"] == s.fd);
  // the default tier's bytes are the kernel's (tcpi_bytes_received): all
  // that arrived, of which the app read 1000 and 19000 wait in the queue
  CHECK((*srv)["bytes_from"] == "kernel");
  CHECK((*srv)["bytes_received"] == 20000);
  CHECK((*srv)["rcvbuf"].get<uint64_t>() > 0);
  CHECK((*cli)["bytes_sent"] == 20000);
  CHECK((*cli)["tx_queue"] == 0);  // loopback delivered it all
  CHECK((*cli)["fd"] == c.fd);
  CHECK((*cli)["family"] == "inet");
}

TEST_CASE("list --json: bytes and calls equal what the workload did, over every I/O call", "[kernel][queues][smoke][syscalls-tier]") {
  uint16_t port = free_port();
  // bytes the app moved and its calls: the packets and syscalls tiers
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "--detail", "syscalls,packets", "--port",
                    std::to_string(port)},
                   "bytes");
  auto [_, cport, l, c, s] = tcp_pair(AF_INET6, port);

  // 4 calls of each kind: write, send, sendto, sendmsg, writev
  char chunk[777];
  std::fill(std::begin(chunk), std::end(chunk), 'y');
  size_t sent = 0, calls = 0;
  for (int i = 0; i < 4; ++i) {
    REQUIRE(write(c, chunk, 100) == 100);
    REQUIRE(send(c, chunk, 200, 0) == 200);
    REQUIRE(sendto(c, chunk, 300, 0, nullptr, 0) == 300);
    iovec iov[2] = {{chunk, 50}, {chunk, 27}};
    msghdr mh{};
    mh.msg_iov = iov;
    mh.msg_iovlen = 2;
    REQUIRE(sendmsg(c, &mh, 0) == 77);
    REQUIRE(writev(c, iov, 2) == 77);
    sent += 100 + 200 + 300 + 77 + 77;
    calls += 5;
  }
  // read it all back with read, recv, recvmsg and readv
  std::vector<char> buf(sent);
  size_t got = 0;
  int round = 0;
  while (got < sent) {
    ssize_t r;
    size_t want = std::min<size_t>(500, sent - got);
    switch (round++ % 4) {
      case 0: r = read(s, buf.data() + got, want); break;
      case 1: r = recv(s, buf.data() + got, want, 0); break;
      case 2: {
        iovec iov{buf.data() + got, want};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        r = recvmsg(s, &mh, 0);
        break;
      }
      default: {
        iovec iov{buf.data() + got, want};
        r = readv(s, &iov, 1);
      }
    }
    REQUIRE(r > 0);
    got += size_t(r);
  }
  REQUIRE(run.stop() == 0);
  auto list = run.json_doc();
  auto [srv, cli] = find_ends(list, "[::1]", port, cport);
  INFO(list.dump(1));
  REQUIRE(srv);
  REQUIRE(cli);
  CHECK((*cli)["bytes_sent"] == sent);
  CHECK((*cli)["send_calls"] == calls);
  CHECK((*cli)["bytes_received"] == 0);
  CHECK((*srv)["bytes_received"] == sent);
  CHECK((*srv)["recv_calls"] == size_t(round));
  CHECK((*srv)["rx_queue"] == 0);
  CHECK((*srv)["family"] == "inet6");
}
