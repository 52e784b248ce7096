#include "run/signals.h"

#include <csignal>

namespace sockscope {
namespace {
volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_dump = 0;
void on_signal(int) { g_stop = 1; }
void on_dump(int) { g_dump = 1; }
}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking poll returns at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  // a closed stdout pipe (watch | head) stops us through a write error
  signal(SIGPIPE, SIG_IGN);
}

void install_dump_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_dump;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // the poll returns at once
  sigaction(SIGUSR1, &sa, nullptr);
}

bool take_dump_request() {
  if (!g_dump) return false;
  g_dump = 0;
  return true;
}

bool stop_requested() { return g_stop != 0; }
void request_stop() { g_stop = 1; }

}  // namespace sockscope
