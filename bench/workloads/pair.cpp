// bench_pair: request/response ping-pong over one loopback TCP connection.
// A client thread sends --size bytes and waits for them to come back; an
// echo thread returns them. The cost of one pair is two sends, two receives
// and the wakeups between them: the per-syscall path a tracer adds to.
//
//   bench_pair [--seconds S] [--cpu N] [--port P] [--size B]
#include <netinet/tcp.h>

#include <thread>
#include <vector>

#include "bench/workloads/common.h"

using namespace bench;

namespace {

constexpr double kWarmupSeconds = 0.2;

void send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      die_errno("send");
    }
    p += r;
    n -= size_t(r);
  }
}

// false: the peer closed before n bytes arrived
bool recv_all(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = recv(fd, p, n, 0);
    if (r == 0) return false;
    if (r < 0) {
      if (errno == EINTR) continue;
      die_errno("recv");
    }
    p += r;
    n -= size_t(r);
  }
  return true;
}

// Echoes until the client closes its end.
void echo(int fd, size_t size) {
  std::vector<char> buf(size);
  while (recv_all(fd, buf.data(), size)) send_all(fd, buf.data(), size);
}

// Runs pairs until the deadline, checking the clock every 256 pairs.
uint64_t run_pairs(int fd, std::vector<char>& buf, double seconds) {
  Deadline dl(seconds);
  uint64_t n = 0;
  do {
    for (int i = 0; i < 256; ++i) {
      send_all(fd, buf.data(), buf.size());
      if (!recv_all(fd, buf.data(), buf.size())) die("the echo side closed the connection");
    }
    n += 256;
  } while (!dl.passed());
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"TCP request/response pairs over loopback; prints one JSON line"};
  Common c;
  c.port = 47001;
  size_t size = 64;
  add_common(app, c);
  app.add_option("--size", size, "Bytes per request (and per response)")
      ->check(CLI::Range(size_t(1), size_t(1) << 20))
      ->capture_default_str();
  parse_or_exit(app, argc, argv);
  pin_to_cpu(c.cpu);

  int lfd = tcp_listener(c.port, 1);
  int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (cfd < 0) die_errno("socket");
  sockaddr_in a = loopback(c.port);
  if (connect(cfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die_errno("connect to 127.0.0.1");
  int sfd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  if (sfd < 0) die_errno("accept");
  close(lfd);
  // Small writes must go out at once, not wait for Nagle.
  set_int_opt(cfd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  set_int_opt(sfd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");

  std::thread echo_thread(echo, sfd, size);
  std::vector<char> buf(size, 'x');
  run_pairs(cfd, buf, kWarmupSeconds);  // caches, scheduler and socket buffers settle
  auto t0 = Clock::now();
  uint64_t pairs = run_pairs(cfd, buf, c.seconds);
  double s = seconds_since(t0);
  close(cfd);  // the echo thread sees EOF and returns
  echo_thread.join();
  close(sfd);

  emit({{"workload", "pair"},
        {"pairs", pairs},
        {"seconds", s},
        {"ns_per_pair", s * 1e9 / double(pairs)},
        {"size", size}});
}
