// bench_udp: unpaced UDP datagrams over loopback. A sender thread send()s on
// a connected socket as fast as it can; a receiver thread recv()s them. The
// per-datagram syscall rate is the highest of the workloads; what the
// receiver misses (full buffer) shows as sent - received.
//
//   bench_udp [--seconds S] [--cpu N] [--port P] [--size B]
#include <atomic>
#include <thread>
#include <vector>

#include "bench/workloads/common.h"

using namespace bench;

namespace {

constexpr int kRcvBuf = 4 << 20;

int receiver_socket(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die_errno("socket");
  // FORCE goes past net.core.rmem_max but needs CAP_NET_ADMIN; without it
  // the kernel caps SO_RCVBUF at rmem_max.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kRcvBuf, sizeof kRcvBuf) != 0)
    set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, kRcvBuf, "SO_RCVBUF");
  // Short, so the receiver notices quickly that the sender has stopped.
  set_timeout(fd, SO_RCVTIMEO, std::chrono::milliseconds(100));
  bind_or_die(fd, loopback(port));
  return fd;
}

// Receives until the sender is done and the socket has stayed empty for one
// receive timeout.
uint64_t receive(int fd, size_t size, const std::atomic<bool>& sender_done) {
  std::vector<char> buf(size);
  uint64_t n = 0;
  for (;;) {
    ssize_t r = recv(fd, buf.data(), buf.size(), 0);
    if (r >= 0) {
      ++n;
    } else if (errno == EAGAIN) {
      if (sender_done.load()) return n;
    } else if (errno != EINTR) {
      die_errno("recv");
    }
  }
}

uint64_t send_until(int fd, size_t size, const Deadline& dl) {
  std::vector<char> buf(size, 'x');
  uint64_t n = 0;
  do {
    for (int i = 0; i < 256; ++i) {
      if (send(fd, buf.data(), buf.size(), 0) >= 0)
        ++n;
      else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)  // transient: try the next one
        die_errno("send");
    }
  } while (!dl.passed());
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Unpaced UDP datagrams over loopback; prints one JSON line"};
  Common c;
  c.port = 47003;
  size_t size = 64;
  add_common(app, c);
  app.add_option("--size", size, "Bytes per datagram")
      ->check(CLI::Range(size_t(1), size_t(65507)))
      ->capture_default_str();
  parse_or_exit(app, argc, argv);
  pin_to_cpu(c.cpu);

  int rfd = receiver_socket(c.port);
  int sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sfd < 0) die_errno("socket");
  sockaddr_in a = loopback(c.port);
  if (connect(sfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die_errno("connect to 127.0.0.1");

  std::atomic<bool> sender_done{false};
  uint64_t received = 0;
  std::thread rx([&] { received = receive(rfd, size, sender_done); });
  auto t0 = Clock::now();
  uint64_t sent = send_until(sfd, size, Deadline(c.seconds));  // this thread is the sender
  double s = seconds_since(t0);
  sender_done = true;
  rx.join();
  close(sfd);
  close(rfd);

  emit({{"workload", "udp"},
        {"sent", sent},
        {"received", received},
        {"seconds", s},
        {"received_per_s", double(received) / s},
        {"sent_per_s", double(sent) / s}});
}
