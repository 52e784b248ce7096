// scenario MODE [--ns NAME] [--limit S] [options] ADDR PORT: one workload per
// mode, each the shape of one thing `sockscope diagnose` names (and a few
// healthy ones), for the kernel tests in tests/integration/test_diagnose.cpp.
//
// --ns joins a network namespace (/run/netns/NAME) before anything else.
// Every mode ends by itself: alarm(--limit, default 60 s) ends the process,
// and modes that "hold" sleep until then, so a test decides when it has seen
// enough and kills the process. Progress goes to stderr, one line each,
// "what key=value ...", for the test to wait for.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/helpers/netns.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSoCookie = 57;  // SO_COOKIE, not in every libc's headers

struct Args {
  std::string mode, addr;
  uint16_t port = 0;
  std::map<std::string, std::string> opt;

  long num(const std::string& k, long def) const {
    auto it = opt.find(k);
    return it == opt.end() ? def : std::stol(it->second);
  }
  double real(const std::string& k, double def) const {
    auto it = opt.find(k);
    return it == opt.end() ? def : std::stod(it->second);
  }
  std::string str(const std::string& k) const {
    auto it = opt.find(k);
    return it == opt.end() ? std::string() : it->second;
  }
};

// stderr is unbuffered: each line reaches the test's file whole and at once
void say(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "%s\n", buf);
}

[[noreturn]] void die(const std::string& what) {
  say("error %s: %s", what.c_str(), std::strerror(errno));
  std::exit(1);
}

[[noreturn]] void hold() {
  for (;;) pause();  // until alarm() ends the process
}

void sleep_ms(long ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

sockaddr_in v4(const std::string& addr, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, addr.c_str(), &a.sin_addr) != 1) die("bad address " + addr);
  return a;
}

uint64_t cookie(int fd) {
  uint64_t c = 0;
  socklen_t len = sizeof(c);
  if (getsockopt(fd, SOL_SOCKET, kSoCookie, &c, &len) != 0) return 0;
  return c;
}

std::string local_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return "?";
  char ip[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &a.sin_addr, ip, sizeof(ip));
  return std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
}

void set_int(int fd, int level, int name, int v, const char* what) {
  if (setsockopt(fd, level, name, &v, sizeof(v)) != 0) die(what);
}

int tcp_socket(const Args& a) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (long b = a.num("sndbuf", 0)) set_int(fd, SOL_SOCKET, SO_SNDBUF, int(b), "SO_SNDBUF");
  // --bind HOST:PORT: a client port the test knows before the connect ends
  if (std::string b = a.str("bind"); !b.empty()) {
    size_t colon = b.rfind(':');
    sockaddr_in s = v4(b.substr(0, colon), uint16_t(std::stoi(b.substr(colon + 1))));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s)) != 0) die("bind " + b);
  }
  return fd;
}

int tcp_connect(const Args& a) {
  int fd = tcp_socket(a);
  sockaddr_in s = v4(a.addr, a.port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s)) != 0) die("connect");
  return fd;
}

int tcp_listen(const Args& a, int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in s = v4(a.addr, a.port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s)) != 0) die("bind");
  if (listen(fd, backlog) != 0) die("listen");
  say("listening fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  return fd;
}

int accept_one(int l) {
  int fd = accept(l, nullptr, nullptr);
  if (fd < 0) die("accept");
  return fd;
}

void write_all(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("send");
    p += w;
    n -= size_t(w);
  }
}

