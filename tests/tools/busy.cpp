// busy: a busy, healthy server on loopback, for the tests that compare
// sockscope's model with the kernel (tests/integration/test_truth.cpp).
//
// One process runs the servers and their clients (on loopback the
// connecting process runs the receiver's path too), for --seconds, then
// ends by itself. Over one TCP port:
//   - request/response on --rr-conns long-lived connections, unpaced (or
//     --rr-rate round trips a second each): the client writes
//     --request-bytes, the server answers --reply-bytes, the client reads
//     the whole answer, again;
//   - one bulk upload: the client writes --bulk-chunk bytes at a time,
//     paced at --bulk-mbps, the server reads and counts everything
//     (--no-bulk: none);
//   - short connections, --short-rate per second: connect, one request of
//     --short-request bytes (a line), read the whole --short-reply answer,
//     close. The client closes first and ends in TIME_WAIT; the server
//     closes once it has written the answer and seen EOF.
// With --udp, also a UDP request/response pair on its own port, paced.
// The server is thread-per-connection (--mode threads), or --children
// processes forked after listen() that accept and serve, each still
// thread-per-connection (--mode prefork); the parent closes its listening
// socket after the fork and runs only the clients, and child 0 runs the
// UDP server.
//
// Control, by signals to the (parent) process:
//   SIGUSR1  clients start nothing new and finish what is in flight; once
//            nothing is in flight (every reply read, the bulk upload
//            drained by the server, every short connection closed by both
//            sides) it prints "quiet";
//   SIGUSR2  clients resume; prints "busy";
//   SIGINT, SIGTERM  end now, as at the end of --seconds.
// stdout, one line each, flushed:
//   ready port=P udp_port=U pid=N mode=M children=C1,C2 short_request=B short_reply=B
//   conn kind=rr|bulk id=N cport=P     (each long-lived connection, once connected)
//   quiet | busy
//   summary seconds=S connections=N short=N requests=N bulk_bytes=N udp_round_trips=N errors=N
//   ok | mismatch ...                  (exit status 1 on mismatch)
// Every connection's first line carries an id; at the end the bytes each
// server-side connection received must equal what its client sent.
//
// Bounded: --seconds, --max-conns connections at most, alarm() at
// --seconds + 30 as the last resort; every thread is joined and every
// child process waited for. Children die with the parent (PR_SET_PDEATHSIG).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "tests/helpers/net.h"

namespace {

using Clock = std::chrono::steady_clock;
using testing::Fd;

struct Options {
  double seconds = 20;
  uint16_t port = 0;
  std::string mode = "threads";
  int children = 2;
  bool ipv6 = false, udp = false, no_bulk = false;
  double short_rate = 2000;
  int short_threads = 2;
  int rr_conns = 2;
  double rr_rate = 0;  // per connection; 0: unpaced
  size_t request_bytes = 200, reply_bytes = 4000;
  size_t short_request = 64, short_reply = 512;
  double bulk_mbps = 100;  // 0: unpaced
  size_t bulk_chunk = 65536;
  double udp_rate = 1000;
  size_t udp_request = 100, udp_reply = 200;
  uint64_t max_conns = 100000;
};

// stdout lines for the test; one at a time, each flushed
std::mutex g_out_mutex;
void say(const char* fmt, ...) {
  std::lock_guard lock(g_out_mutex);
  va_list ap;
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}
void complain(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "busy[%d]: %s\n", int(getpid()), buf);
}

// Per connection id, in memory shared with the prefork children: the
// client's and the server's byte counts, and whether the server is done.
static_assert(std::atomic<uint64_t>::is_always_lock_free, "the counters are shared between processes");
struct Slot {
  std::atomic<uint64_t> sent{0};      // client: bytes written
  std::atomic<uint64_t> received{0};  // server: bytes read
  std::atomic<uint32_t> done{0};      // server: saw EOF and closed
  std::atomic<char> kind{0};          // 'S' short, 'R' request/response, 'B' bulk, 'F' failed to connect
};
struct Shared {
  std::atomic<uint64_t> open_short{0};  // server-side short connections not closed yet
  std::atomic<uint64_t> udp_received{0}, udp_datagrams{0};
  std::atomic<uint64_t> server_errors{0};
};

