// Command-line errors: each says what is wrong and what to do, and exits
// with the documented status. No BPF needed.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/cli/cli_run.h"
#include "tests/helpers/child.h"

using namespace testing;

namespace {

using Result = CliResult;

Result run(const std::vector<std::string>& args, const std::string& prefix = "") {
  return run_sockscope(args, "cli", prefix, 30);
}

}  // namespace

TEST_CASE("an unknown option exits 2 and points to --help", "[cli]") {
  auto r = run({"list", "--bogus"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--bogus") != std::string::npos);
  CHECK(r.err.find("sockscope list --help") != std::string::npos);
}

TEST_CASE("an unknown command exits 2", "[cli]") {
  auto r = run({"frobnicate"});
  CHECK(r.status == 2);
  CHECK(r.err.find("frobnicate") != std::string::npos);
}

TEST_CASE("bad filter values exit 2 with the reason", "[cli]") {
  auto r = run({"list", "--state", "sleepy"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown state 'sleepy'") != std::string::npos);
  CHECK(r.err.find("established") != std::string::npos);

  r = run({"watch", "--port", "70000"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--port") != std::string::npos);

  r = run({"list", "--pid", "abc"});
  CHECK(r.status == 2);

  r = run({"list", "--duration", "-1"});
  CHECK(r.status == 2);
}

TEST_CASE("nic: bad values and socket filters exit 2", "[cli][nic]") {
  auto r = run({"nic", "--duration", "0"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--duration") != std::string::npos);

  r = run({"nic", "--duration", "soon"});
  CHECK(r.status == 2);

  r = run({"nic", "--ringbuf-mb", "3"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--ringbuf-mb") != std::string::npos);

  // devices, not sockets: a socket filter is a mistake, not silently ignored
  r = run({"nic", "--port", "80"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--port") != std::string::npos);
  CHECK(r.err.find("sockscope nic --help") != std::string::npos);

  // nic takes the tiers (packets: NAPI polls per device), and refuses others
  r = run({"nic", "--detail", "sockets"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--detail") != std::string::npos);
  r = run({"nic", "--detail", "none,packets"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--detail none") != std::string::npos);
}

TEST_CASE("nic --help shows its options and no socket filters", "[cli][nic]") {
  Child c({sockscope_bin(), "nic", "--help"}, temp_path("nichelp.out"), temp_path("nichelp.err"));
  CHECK(c.wait(10) == 0);
  std::string out = c.out();
  for (const char* opt : {"--json", "--duration", "--no-journey", "--ringbuf-mb"})
    CHECK(out.find(opt) != std::string::npos);
  for (const char* opt : {"--port", "--pid", "--state", "--comm"}) CHECK(out.find(opt) == std::string::npos);
}

TEST_CASE("every command takes --no-journey", "[cli]") {
  for (const char* cmd : {"list", "watch", "nic"}) {
    Child c({sockscope_bin(), cmd, "--help"}, temp_path("jhelp.out"), temp_path("jhelp.err"));
    CHECK(c.wait(10) == 0);
    CHECK(c.out().find("--no-journey") != std::string::npos);
  }
}

TEST_CASE("without root it says to use sudo, and loads nothing", "[cli]") {
  // as root, drop to nobody; otherwise we already are unprivileged
  std::string prefix = geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" : "";
  for (const char* cmd : {"list", "nic"}) {
    auto r = run({cmd, "--duration", "1"}, prefix);
    INFO(cmd);
    CHECK(r.status == 1);
    CHECK(r.err.find("needs root") != std::string::npos);
    CHECK(r.err.find("sudo") != std::string::npos);
  }
}

TEST_CASE("a kernel without BTF gets a clear message", "[cli]") {
  if (geteuid() != 0) {
    WARN("needs root to hide /sys/kernel/btf in a private mount namespace; checked as root in CI");
    return;
  }
  // hide BTF in a private mount namespace only
  auto r = run({"list", "--duration", "1"}, "unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec \"$0\" \"$@\"'");
  CHECK(r.status == 1);
  CHECK(r.err.find("no BTF") != std::string::npos);
  CHECK(r.err.find("CONFIG_DEBUG_INFO_BTF") != std::string::npos);
}

TEST_CASE("--help lists the commands and filters", "[cli]") {
  Child c({sockscope_bin(), "list", "--help"}, temp_path("help.out"), temp_path("help.err"));
  CHECK(c.wait(10) == 0);
  std::string out = c.out();
  for (const char* opt : {"--pid", "--comm", "--port", "--state", "-4", "-6", "-t", "-u", "--json", "--duration"})
    CHECK(out.find(opt) != std::string::npos);
}