// Reads until EOF; returns the bytes.
uint64_t read_to_eof(int fd) {
  std::vector<char> buf(256 * 1024);
  uint64_t got = 0;
  for (;;) {
    ssize_t r = read(fd, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("read");
    if (r == 0) return got;
    got += uint64_t(r);
  }
}

// ---- the receiving side ----

// Accepts one connection and never reads it (app-not-reading), or accepts
// none at all (--accept 0: accept-queue-overflow with --backlog).
int server_noread(const Args& a) {
  int l = tcp_listen(a, int(a.num("backlog", 16)));
  if (a.num("accept", 1) == 0) hold();
  int fd = accept_one(l);
  say("accepted fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  hold();
}

// Reads to EOF and then keeps the socket: CLOSE_WAIT for good.
int server_eof(const Args& a) {
  int l = tcp_listen(a, 16);
  int fd = accept_one(l);
  say("accepted fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  uint64_t got = read_to_eof(fd);
  say("eof fd=%d bytes=%llu", fd, (unsigned long long)got);
  hold();
}

// Reads --chunk bytes every --every-ms (a slow reader), after setting
// SO_RCVBUF to --rcvbuf on the accepted socket when given.
int server_slowread(const Args& a) {
  int l = tcp_listen(a, 16);
  int fd = accept_one(l);
  if (long rb = a.num("rcvbuf", 0)) set_int(fd, SOL_SOCKET, SO_RCVBUF, int(rb), "SO_RCVBUF");
  say("accepted fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  std::vector<char> buf(size_t(a.num("chunk", 4096)));
  const long every = a.num("every-ms", 100);
  uint64_t got = 0;
  for (;;) {
    ssize_t r = recv(fd, buf.data(), buf.size(), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += uint64_t(r);
    sleep_ms(every);
  }
  say("eof fd=%d bytes=%llu", fd, (unsigned long long)got);
  hold();
}

// Reads everything as it comes; at EOF closes (--close 1) or holds.
int bulk_recv(const Args& a) {
  int l = tcp_listen(a, 16);
  int fd = accept_one(l);
  say("accepted fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  uint64_t got = read_to_eof(fd);
  say("eof fd=%d bytes=%llu", fd, (unsigned long long)got);
  if (a.num("close", 0)) {
    close(fd);
    say("done");
    return 0;
  }
  hold();
}

// A UDP socket with a small SO_RCVBUF that never reads.
int udp_noread(const Args& a) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  set_int(fd, SOL_SOCKET, SO_RCVBUF, int(a.num("rcvbuf", 4096)), "SO_RCVBUF");
  sockaddr_in s = v4(a.addr, a.port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s)) != 0) die("bind");
  say("bound fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  if (a.num("read", 0) == 0) hold();
  // --read 1: drain as fast as possible (the NAPI flood's receiver)
  std::vector<char> buf(2048);
  for (;;) (void)!recv(fd, buf.data(), buf.size(), 0);
}

// Echoes every connection, each on its own thread, until the peer closes.
int echo_server(const Args& a) {
  int l = tcp_listen(a, 64);
  for (;;) {
    int fd = accept_one(l);
    say("accepted fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
    std::thread([fd] {
      char buf[4096];
      for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (send(fd, buf, size_t(r), MSG_NOSIGNAL) != r) break;
      }
      close(fd);
    }).detach();
  }
}

// Accepts every connection and keeps them all (the far end of fd-leak), or
// (--close 1) reads each to EOF and closes it (the far end of churn).
int accept_all(const Args& a) {
  int l = tcp_listen(a, 1024);
  const bool closing = a.num("close", 0);
  for (long n = 1;; ++n) {
    int fd = accept_one(l);
    if (closing) {
      read_to_eof(fd);
      close(fd);
    } else if (n % 10 == 0) {
      say("accepted count=%ld", n);
    }
  }
}

// ---- the sending side ----

// Connects (--bind for a known port), sends --bytes, and then either holds
// (--then hold, the default), shuts down its write side and holds
// (--then shutdown: FIN_WAIT2 once the peer acknowledged), or keeps sending
// without blocking until the peer's window closes (--then fill).
int client_send(const Args& a) {
  int fd = tcp_connect(a);
  say("connected fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  std::vector<char> data(size_t(a.num("bytes", 10000)), 'd');
  write_all(fd, data.data(), data.size());
  say("sent fd=%d bytes=%zu", fd, data.size());
  std::string then = a.str("then");
  if (then == "shutdown") {
    if (shutdown(fd, SHUT_WR) != 0) die("shutdown");
    say("shutdown fd=%d", fd);
  } else if (then == "fill") {
    // until nothing moves for 300 ms: the send buffer full, the peer's window 0
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) die("O_NONBLOCK");
    std::vector<char> chunk(16 * 1024, 'f');
    uint64_t sent = data.size();
    for (;;) {
      ssize_t w = send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (w > 0) {
        sent += uint64_t(w);
        continue;
      }
      if (errno != EAGAIN) die("send");
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 300) == 0) break;
    }
    say("stalled fd=%d bytes=%llu", fd, (unsigned long long)sent);
  }
  hold();
}

// One blocking send() of --bytes (with a small --sndbuf): how long the call took.
int send_big(const Args& a) {
  int fd = tcp_connect(a);
  say("connected fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  std::vector<char> data(size_t(a.num("bytes", 400000)), 'b');
  auto t0 = Clock::now();
  ssize_t w = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (w < 0) die("send");
  say("sent fd=%d bytes=%zd seconds=%.3f", fd, w, secs);
  hold();
}

// Sends 64 KiB chunks for --seconds, as fast as the peer takes them or one
// every --every-ms, then closes (--close 1) or holds the connection open.
int bulk_send(const Args& a) {
  int fd = tcp_connect(a);
  say("connected fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  std::vector<char> chunk(64 * 1024, 's');
  uint64_t sent = 0;
  auto end = Clock::now() + std::chrono::duration<double>(a.real("seconds", 3));
  auto half = Clock::now() + std::chrono::duration<double>(a.real("seconds", 3) / 2);
  bool halfway = false;
  const long every = a.num("every-ms", 0);
  while (Clock::now() < end) {
    write_all(fd, chunk.data(), chunk.size());
    sent += chunk.size();
    if (every) sleep_ms(every);  // no catching up after a delay: at most one chunk per period
    if (!halfway && Clock::now() >= half) {
      halfway = true;
      say("progress fd=%d bytes=%llu", fd, (unsigned long long)sent);
    }
  }
  say("sent fd=%d bytes=%llu", fd, (unsigned long long)sent);
  if (a.num("close", 0)) {
    close(fd);
    say("done");
    return 0;
  }
  hold();
}

// Connects --times times, each a blocking connect with SO_SNDTIMEO as its
// timeout (--timeout s), closing each socket after it ends; then holds.
// A refused connect says so; SYNs nobody answers keep it waiting.
int connect_loop(const Args& a) {
  const long times = a.num("times", 1);
  const double timeout = a.real("timeout", 30);
  long refused = 0;
  for (long i = 0; i < times; ++i) {
    int fd = tcp_socket(a);
    if (long n = a.num("syncnt", 0)) set_int(fd, IPPROTO_TCP, TCP_SYNCNT, int(n), "TCP_SYNCNT");
    timeval tv{long(timeout), long((timeout - long(timeout)) * 1e6)};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) die("SO_SNDTIMEO");
    uint64_t c = cookie(fd);
    say("connecting fd=%d cookie=%llu", fd, (unsigned long long)c);
    sockaddr_in s = v4(a.addr, a.port);
    int r = connect(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s));
    int e = r == 0 ? 0 : errno;
    refused += e == ECONNREFUSED;
    say("connect fd=%d cookie=%llu result=%s", fd, (unsigned long long)c, e ? strerrorname_np(e) : "0");
    close(fd);
  }
  say("done refused=%ld", refused);
  hold();
}

// --count non-blocking connects at once (to a listener that does not accept).
int connect_many(const Args& a) {
  const long n = a.num("count", 20);
  for (long i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    sockaddr_in s = v4(a.addr, a.port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s)) != 0 && errno != EINPROGRESS) die("connect");
  }
  say("started count=%ld", n);
  hold();
}

