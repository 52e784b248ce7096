// Socket options and shutdown, as the app set them, in list --json.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/integration/list_helpers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

TEST_CASE("list --json: options the app set, with their values", "[kernel][options]") {
  uint16_t port = free_port();
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped, "--port", std::to_string(port)}, "opts");
  uint16_t p = port;
  Fd l = tcp_listen(AF_INET, p);
  Fd c(socket(AF_INET, SOCK_STREAM, 0));
  int rcvbuf = 65536, sndbuf = 32768, one = 1;
  linger lg{1, 5};
  REQUIRE(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0);
  REQUIRE(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0);
  REQUIRE(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0);
  REQUIRE(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
  REQUIRE(setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
  REQUIRE(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(c, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0);
  uint16_t cport = local_port(c);
  Fd s = tcp_accept(l);
  REQUIRE(shutdown(c, SHUT_WR) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(run.stop() == 0);

  auto list = run.json_doc();
  auto [srv, cli] = find_ends(list, "127.0.0.1", port, cport);
  INFO(list.dump(1));
  REQUIRE(cli);
  REQUIRE(srv);
  std::map<std::string, uint64_t> opts;
  for (const auto& o : (*cli)["options"]) opts[o["option"]] = o["value"];
  CHECK(opts["SO_RCVBUF"] == 65536);
  CHECK(opts["SO_SNDBUF"] == 32768);
  CHECK(opts["SO_KEEPALIVE"] == 1);
  CHECK(opts["SO_LINGER"] == (1ull | (5ull << 32)));
  CHECK(opts["SO_REUSEADDR"] == 1);
  CHECK(opts["TCP_NODELAY"] == 1);
  // the kernel doubles SO_RCVBUF; the model's limit is the kernel's
  CHECK((*cli)["rcvbuf"] == 2 * 65536);
  // shutdown(SHUT_WR) sent our FIN: FIN_WAIT2 here, CLOSE_WAIT there
  CHECK((*cli)["state"] == "FIN_WAIT2");
  CHECK((*srv)["state"] == "CLOSE_WAIT");
}
