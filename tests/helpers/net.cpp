#include "tests/helpers/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace testing {
namespace {

void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

socklen_t loopback(int family, uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof(ss));
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
  }
  auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  a->sin6_addr = in6addr_loopback;
  return sizeof(*a);
}

}  // namespace

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    close();
    fd = o.fd;
    o.fd = -1;
  }
  return *this;
}
Fd::~Fd() { close(); }
void Fd::close() {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) fail("getsockname");
  return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                 : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

Fd tcp_listen(int family, uint16_t& port, int backlog) {
  Fd s(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s < 0) fail("socket");
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_storage ss;
  socklen_t len = loopback(family, port, ss);
  if (bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0) fail("bind");
  if (listen(s, backlog) != 0) fail("listen");
  port = local_port(s);
  return s;
}

Fd tcp_connect(int family, uint16_t port) {
  Fd s(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s < 0) fail("socket");
  sockaddr_storage ss;
  socklen_t len = loopback(family, port, ss);
  if (connect(s, reinterpret_cast<sockaddr*>(&ss), len) != 0) fail("connect");
  return s;
}

Fd tcp_accept(int listener) {
  Fd s(accept(listener, nullptr, nullptr));
  if (s < 0) fail("accept");
  // not inherited by the programs a test starts (sockscope, ss): they
  // would show up as holders (plain accept(), which tests look for)
  fcntl(s, F_SETFD, FD_CLOEXEC);
  return s;
}

Fd udp_socket(int family, uint16_t& port) {
  Fd s(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s < 0) fail("socket");
  sockaddr_storage ss;
  socklen_t len = loopback(family, port, ss);
  if (bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0) fail("bind");
  port = local_port(s);
  return s;
}

TcpPair tcp_pair(int family, uint16_t port) {
  TcpPair p;
  p.port = port;
  p.listener = tcp_listen(family, p.port);
  p.client = tcp_connect(family, p.port);
  p.server = tcp_accept(p.listener);
  p.cport = local_port(p.client);
  return p;
}

uint16_t free_port() {
  uint16_t port = 0;
  Fd s = tcp_listen(AF_INET, port);
  return port;
}

void write_all(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail("write");
    p += w;
    n -= size_t(w);
  }
}

size_t read_exact(int fd, void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail("read");
    if (r == 0) break;
    got += size_t(r);
  }
  return got;
}

}  // namespace testing
