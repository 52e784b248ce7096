// bench_churn: TCP connection churn over loopback. A client thread loops
// socket() + connect() + close(); an acceptor thread loops accept() + close().
// Every connection walks the whole state machine (handshake, FIN exchange,
// TIME_WAIT on the client): the path a socket tracer pays most for.
//
//   bench_churn [--seconds S] [--cpu N] [--port P] [--rate R]
#include <atomic>
#include <thread>

#include "bench/workloads/common.h"

using namespace bench;

namespace {

struct Counts {
  uint64_t conns = 0;
  uint64_t failed = 0;
};

void acceptor(int lfd, const std::atomic<bool>& stop) {
  // The listener's receive timeout bounds accept(), so the stop flag is seen.
  set_timeout(lfd, SO_RCVTIMEO, std::chrono::milliseconds(100));
  while (!stop.load(std::memory_order_relaxed)) {
    int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      close(fd);
    } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
      die_errno("accept");
    }
  }
}

void count_failure(Counts& c, const char* what) {
  if (c.failed++ == 0)
    fmt::print(stderr, "{}: first failure: {}: {}\n", program_invocation_short_name, what, errno_name(errno));
}

// One connection from source address 127.0.0.<src> and close it normally, so
// the kernel does the real FIN exchange.
void connect_once(int port, uint8_t src, Counts& c) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return count_failure(c, "socket");
  // Many source addresses, so TIME_WAIT entries (kept by the client) do not
  // use up one address's ephemeral ports at high rates. NO_PORT defers the
  // port choice to connect(), which only needs the 4-tuple to be unique.
  set_int_opt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1, "IP_BIND_ADDRESS_NO_PORT");
  sockaddr_in from = loopback(0, src);
  sockaddr_in to = loopback(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0)
    count_failure(c, "bind");
  else if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    count_failure(c, "connect");
  else
    ++c.conns;
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"TCP connect/accept/close churn over loopback; prints one JSON line"};
  Common c;
  c.port = 47002;
  double rate = 0;
  add_common(app, c);
  app.add_option("--rate", rate, "Connections per second to aim for; 0: as fast as possible")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  parse_or_exit(app, argc, argv);
  pin_to_cpu(c.cpu);

  int lfd = tcp_listener(c.port, 4096);
  std::atomic<bool> stop{false};
  std::thread acc(acceptor, lfd, std::cref(stop));

  Counts n;
  uint8_t src = 2;  // 127.0.0.2 .. 127.0.0.254
  auto t0 = Clock::now();
  Deadline dl(c.seconds, t0);
  // Pacing follows a fixed schedule (t0 + i/rate), so sleep overshoot does
  // not accumulate into a lower rate.
  auto period = rate > 0 ? std::chrono::duration<double>(1.0 / rate) : std::chrono::duration<double>(0);
  for (uint64_t i = 0;; ++i) {
    if (rate > 0) {
      auto next = t0 + std::chrono::duration_cast<Clock::duration>(period * double(i));
      if (next >= dl.end || dl.passed()) break;  // passed: connects slower than the rate
      std::this_thread::sleep_until(next);
    } else if ((i & 63) == 0 && dl.passed()) {
      break;
    }
    connect_once(c.port, src, n);
    src = src == 254 ? 2 : uint8_t(src + 1);
  }
  double s = seconds_since(t0);
  stop = true;
  acc.join();
  close(lfd);

  emit({{"workload", "churn"},
        {"conns", n.conns},
        {"seconds", s},
        {"conns_per_s", double(n.conns) / s},
        {"rate_target", rate},
        {"failed", n.failed}});
}
