// Whatever way sockscope ends, none of its BPF programs stays loaded.
#include <chrono>
#include <csignal>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/observers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

namespace {

// The programs loaded now, once the count has stopped falling: a run that
// just ended (the test before this one) may still be in its grace period,
// and counting its programs as the baseline would make this test fail, or
// pass when it should not.
size_t settled_sockscope_progs() {
  size_t n = loaded_sockscope_progs().size();
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    size_t again = loaded_sockscope_progs().size();
    if (again == n) break;
    n = again;
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
