// Shared by the overhead-benchmark workloads (bench_pair, bench_churn,
// bench_udp, bench_hold): the options they all take, CPU pinning, the one
// JSON result line, clear fatal errors, and the loopback socket helpers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A fixed end time; callers check it every few hundred iterations so the
// clock read stays out of the measured per-operation cost.
struct Deadline {
  Clock::time_point end;
  explicit Deadline(double s, Clock::time_point from = Clock::now())
      : end(from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s))) {}
  bool passed() const { return Clock::now() >= end; }
};

// Setup and runtime failures: one line on stderr, exit status 2. _Exit, not
// exit: it may be called from a worker thread while others still run.
[[noreturn]] inline void die(const std::string& msg) {
  fmt::print(stderr, "{}: {}\n", program_invocation_short_name, msg);
  std::fflush(stderr);
  std::_Exit(2);
}

[[noreturn]] inline void die_errno(const std::string& what) { die(fmt::format("{}: {}", what, std::strerror(errno))); }

inline const char* errno_name(int e) {
  const char* n = strerrorname_np(e);
  return n ? n : "unknown errno";
}

struct Common {
  double seconds = 3;
  int cpu = -1;  // -1: not pinned
  int port = 0;
};

// Set c's defaults before calling: they show in --help.
inline void add_common(CLI::App& app, Common& c) {
  app.add_option("--seconds", c.seconds, "How long to run (at most 7200: 2 hours, for soaks)")
      ->check(CLI::Range(0.001, 7200.0))
      ->capture_default_str();
  app.add_option("--cpu", c.cpu, "Pin every thread of the workload to this CPU")->check(CLI::NonNegativeNumber);
  app.add_option("--port", c.port, "Loopback TCP/UDP port to listen on")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
}

// Bad usage exits 2 like every other setup error (CLI11's own codes are >100).
inline void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e) == 0 ? 0 : 2);
  }
}

// Call before starting threads: they inherit the calling thread's mask.
inline void pin_to_cpu(int cpu) {
  if (cpu < 0) return;
  if (cpu >= CPU_SETSIZE) die(fmt::format("--cpu {}: out of range", cpu));
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    die(fmt::format("cannot pin to CPU {} ({}): this machine has CPUs 0..{}", cpu, std::strerror(errno),
                    sysconf(_SC_NPROCESSORS_ONLN) - 1));
}

// The result: exactly one line on stdout, keys in insertion order.
inline void emit(const nlohmann::ordered_json& j) {
  std::fputs((j.dump() + "\n").c_str(), stdout);
  std::fflush(stdout);
}

inline sockaddr_in loopback(int port, uint8_t last_octet = 1) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl((127u << 24) | last_octet);
  return a;
}

inline void set_int_opt(int fd, int level, int opt, int value, const char* name) {
  if (setsockopt(fd, level, opt, &value, sizeof value) != 0) die_errno(fmt::format("setsockopt({})", name));
}

inline void bind_or_die(int fd, const sockaddr_in& a) {
  if (bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) return;
  if (errno == EADDRINUSE) die(fmt::format("port {} on 127.0.0.1 is in use: pass another --port", ntohs(a.sin_port)));
  die_errno("bind");
}

// A TCP listener on 127.0.0.1:port. SO_REUSEADDR so a rerun does not trip
// over the previous run's TIME_WAIT sockets.
inline int tcp_listener(int port, int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die_errno("socket");
  set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  bind_or_die(fd, loopback(port));
  if (listen(fd, backlog) != 0) die_errno("listen");
  return fd;
}

inline void set_timeout(int fd, int opt, std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = ms.count() / 1000;
  tv.tv_usec = (ms.count() % 1000) * 1000;
  if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv) != 0) die_errno("setsockopt(timeout)");
}

}  // namespace bench
