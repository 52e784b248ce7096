// Loopback sockets for tests: only 127.0.0.1 and ::1.
#pragma once

#include <cstdint>
#include <string>

namespace testing {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  void close();
  operator int() const { return fd; }
};

// family: AF_INET or AF_INET6; port 0 picks one.
Fd tcp_listen(int family, uint16_t& port, int backlog = 128);
Fd tcp_connect(int family, uint16_t port);
Fd tcp_accept(int listener);
Fd udp_socket(int family, uint16_t& port);  // bound to loopback
uint16_t local_port(int fd);
// A connected loopback pair: listener, client, and the accepted socket.
struct TcpPair {
  uint16_t port = 0;   // the listener's
  uint16_t cport = 0;  // the client's
  Fd listener, client, server;
};
TcpPair tcp_pair(int family, uint16_t port);

// A port that was free a moment ago.
uint16_t free_port();
void write_all(int fd, const void* buf, size_t n);
size_t read_exact(int fd, void* buf, size_t n);

}  // namespace testing
