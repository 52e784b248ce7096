// The floor of the overhead benchmark: an empty BPF program (r0 = 0; exit)
// on every hook sockscope attaches, and nothing else, so bench/run.py can
// tell the bare cost of a BPF call at those hooks from sockscope's own work.
//
// The hooks come from sockscope's BPF object (opened, never loaded), so the
// list cannot drift from what sockscope attaches. --tier picks one tier's
// hooks (record/tiers.h), so each hook family has its own floor; the
// iterators are left out: they run on sockscope's reads, not on a kernel
// path. Cgroup hooks attach to the cgroup v2 root, as sockscope's do.
//
//   floor_loader [--seconds S] [--list] [--cpu N] [--tier default,syscalls,packets]
//
// Needs root, --list too (tracefs, where the tracepoints are checked, is
// root's). Prints "floor: N of M probes attached" on stderr once attached.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <csignal>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "record/tiers.h"
#include "sockscope.skel.h"
#include "source/kernel/cgroup_root.h"
#include "source/kernel/preflight.h"
#include "source/kernel/probe_targets.h"
#include "util/user_error.h"

namespace {

// --- Which hooks sockscope attaches on this kernel -----------------------

int btf_trace_id(const btf* vmlinux, const std::string& name) {
  return btf__find_by_name_kind(vmlinux, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF);
}

struct Hook {
  std::string section, kind, name;  // "tp_btf/kfree_skb" = kind "tp_btf" + name "kfree_skb"
  std::string skip;                 // why sockscope would not attach it, or ""
};

std::vector<Hook> sockscope_hooks() {
  sockscope_bpf* skel = sockscope_bpf__open();
  if (!skel) throw sockscope::UserError(fmt::format("opening sockscope's BPF object failed: {}", strerror(errno)));
  std::vector<std::string> sections;
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel->obj) sections.push_back(bpf_program__section_name(prog));
  sockscope_bpf__destroy(skel);
  std::vector<std::string> skip = sockscope::skip_reasons(sections);
  std::vector<Hook> hooks;
  for (size_t i = 0; i < sections.size(); ++i) {
    const std::string& sec = sections[i];
    auto slash = std::min(sec.find('/'), sec.size());
    hooks.push_back({sec, sec.substr(0, slash), sec.substr(std::min(slash + 1, sec.size())), skip[i]});
  }
  return hooks;
}

// --- Empty programs --------------------------------------------------------