Options g_opt;
Shared* g_shared = nullptr;
Slot* g_slots = nullptr;  // max_conns of them, after g_shared

bool map_shared(uint64_t max_conns) {
  size_t head = (sizeof(Shared) + alignof(Slot) - 1) / alignof(Slot) * alignof(Slot);
  void* p = mmap(nullptr, head + max_conns * sizeof(Slot), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  g_shared = new (p) Shared;
  g_slots = reinterpret_cast<Slot*>(static_cast<char*>(p) + head);
  for (uint64_t i = 0; i < max_conns; ++i) new (&g_slots[i]) Slot;
  return true;
}
int g_family = AF_INET;
uint16_t g_port = 0, g_udp_port = 0;
const std::string g_filler(1 << 16, 'x');  // payload bytes, every size used is <= 64 KiB

// --- servers -----------------------------------------------------------

// One accepted connection: reads the first line (which kind, which id),
// then serves it; the counts go to the id's slot. Returns the kind ('S',
// 'R', 'B') and the slot, or a null slot on a bad first line.
struct Served {
  char kind = '?';
  Slot* slot = nullptr;
};
Served serve(int fd) {
  char buf[1 << 16];
  std::string head;
  uint64_t got = 0;
  size_t nl = std::string::npos;
  while (nl == std::string::npos && head.size() < 256) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.append(buf, size_t(n));
    got += uint64_t(n);
    nl = head.find('\n');
  }
  Served r;
  r.kind = head.empty() ? '?' : head[0];
  unsigned long long id = 0;
  size_t a = 0, b = 0;
  int fields = nl == std::string::npos ? 0 : std::sscanf(head.c_str() + 1, " %llu %zu %zu", &id, &a, &b);
  if (fields < 1 || id >= g_opt.max_conns || a > g_filler.size() || b > g_filler.size()) {
    complain("bad first line on a connection: %.40s", head.c_str());
    ++g_shared->server_errors;
    return r;
  }
  Slot& slot = g_slots[id];
  r.slot = &slot;
  slot.received += got;
  const size_t extra = head.size() - nl - 1;  // what followed the first line in the same read
  auto eof = [&] {  // reads until EOF, counting
    for (;;) {
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return n == 0;
      slot.received += uint64_t(n);
    }
  };
  try {
    if (r.kind == 'S') {  // S ID REPLY_BYTES ....\n: answer, then wait for the client's close
      ++g_shared->open_short;
      testing::write_all(fd, g_filler.data(), a);
      if (!eof()) ++g_shared->server_errors;
    } else if (r.kind == 'R') {  // R ID REQUEST_BYTES REPLY_BYTES\n, then requests
      uint64_t pending = extra;
      for (;;) {
        while (a && pending >= a) {
          pending -= a;
          testing::write_all(fd, g_filler.data(), b);
        }
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        slot.received += uint64_t(n);
        pending += uint64_t(n);
      }
      if (pending) ++g_shared->server_errors;  // EOF in the middle of a request
    } else if (r.kind == 'B') {  // B ID\n, then data until EOF
      if (!eof()) ++g_shared->server_errors;
    } else {
      ++g_shared->server_errors;
    }
  } catch (const std::exception& e) {
    complain("connection %llu: %s", id, e.what());
    ++g_shared->server_errors;
  }
  return r;
}

// A thread per accepted connection. The thread closes its socket as soon as
// it is done with it; the accept loop joins finished threads as it goes,
// and every thread at the end.
struct Worker {
  std::mutex m;
  int fd = -1;
  std::atomic<bool> finished{false};
  std::thread t;
};

void run_worker(Worker* w) {
  Served r = serve(w->fd);
  {
    std::lock_guard lock(w->m);
    close(std::exchange(w->fd, -1));
  }
  if (r.slot) {
    r.slot->done = 1;
    if (r.kind == 'S') --g_shared->open_short;
  }
  w->finished = true;
}