// Connects, exchanges one message with an echo server and stays idle.
int client_idle(const Args& a) {
  int fd = tcp_connect(a);
  write_all(fd, "ping", 4);
  char buf[4];
  size_t got = 0;
  while (got < 4) {
    ssize_t r = read(fd, buf + got, 4 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die("read");
    got += size_t(r);
  }
  say("idle fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  hold();
}

// A new connection every --every-ms, --count of them, none ever closed.
int open_every(const Args& a) {
  const long n = a.num("count", 40), every = a.num("every-ms", 100);
  auto t0 = Clock::now();
  for (long i = 1; i <= n; ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::milliseconds(i * every));
    int fd = tcp_connect(a);
    if (i % 10 == 0) say("opened count=%ld fd=%d", i, fd);
  }
  say("done count=%ld", n);
  hold();
}

// Request/response: --size bytes out, the same back, every --every-ms, for
// --seconds; then closes.
int rr_client(const Args& a) {
  int fd = tcp_connect(a);
  say("connected fd=%d local=%s cookie=%llu", fd, local_of(fd).c_str(), (unsigned long long)cookie(fd));
  std::vector<char> req(size_t(a.num("size", 512)), 'r'), resp(req.size());
  const double seconds = a.real("seconds", 3);
  auto t0 = Clock::now();
  long rounds = 0;
  bool halfway = false;
  while (Clock::now() < t0 + std::chrono::duration<double>(seconds)) {
    write_all(fd, req.data(), req.size());
    size_t got = 0;
    while (got < resp.size()) {
      ssize_t r = read(fd, resp.data() + got, resp.size() - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) die("read");
      got += size_t(r);
    }
    ++rounds;
    if (!halfway && Clock::now() >= t0 + std::chrono::duration<double>(seconds / 2)) {
      halfway = true;
      say("progress rounds=%ld", rounds);
    }
    sleep_ms(a.num("every-ms", 20));
  }
  close(fd);
  say("done rounds=%ld", rounds);
  return 0;
}

// Open/close churn: connect, send a little, close, --rate per second for
// --seconds (the server, accept-all --close 1, reads to EOF and closes).
int churn(const Args& a) {
  const long rate = a.num("rate", 20);
  const double seconds = a.real("seconds", 3);
  const long total = long(rate * seconds);
  auto t0 = Clock::now();
  for (long i = 0; i < total; ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::microseconds(i * 1'000'000 / rate));
    int fd = tcp_connect(a);
    write_all(fd, "bye", 3);
    shutdown(fd, SHUT_WR);
    char b;
    (void)!read(fd, &b, 1);  // the server's FIN: it closed after our EOF
    close(fd);
    if (i == total / 2) say("progress connections=%ld", i + 1);
  }
  say("done connections=%ld", total);
  return 0;
}

