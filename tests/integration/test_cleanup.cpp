// Whatever way sockscope ends, none of its BPF programs stays loaded.
#include <chrono>
#include <csignal>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/observers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

namespace {

// The programs loaded before this test's run: those of a run that just
// ended (the test before this one) go after an RCU grace period, which on a
// busy host can take seconds, and counting them as the baseline made this
// test fail (or pass when it should not). Wait for them to go, up to 10 s;
// what is left then (another sockscope on the host) is the baseline.
size_t settled_sockscope_progs() {
  size_t n = loaded_sockscope_progs().size();
  for (int i = 0; i < 50 && n != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    n = loaded_sockscope_progs().size();
  }
  return n;
}

void check_clean_exit(int sig, int want_status) {
  size_t before = settled_sockscope_progs();
  SockscopeRun run({"watch", "--json"}, "cleanup");
  size_t during = loaded_sockscope_progs().size();
  CHECK(during > before);
  int status = run.stop(sig);
  CHECK(status == want_status);
  // The kernel frees a detached program after an RCU grace period, in the
  // background: give it a moment, but everything must go.
  size_t after = loaded_sockscope_progs().size();
  for (int i = 0; i < 50 && after != before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = loaded_sockscope_progs().size();
  }
  CHECK(after == before);
}

}  // namespace

TEST_CASE("no BPF program remains after SIGINT", "[kernel][cleanup][smoke]") { check_clean_exit(SIGINT, 0); }
TEST_CASE("no BPF program remains after SIGTERM", "[kernel][cleanup]") { check_clean_exit(SIGTERM, 0); }
TEST_CASE("no BPF program remains after SIGKILL", "[kernel][cleanup][smoke]") { check_clean_exit(SIGKILL, 128 + SIGKILL); }