// Accepts on listen_fd (non-blocking) until stop_fd reports hang-up.
void accept_loop(int listen_fd, int stop_fd) {
  std::list<std::unique_ptr<Worker>> workers;
  auto reap = [&] {
    for (auto it = workers.begin(); it != workers.end();)
      if ((*it)->finished) {
        (*it)->t.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
  };
  size_t since_reap = 0;
  for (;;) {
    pollfd p[2] = {{listen_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int r = poll(p, 2, 100);
    if (r < 0 && errno != EINTR) break;
    if (p[1].revents) break;
    if (r > 0 && (p[0].revents & POLLIN)) {
      for (;;) {
        int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) break;  // EAGAIN: another child took it, or none left
        auto w = std::make_unique<Worker>();
        w->fd = fd;
        w->t = std::thread(run_worker, w.get());
        workers.push_back(std::move(w));
        ++since_reap;
      }
    }
    if (since_reap >= 64 || r == 0) {
      reap();
      since_reap = 0;
    }
  }
  // The clients are done; a connection still open is a bug on their side:
  // cut it, so that the join cannot hang.
  for (auto& w : workers) {
    std::lock_guard lock(w->m);
    if (w->fd >= 0 && !w->finished) shutdown(w->fd, SHUT_RDWR);
  }
  for (auto& w : workers) w->t.join();
}

// UDP request/response: "U SEQ REPLY_BYTES ...", answered with REPLY_BYTES.
void udp_server(int fd, int stop_fd) {
  char buf[1 << 16];
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int r = poll(p, 2, 100);
    if (r < 0 && errno != EINTR) break;
    if (p[1].revents) break;
    if (r <= 0 || !(p[0].revents & POLLIN)) continue;
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    g_shared->udp_received += uint64_t(n);
    ++g_shared->udp_datagrams;
    buf[n] = 0;
    unsigned long long seq = 0;
    size_t reply = 0;
    if (std::sscanf(buf, "U %llu %zu", &seq, &reply) != 2 || reply > 60000) {
      ++g_shared->server_errors;
      continue;
    }
    if (sendto(fd, g_filler.data(), reply, 0, reinterpret_cast<sockaddr*>(&from), len) < 0)
      ++g_shared->server_errors;
  }
}

// --- clients -----------------------------------------------------------

// Pause, resume and stop for the client threads.
class Control {
 public:
  void add_client() {
    std::lock_guard lock(m_);
    ++clients_;
  }
  void remove_client() {
    std::lock_guard lock(m_);
    --clients_;
  }
  // Between two units of work: blocks while paused; false once stopping.
  bool proceed() {
    if (!paused_.load(std::memory_order_relaxed) && !stopping_.load(std::memory_order_relaxed)) return true;
    std::unique_lock lock(m_);
    if (stopping_) return false;
    if (!paused_) return true;
    ++idle_;
    cv_.wait(lock, [&] { return !paused_ || stopping_; });
    --idle_;
    return !stopping_;
  }
  void pause() {
    std::lock_guard lock(m_);
    paused_ = true;
  }
  void resume() {
    std::lock_guard lock(m_);
    paused_ = false;
    cv_.notify_all();
  }
  void stop() {
    std::lock_guard lock(m_);
    stopping_ = true;
    cv_.notify_all();
  }
  // Every client waits in proceed() (or has ended).
  bool all_idle() {
    std::lock_guard lock(m_);
    return idle_ == clients_;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<bool> paused_{false}, stopping_{false};
  int clients_ = 0, idle_ = 0;
};

Control g_ctl;
std::atomic<uint64_t> g_next_id{0};
std::atomic<uint64_t> g_short_done{0}, g_requests{0}, g_bulk_bytes{0}, g_udp_trips{0}, g_udp_sent{0};
std::atomic<uint64_t> g_errors{0};
std::mutex g_long_mutex;
std::vector<uint64_t> g_long_ids;  // request/response and bulk connections

// A connection id, or max_conns when the cap is reached.
uint64_t new_id(char kind) {
  uint64_t id = g_next_id++;
  if (id >= g_opt.max_conns) return g_opt.max_conns;
  g_slots[id].kind = kind;
  return id;
}

// Connects and sends the first line; -1 on failure (counted).
int open_conn(uint64_t id, const std::string& line) {
  Slot& slot = g_slots[id];
  try {
    Fd c = testing::tcp_connect(g_family, g_port);
    testing::write_all(c, line.data(), line.size());
    slot.sent += line.size();
    return std::exchange(c.fd, -1);
  } catch (const std::exception& e) {
    complain("connect: %s", e.what());
    slot.kind = 'F';
    ++g_errors;
    return -1;
  }
}

// Paced at rate per second; after a pause it does not catch up.
template <class Unit>
void paced(double rate, Unit unit) {
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  auto next = Clock::now();
  for (;;) {
    std::this_thread::sleep_until(next);
    if (!g_ctl.proceed()) break;
    auto now = Clock::now();
    next = now > next + std::chrono::milliseconds(100) ? now + period : next + period;
    if (!unit()) break;
  }
}

void rr_client() {
  uint64_t id = new_id('R');
  if (id < g_opt.max_conns) {
    char line[96];
    std::snprintf(line, sizeof(line), "R %llu %zu %zu\n", static_cast<unsigned long long>(id), g_opt.request_bytes,
                  g_opt.reply_bytes);
    Fd c(open_conn(id, line));
    if (c >= 0) {
      {
        std::lock_guard lock(g_long_mutex);
        g_long_ids.push_back(id);
      }
      say("conn kind=rr id=%llu cport=%u", static_cast<unsigned long long>(id), unsigned(testing::local_port(c)));
      std::string reply(g_opt.reply_bytes, 0);
      const auto period = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(g_opt.rr_rate > 0 ? 1.0 / g_opt.rr_rate : 0));
      auto next = Clock::now();
      try {
        while (g_ctl.proceed()) {
          if (g_opt.rr_rate > 0) {
            next += period;
            std::this_thread::sleep_until(next);
            if (!g_ctl.proceed()) break;
          }
          testing::write_all(c, g_filler.data(), g_opt.request_bytes);
          g_slots[id].sent += g_opt.request_bytes;
          if (testing::read_exact(c, reply.data(), reply.size()) != reply.size()) throw std::runtime_error("short reply");
          ++g_requests;
        }
      } catch (const std::exception& e) {
        complain("request/response %llu: %s", static_cast<unsigned long long>(id), e.what());
        ++g_errors;
      }
    }
  }
  g_ctl.remove_client();
}

void bulk_client() {
  uint64_t id = new_id('B');
  if (id < g_opt.max_conns) {
    char line[64];
    std::snprintf(line, sizeof(line), "B %llu\n", static_cast<unsigned long long>(id));
    Fd c(open_conn(id, line));
    if (c >= 0) {
      {
        std::lock_guard lock(g_long_mutex);
        g_long_ids.push_back(id);
      }
      say("conn kind=bulk id=%llu cport=%u", static_cast<unsigned long long>(id), unsigned(testing::local_port(c)));
      const size_t chunk = g_opt.bulk_chunk;
      auto one = [&] {
        testing::write_all(c, g_filler.data(), chunk);
        g_slots[id].sent += chunk;
        g_bulk_bytes += chunk;
        return true;
      };
      try {
        if (g_opt.bulk_mbps > 0)
          paced(g_opt.bulk_mbps * 1e6 / double(chunk), one);
        else
          while (g_ctl.proceed()) one();
      } catch (const std::exception& e) {
        complain("bulk %llu: %s", static_cast<unsigned long long>(id), e.what());
        ++g_errors;
      }
    }
  }
  g_ctl.remove_client();
}

// One short connection: connect, one line, the whole answer, close first.
void one_short(uint64_t id) {
  std::string line(g_opt.short_request, '.');
  int n = std::snprintf(line.data(), line.size(), "S %010llu %zu ", static_cast<unsigned long long>(id),
                        g_opt.short_reply);
  line[size_t(n)] = '.';  // snprintf's terminating 0
  line.back() = '\n';
  Fd c(open_conn(id, line));
  if (c < 0) return;
  char buf[1 << 16];
  try {
    if (testing::read_exact(c, buf, g_opt.short_reply) != g_opt.short_reply) throw std::runtime_error("short reply");
    ++g_short_done;
  } catch (const std::exception& e) {
    complain("short %llu: %s", static_cast<unsigned long long>(id), e.what());
    ++g_errors;
  }
}

void short_client() {
  paced(g_opt.short_rate / g_opt.short_threads, [] {
    uint64_t id = new_id('S');
    if (id >= g_opt.max_conns) return false;  // the cap: no more connections
    one_short(id);
    return true;
  });
  g_ctl.remove_client();
}

void udp_client() {
  try {
    uint16_t p = 0;
    Fd u = testing::udp_socket(g_family, p);
    sockaddr_storage to{};
    socklen_t len;
    if (g_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&to);
      a->sin_family = AF_INET;
      a->sin_port = htons(g_udp_port);
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&to);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(g_udp_port);
      a->sin6_addr = in6addr_loopback;
      len = sizeof(*a);
    }
    if (connect(u, reinterpret_cast<sockaddr*>(&to), len) != 0) throw std::runtime_error("udp connect");
    std::string dgram(g_opt.udp_request, '.');
    char buf[1 << 16];
    uint64_t seq = 0;
    paced(g_opt.udp_rate, [&] {
      while (recv(u, buf, sizeof(buf), MSG_DONTWAIT) > 0) {  // a late answer to one that timed out
      }
      int n = std::snprintf(dgram.data(), dgram.size(), "U %llu %zu ", static_cast<unsigned long long>(seq++),
                            g_opt.udp_reply);
      dgram[size_t(n)] = '.';
      if (send(u, dgram.data(), dgram.size(), 0) != ssize_t(dgram.size())) {
        ++g_errors;
        return true;
      }
      g_udp_sent += dgram.size();
      pollfd p1{u, POLLIN, 0};
      if (poll(&p1, 1, 1000) == 1 && recv(u, buf, sizeof(buf), 0) == ssize_t(g_opt.udp_reply))
        ++g_udp_trips;
      else
        ++g_errors;
      return true;
    });
  } catch (const std::exception& e) {
    complain("udp client: %s", e.what());
    ++g_errors;
  }
  g_ctl.remove_client();
}