// UDP datagrams of --size bytes: --count of them, or (--seconds) as fast as
// sendmmsg takes them from --threads threads, --burst per call.
int udp_send(const Args& a) {
  const size_t size = size_t(a.num("size", 1000));
  const long count = a.num("count", 0);
  const double seconds = a.real("seconds", 0);
  const int threads = int(a.num("threads", 1)), burst = int(a.num("burst", 1));
  std::atomic<uint64_t> sent{0};
  auto one = [&] {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    sockaddr_in s = v4(a.addr, a.port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&s), sizeof(s)) != 0) die("connect");
    std::vector<char> d(size, 'u');
    std::vector<iovec> iov(size_t(burst), iovec{d.data(), d.size()});
    std::vector<mmsghdr> msgs(static_cast<size_t>(burst));
    for (int i = 0; i < burst; ++i) {
      msgs[size_t(i)].msg_hdr = {};
      msgs[size_t(i)].msg_hdr.msg_iov = &iov[size_t(i)];
      msgs[size_t(i)].msg_hdr.msg_iovlen = 1;
    }
    auto end = Clock::now() + std::chrono::duration<double>(seconds);
    for (long i = 0; count ? i < count : Clock::now() < end; ++i) {
      int n = sendmmsg(fd, msgs.data(), unsigned(burst), 0);
      if (n > 0) sent += uint64_t(n);
    }
    close(fd);
  };
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i) ts.emplace_back(one);
  for (auto& t : ts) t.join();
  say("done sent=%llu", (unsigned long long)sent.load());
  return 0;
}

const std::map<std::string, int (*)(const Args&)> kModes = {
    {"server-noread", server_noread}, {"server-eof", server_eof},       {"server-slowread", server_slowread},
    {"bulk-recv", bulk_recv},         {"udp-noread", udp_noread},       {"echo-server", echo_server},
    {"accept-all", accept_all},       {"client-send", client_send},     {"send-big", send_big},
    {"bulk-send", bulk_send},         {"connect", connect_loop},        {"connect-many", connect_many},
    {"client-idle", client_idle},     {"open-every", open_every},       {"rr-client", rr_client},
    {"churn", churn},                 {"udp-send", udp_send},
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0 && i + 1 < argc)
      a.opt[s.substr(2)] = argv[++i];
    else
      pos.push_back(s);
  }
  auto mode = pos.empty() ? kModes.end() : kModes.find(pos[0]);
  if (mode == kModes.end() || pos.size() != 3) {
    std::fprintf(stderr, "usage: scenario MODE [--ns NAME] [--limit S] [options] ADDR PORT\nmodes:");
    for (const auto& [name, fn] : kModes) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  a.mode = pos[0];
  a.addr = pos[1];
  a.port = uint16_t(std::stoi(pos[2]));
  alarm(unsigned(a.num("limit", 60)));  // the hard limit: SIGALRM ends the process
  try {
    if (std::string ns = a.str("ns"); !ns.empty()) testing::enter_netns(ns);
    say("start mode=%s pid=%d", a.mode.c_str(), int(getpid()));
    return mode->second(a);
  } catch (const std::exception& e) {
    say("error %s", e.what());
    return 1;
  }
}