const bpf_insn kEmpty[] = {
    {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
    {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
};
// A cgroup hook's return value is its verdict: 1 lets the call go on.
const bpf_insn kAllow[] = {
    {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1},  // r0 = 1
    {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
};
constexpr const char* kProgName = "floor_empty";  // what to grep in `bpftool prog show`

// Loads and attaches one empty program; returns its fds (program, link,
// perf event) or throws the reason.
std::vector<int> attach_empty(const Hook& h, const btf* vmlinux, int cgroup_fd) {
  std::vector<int> fds;
  auto fail = [&](const std::string& what) {
    std::string msg = fmt::format("{} failed: {}", what, strerror(errno));
    for (int fd : fds) close(fd);
    throw std::runtime_error(msg);
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  if (sockscope::is_cgroup_section(h.section)) {
    // libbpf knows each cgroup section's program and attach type
    bpf_prog_type type;
    bpf_attach_type attach;
    if (libbpf_prog_type_by_name(h.section.c_str(), &type, &attach) != 0) fail("finding the program type");
    if (cgroup_fd < 0) throw std::runtime_error("no cgroup v2 root to attach to");
    opts.expected_attach_type = attach;
    int prog = bpf_prog_load(type, kProgName, "GPL", kAllow, 2, &opts);
    if (prog < 0) fail("loading");
    fds.push_back(prog);
    int link = bpf_link_create(prog, cgroup_fd, attach, nullptr);
    if (link < 0) fail("attaching");
    fds.push_back(link);
    return fds;
  }
  if (h.kind == "tp_btf") {
    opts.expected_attach_type = BPF_TRACE_RAW_TP;
    opts.attach_btf_id = btf_trace_id(vmlinux, h.name);
    int prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, kProgName, "GPL", kEmpty, 2, &opts);
    if (prog < 0) fail("loading");
    fds.push_back(prog);
    int link = bpf_raw_tracepoint_open(nullptr, prog);
    if (link < 0) fail("attaching");
    fds.push_back(link);
    return fds;
  }
  if (h.kind != "tracepoint" && h.kind != "tp") throw std::runtime_error("the floor has no loader for " + h.kind);
  // "tracepoint/CATEGORY/NAME": a perf event on the tracepoint, as libbpf does
  int prog = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, kProgName, "GPL", kEmpty, 2, &opts);
  if (prog < 0) fail("loading");
  fds.push_back(prog);
  int id = -1;
  std::ifstream(fmt::format("{}/events/{}/id", sockscope::tracefs_root(), h.name)) >> id;
  if (id < 0) fail("reading the tracepoint id");
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.config = id;
  int perf = syscall(SYS_perf_event_open, &attr, -1 /*any pid*/, 0 /*cpu*/, -1, PERF_FLAG_FD_CLOEXEC);
  if (perf < 0) fail("perf_event_open");
  fds.push_back(perf);
  int link = bpf_link_create(prog, perf, BPF_PERF_EVENT, nullptr);
  if (link < 0) fail("attaching");
  fds.push_back(link);
  return fds;
}

uint32_t prog_id(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

// Closing the fds only drops references: the kernel frees the programs a
// moment later (after an RCU grace period). Wait for that, looking the ids
// up without taking a reference, so the next benchmark condition starts
// with none of ours left. Bounded: 5 s.
void wait_unloaded(const std::vector<uint32_t>& ids) {
  for (int round = 0; round < 500; ++round) {
    bool left = false;
    for (uint32_t id : ids) {
      uint32_t next = 0;
      left |= id && bpf_prog_get_next_id(id - 1, &next) == 0 && next == id;
    }
    if (!left) return;
    usleep(10'000);
  }
  fmt::print(stderr, "floor: some empty programs were still loaded 5 s after detaching\n");
}

// Until SIGINT/SIGTERM, or `seconds` when > 0. The signals are blocked
// from the start, so one sent while attaching is not lost.
void wait_for_stop(const sigset_t& stop, double seconds) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    if (seconds <= 0) {
      if (sigwaitinfo(&stop, nullptr) > 0) return;
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(end - std::chrono::steady_clock::now()).count();
    if (left <= 0) return;
    timespec step{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
    if (sigtimedwait(&stop, nullptr, &step) > 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The floor: an empty BPF program on every hook sockscope attaches."};
  double seconds = 0;
  bool list = false;
  int cpu = -1;
  app.add_option("--seconds", seconds, "stay attached this long (default, or 0: until SIGINT/SIGTERM)")
      ->check(CLI::Range(0.0, 1e7));
  app.add_flag("--list", list, "print the hooks it would attach and exit");
  app.add_option("--cpu", cpu, "pin this process to CPU N")->check(CLI::NonNegativeNumber);
  std::vector<std::string> tiers = {"default", "syscalls", "packets"};
  app.add_option("--tier", tiers, "only these tiers' hooks, comma-separated (default: all three)")
      ->delimiter(',')
      ->check(CLI::IsMember({"default", "syscalls", "packets"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu >= 0) {
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
      fmt::print(stderr, "floor: cannot pin to CPU {}: {}\n", cpu, strerror(errno));
      return 2;
    }
  }

  std::vector<Hook> hooks;
  btf* vmlinux = nullptr;
  try {
    sockscope::preflight_live();  // root, kernel BTF, tracefs mounted
    vmlinux = btf__load_vmlinux_btf();
    if (libbpf_get_error(vmlinux)) vmlinux = nullptr;
    hooks = sockscope_hooks();
  } catch (const std::exception& e) {
    fmt::print(stderr, "floor: {}\n", e.what());
    return 2;
  }

  std::string why;
  std::string root = sockscope::cgroup2_root(why);
  int cgroup_fd = root.empty() ? -1 : open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  std::vector<int> fds;
  std::vector<uint32_t> ids;
  size_t attached = 0, wanted = 0;
  for (const auto& h : hooks) {
    if (h.kind == "iter") continue;  // run by sockscope's reads, on no kernel path
    if (std::find(tiers.begin(), tiers.end(), sockscope::tier_name(sockscope::tier_of(h.section))) == tiers.end())
      continue;
    ++wanted;
    if (!h.skip.empty()) {
      fmt::print(stderr, "floor: {} skipped: {}\n", h.section, h.skip);
    } else if (list) {
      fmt::print("{}\n", h.section);
    } else {
      try {
        auto got = attach_empty(h, vmlinux, cgroup_fd);
        ids.push_back(prog_id(got.front()));
        fds.insert(fds.end(), got.begin(), got.end());
        ++attached;
      } catch (const std::exception& e) {
        fmt::print(stderr, "floor: {} not attached: {}\n", h.section, e.what());
      }
    }
  }
  btf__free(vmlinux);
  if (cgroup_fd >= 0) close(cgroup_fd);  // the links hold the cgroup
  if (list) return 0;

  fmt::print(stderr, "floor: {} of {} probes attached\n", attached, wanted);
  if (attached == 0) return 2;  // each hook's reason is above
  wait_for_stop(stop, seconds);
  // closing the last fd of each link and program detaches and unloads it
  for (int fd : fds) close(fd);
  wait_unloaded(ids);
  return 0;
}