// Nothing in flight: every client waits, every short connection is closed
// on the server too, the server has read all of each long connection.
bool quiet() {
  if (!g_ctl.all_idle() || g_shared->open_short != 0) return false;
  std::lock_guard lock(g_long_mutex);
  for (uint64_t id : g_long_ids)
    if (g_slots[id].received != g_slots[id].sent) return false;
  return true;
}

// --- the whole run -----------------------------------------------------

[[noreturn]] void child_main(int k, pid_t parent, int listen_fd, int udp_fd, int stop_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // the parent already ended
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_UNBLOCK, &all, nullptr);  // SIGTERM and SIGINT end a child at once
  signal(SIGUSR1, SIG_IGN);
  signal(SIGUSR2, SIG_IGN);
  std::thread udp;
  if (k == 0 && udp_fd >= 0)
    udp = std::thread(udp_server, udp_fd, stop_fd);
  else if (udp_fd >= 0)
    close(udp_fd);  // only child 0 serves UDP
  accept_loop(listen_fd, stop_fd);
  if (udp.joinable()) udp.join();
  _exit(0);
}

int run() {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(g_opt.seconds));
  g_family = g_opt.ipv6 ? AF_INET6 : AF_INET;
  if (!map_shared(g_opt.max_conns)) {
    complain("mmap: %s", std::strerror(errno));
    return 2;
  }
  // The signals are taken by sigtimedwait below, in this thread only.
  sigset_t ctl_sigs;
  sigemptyset(&ctl_sigs);
  for (int s : {SIGUSR1, SIGUSR2, SIGINT, SIGTERM}) sigaddset(&ctl_sigs, s);
  pthread_sigmask(SIG_BLOCK, &ctl_sigs, nullptr);

  g_port = g_opt.port;
  Fd listener = testing::tcp_listen(g_family, g_port, 4096);
  fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK);
  Fd udp;
  if (g_opt.udp) udp = testing::udp_socket(g_family, g_udp_port);
  int stop_pipe[2];
  if (pipe2(stop_pipe, O_CLOEXEC) != 0) {
    complain("pipe: %s", std::strerror(errno));
    return 2;
  }
  Fd stop_r(stop_pipe[0]), stop_w(stop_pipe[1]);

  std::vector<pid_t> children;
  std::vector<std::thread> servers;
  if (g_opt.mode == "prefork") {
    std::fflush(stdout);
    const pid_t parent = getpid();
    for (int k = 0; k < g_opt.children; ++k) {
      pid_t pid = fork();
      if (pid < 0) {
        complain("fork: %s", std::strerror(errno));
        return 2;
      }
      if (pid == 0) {
        stop_w.close();
        child_main(k, parent, listener, udp, stop_r);
      }
      children.push_back(pid);
    }
    listener.close();  // only the children hold it now
    udp.close();
  } else {
    servers.emplace_back(accept_loop, int(listener), int(stop_r));
    if (g_opt.udp) servers.emplace_back(udp_server, int(udp), int(stop_r));
  }
  std::string kids;
  for (pid_t c : children) kids += (kids.empty() ? "" : ",") + std::to_string(c);
  say("ready port=%u udp_port=%u pid=%d mode=%s children=%s short_request=%zu short_reply=%zu", unsigned(g_port),
      unsigned(g_udp_port), int(getpid()), g_opt.mode.c_str(), kids.empty() ? "-" : kids.c_str(),
      g_opt.short_request, g_opt.short_reply);

  std::vector<std::thread> clients;
  auto client = [&](void (*fn)()) {
    g_ctl.add_client();
    clients.emplace_back(fn);
  };
  for (int i = 0; i < g_opt.rr_conns; ++i) client(rr_client);
  if (!g_opt.no_bulk) client(bulk_client);
  if (g_opt.short_rate > 0)
    for (int i = 0; i < g_opt.short_threads; ++i) client(short_client);
  if (g_opt.udp && g_opt.udp_rate > 0) client(udp_client);

  bool want_quiet = false;
  while (Clock::now() < deadline) {
    timespec ts{0, 10'000'000};
    int sig = sigtimedwait(&ctl_sigs, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (sig == SIGUSR1) {
      g_ctl.pause();
      want_quiet = true;
    } else if (sig == SIGUSR2) {
      g_ctl.resume();
      want_quiet = false;
      say("busy");
    }
    if (want_quiet && quiet()) {
      want_quiet = false;
      say("quiet");
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();

  // Clients end what they are doing and close; the servers see EOF.
  g_ctl.stop();
  for (auto& t : clients) t.join();
  const uint64_t issued = std::min<uint64_t>(g_next_id, g_opt.max_conns);
  auto all_done = [&] {
    for (uint64_t id = 0; id < issued; ++id)
      if (g_slots[id].kind != 'F' && !g_slots[id].done) return false;
    return true;
  };
  for (auto until = Clock::now() + std::chrono::seconds(10); !all_done() && Clock::now() < until;)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop_w.close();  // the servers' stop
  for (auto& t : servers) t.join();
  for (pid_t c : children) {
    int st = 0;
    pid_t r = 0;
    for (int i = 0; i < 500 && (r = waitpid(c, &st, WNOHANG)) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (r == 0) {
      complain("child %d did not end; killed", int(c));
      kill(c, SIGKILL);
      waitpid(c, &st, 0);
      ++g_errors;
    } else if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      complain("child %d ended badly (status %d)", int(c), st);
      ++g_errors;
    }
  }

  uint64_t connections = 0, mismatches = 0;
  for (uint64_t id = 0; id < issued; ++id) {
    const Slot& s = g_slots[id];
    if (s.kind == 'F') continue;
    ++connections;
    if (s.done && s.received == s.sent) continue;
    if (++mismatches <= 10)
      say("mismatch id=%llu kind=%c sent=%llu received=%llu done=%u", static_cast<unsigned long long>(id),
          s.kind.load(), static_cast<unsigned long long>(s.sent.load()),
          static_cast<unsigned long long>(s.received.load()), unsigned(s.done.load()));
  }
  if (g_shared->udp_received != g_udp_sent) {
    ++mismatches;
    say("mismatch udp sent=%llu received=%llu", static_cast<unsigned long long>(g_udp_sent.load()),
        static_cast<unsigned long long>(g_shared->udp_received.load()));
  }
  say("summary seconds=%.1f connections=%llu short=%llu requests=%llu bulk_bytes=%llu udp_round_trips=%llu "
      "errors=%llu",
      secs, static_cast<unsigned long long>(connections), static_cast<unsigned long long>(g_short_done.load()),
      static_cast<unsigned long long>(g_requests.load()), static_cast<unsigned long long>(g_bulk_bytes.load()),
      static_cast<unsigned long long>(g_udp_trips.load()),
      static_cast<unsigned long long>(g_errors + g_shared->server_errors));
  if (mismatches) {
    say("mismatch connections=%llu", static_cast<unsigned long long>(mismatches));
    return 1;
  }
  say("ok");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"busy: a busy, healthy loopback server and its clients, for a bounded time"};
  Options& o = g_opt;
  app.add_option("--seconds", o.seconds, "How long to run (default 20; at most 2 hours, for soaks)")
      ->check(CLI::Range(0.1, 7200.0));
  app.add_option("--port", o.port, "TCP port (default: any free one); UDP takes its own");
  app.add_option("--mode", o.mode, "threads (thread per connection) or prefork (children accept)")
      ->check(CLI::IsMember({"threads", "prefork"}));
  app.add_option("--children", o.children, "Prefork: how many children (default 2)")->check(CLI::Range(1, 16));
  app.add_flag("--ipv6", o.ipv6, "::1 instead of 127.0.0.1");
  app.add_flag("--udp", o.udp, "Also a UDP request/response pair");
  app.add_flag("--no-bulk", o.no_bulk, "No bulk upload connection");
  app.add_option("--short-rate", o.short_rate, "Short connections per second (default 2000; 0: none)")
      ->check(CLI::Range(0.0, 20000.0));
  app.add_option("--short-threads", o.short_threads, "Client threads making them (default 2)")
      ->check(CLI::Range(1, 16));
  app.add_option("--short-request", o.short_request, "Bytes of a short connection's request (default 64)")
      ->check(CLI::Range(32, 4096));
  app.add_option("--short-reply", o.short_reply, "Bytes of its reply (default 512)")->check(CLI::Range(1, 65536));
  app.add_option("--rr-conns", o.rr_conns, "Long-lived request/response connections (default 2)")
      ->check(CLI::Range(0, 256));
  app.add_option("--rr-rate", o.rr_rate, "Round trips per second on each of them (default 0: unpaced)")
      ->check(CLI::Range(0.0, 10000.0));
  app.add_option("--request-bytes", o.request_bytes, "Their request size (default 200)")->check(CLI::Range(1, 65536));
  app.add_option("--reply-bytes", o.reply_bytes, "Their reply size (default 4000)")->check(CLI::Range(1, 65536));
  app.add_option("--bulk-mbps", o.bulk_mbps,
                 "Bulk upload pace in MB/s (default 100; 0: as fast as it goes, which on loopback reorders "
                 "segments and so makes spurious retransmits)")
      ->check(CLI::Range(0.0, 100000.0));
  app.add_option("--bulk-chunk", o.bulk_chunk, "Bytes per bulk write (default 65536)")->check(CLI::Range(1, 65536));
  app.add_option("--udp-rate", o.udp_rate, "UDP round trips per second (default 1000)")->check(CLI::Range(0.0, 20000.0));
  app.add_option("--udp-request", o.udp_request, "UDP request bytes (default 100)")->check(CLI::Range(32, 60000));
  app.add_option("--udp-reply", o.udp_reply, "UDP reply bytes (default 200)")->check(CLI::Range(1, 60000));
  app.add_option("--max-conns", o.max_conns, "Connections at most (default 100000)")
      ->check(CLI::Range(uint64_t(16), uint64_t(1) << 24));
  CLI11_PARSE(app, argc, argv);
  alarm(unsigned(o.seconds) + 30);  // the last resort: SIGALRM ends the process (and, by PDEATHSIG, the children)
  try {
    return run();
  } catch (const std::exception& e) {
    complain("%s", e.what());
    return 2;
  }
}
