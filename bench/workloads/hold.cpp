// bench_hold: opens many idle loopback TCP sockets and holds them, so the
// runner can measure what a tracer costs (memory, startup scan, refresh
// time) when a host has a large socket table. Prints one JSON line once all
// are open, then waits for SIGINT/SIGTERM or --seconds.
//
//   bench_hold [--sockets N] [--seconds S] [--cpu N] [--port P]
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <vector>

#include "bench/workloads/common.h"

using namespace bench;

namespace {

// Each listening port takes at most this many connections from 127.0.0.1,
// well under the ~28k ephemeral ports one (source, destination) pair has,
// so connect() finds a free port quickly.
constexpr int kPerListener = 16000;
// Connect this many, then accept them: stays under the listen backlog.
constexpr int kBatch = 1000;

void raise_fd_limit(rlim_t need) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) die_errno("getrlimit(RLIMIT_NOFILE)");
  if (r.rlim_cur >= need) return;
  const rlim_t hard = r.rlim_max;
  r.rlim_cur = need;
  r.rlim_max = std::max(hard, need);
  if (setrlimit(RLIMIT_NOFILE, &r) == 0) return;
  std::string why = std::strerror(errno);
  if (errno == EPERM)
    why = fmt::format("the hard limit is {} and raising it needs CAP_SYS_RESOURCE (root without it, e.g. in a "
                      "container, cannot); raise it before starting (ulimit -Hn) or use --sockets {} or fewer",
                      hard, hard > 1024 ? (hard - 1024) & ~rlim_t(1) : 0);
  else if (errno == EINVAL)
    why = "above the kernel maximum fs.nr_open (/proc/sys/fs/nr_open): raise it or lower --sockets";
  die(fmt::format("cannot raise the open-file limit (RLIMIT_NOFILE) to {}: {}", need, why));
}

// Client side: SO_LINGER {1,0} so closing sends RST and leaves no TIME_WAIT;
// this tool holds sockets, it does not measure their close.
int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die_errno("socket");
  linger l{1, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) != 0) die_errno("setsockopt(SO_LINGER)");
  sockaddr_in a = loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
  if (errno == EADDRNOTAVAIL)
    die(fmt::format("connect to 127.0.0.1:{}: out of ephemeral ports (net.ipv4.ip_local_port_range)", port));
  die_errno(fmt::format("connect to 127.0.0.1:{}", port));
}

int accept_from(int lfd) {
  int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == EAGAIN) die("a connection did not reach the accept queue within 5 s");
  die_errno("accept");
}

// Waits until SIGINT/SIGTERM (blocked by the caller) or the deadline.
void hold(const sigset_t& sigs, const Deadline& dl) {
  while (!dl.passed()) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(dl.end - Clock::now());
    timespec ts{};
    ts.tv_sec = std::max<int64_t>(0, left.count()) / 1'000'000'000;
    ts.tv_nsec = std::max<int64_t>(0, left.count()) % 1'000'000'000;
    if (sigtimedwait(&sigs, nullptr, &ts) > 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Opens N idle loopback TCP sockets and holds them; prints one JSON line when they are open"};
  Common c;
  c.seconds = 60;
  c.port = 47004;
  int sockets = 10000;
  add_common(app, c);
  app.add_option("--sockets", sockets, "Sockets to hold: both ends of N/2 connections (listeners not counted)")
      ->check(CLI::Range(2, 2'000'000))
      ->capture_default_str();
  parse_or_exit(app, argc, argv);
  if (sockets % 2 != 0) die(fmt::format("--sockets {}: must be even (both ends of each connection count)", sockets));
  const int conns = sockets / 2;
  const int listeners = (conns + kPerListener - 1) / kPerListener;
  if (c.port + listeners - 1 > 65535)
    die(fmt::format("--sockets {} needs ports {}..{}: pass a lower --port", sockets, c.port, c.port + listeners - 1));
  raise_fd_limit(rlim_t(sockets) + 1024);
  pin_to_cpu(c.cpu);
  // Blocked from the start, so a signal during the opening is kept for hold().
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto t0 = Clock::now();
  std::vector<int> lfds, clients, servers;
  for (int i = 0; i < listeners; ++i) {
    lfds.push_back(tcp_listener(c.port + i, 4096));
    set_timeout(lfds.back(), SO_RCVTIMEO, std::chrono::seconds(5));  // bounds accept_from()
  }
  clients.reserve(size_t(conns));
  servers.reserve(size_t(conns));
  for (int first = 0; first < conns; first += kBatch) {
    int end = std::min(conns, first + kBatch);
    for (int i = first; i < end; ++i) clients.push_back(connect_to(c.port + i / kPerListener));
    for (int i = first; i < end; ++i) servers.push_back(accept_from(lfds[size_t(i / kPerListener)]));
  }
  double s = seconds_since(t0);
  emit({{"workload", "hold"},
        {"sockets", sockets},
        {"listeners", listeners},
        {"seconds_to_open", s},
        {"seconds", s}});

  hold(sigs, Deadline(c.seconds));
  for (int fd : clients) close(fd);  // RST: the server ends close at once too
  for (int fd : servers) close(fd);
  for (int fd : lfds) close(fd);
}
