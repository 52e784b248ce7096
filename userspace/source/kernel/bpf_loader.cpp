#include "source/kernel/bpf_loader.h"

#include <bpf/btf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "bpf/abi/sockscope_abi.h"
#include "sockscope.skel.h"
#include "sockscope_compat.skel.h"
#include "source/kernel/cgroup_root.h"
#include "source/kernel/kconfig.h"
#include "source/kernel/preflight.h"
#include "source/kernel/probe_targets.h"
#include "util/user_error.h"

namespace sockscope {
namespace {

// The BPF side's syscall hooks see every syscall by number; which numbers
// are socket calls is this build's <sys/syscall.h> (bpf/hooks/syscalls.bpf.h).
template <size_t N>
void fill_syscall_calls(volatile uint8_t (&call_of)[N]) {
  constexpr std::pair<long, uint8_t> kCalls[] = {
      {SYS_socket, SS_CALL_SOCKET},     {SYS_bind, SS_CALL_BIND},         {SYS_listen, SS_CALL_LISTEN},
      {SYS_accept, SS_CALL_ACCEPT},     {SYS_accept4, SS_CALL_ACCEPT4},   {SYS_connect, SS_CALL_CONNECT},
      {SYS_shutdown, SS_CALL_SHUTDOWN}, {SYS_close, SS_CALL_CLOSE},       {SYS_setsockopt, SS_CALL_SETSOCKOPT},
      {SYS_sendto, SS_CALL_SENDTO},     {SYS_sendmsg, SS_CALL_SENDMSG},   {SYS_sendmmsg, SS_CALL_SENDMMSG},
      {SYS_recvfrom, SS_CALL_RECVFROM}, {SYS_recvmsg, SS_CALL_RECVMSG},   {SYS_recvmmsg, SS_CALL_RECVMMSG},
      {SYS_read, SS_CALL_READ},         {SYS_write, SS_CALL_WRITE},       {SYS_readv, SS_CALL_READV},
      {SYS_writev, SS_CALL_WRITEV},
  };
  static_assert(std::size(kCalls) == SS_CALL_MAX);
  for (auto [nr, call] : kCalls)
    if (nr >= 0 && size_t(nr) < N) call_of[nr] = call;
}

// libbpf's messages are kept, not printed: they are shown only when
// loading fails, as the tail of the verifier's log.
std::string g_libbpf_log;

int keep_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  // the verifier's log is one message of many kilobytes
  va_list again;
  va_copy(again, args);
  int n = vsnprintf(nullptr, 0, fmt, args);
  if (n > 0) {
    std::string buf(size_t(n) + 1, '\0');
    vsnprintf(buf.data(), buf.size(), fmt, again);
    buf.resize(size_t(n));
    g_libbpf_log += buf;
  }
  va_end(again);
  if (g_libbpf_log.size() > 64 * 1024) g_libbpf_log.erase(0, g_libbpf_log.size() - 32 * 1024);
  return n;
}

std::string load_error(int err) {
  // EPERM: not allowed to load at all. (EACCES is the verifier's refusal,
  // reported below with its log.)
  if (err == -EPERM)
    return "the kernel refused to load sockscope's BPF programs (permission denied): run as root, "
           "and check that kernel.unprivileged_bpf_disabled or a security module does not block BPF";
  std::string tail = g_libbpf_log.size() > 20000 ? g_libbpf_log.substr(g_libbpf_log.size() - 20000) : g_libbpf_log;
  return fmt::format("loading sockscope's BPF programs failed ({}). libbpf said:\n{}", std::strerror(-err), tail);
}

// The two objects must match, or the main skeleton would point into the
// compat one wrongly: same maps, programs and links, same variables.
template <typename A, typename B>
constexpr bool same_size = sizeof(A) == sizeof(B);
static_assert(same_size<decltype(sockscope_bpf::maps), decltype(sockscope_compat_bpf::maps)>);
static_assert(same_size<decltype(sockscope_bpf::progs), decltype(sockscope_compat_bpf::progs)>);
static_assert(same_size<decltype(sockscope_bpf::links), decltype(sockscope_compat_bpf::links)>);
static_assert(same_size<sockscope_bpf::sockscope_bpf__rodata, sockscope_compat_bpf::sockscope_compat_bpf__rodata>);
static_assert(same_size<sockscope_bpf::sockscope_bpf__bss, sockscope_compat_bpf::sockscope_compat_bpf__bss>);

// The object for this kernel: the main one, or, on a kernel without the
// bpf_rdonly_cast kfunc (before 6.2), the one built without it
// (bpf/CMakeLists.txt). Both come from one source with the same programs,
// maps and variables, so the main skeleton serves either: only the ELF
// bytes it opens differ.
sockscope_bpf* open_skeleton(const bpf_object_open_opts* opts, bool compat) {
  if (!compat) return sockscope_bpf__open_opts(opts);
  auto* skel = static_cast<sockscope_bpf*>(calloc(1, sizeof(sockscope_bpf)));
  if (!skel) return nullptr;
  int err = sockscope_bpf__create_skeleton(skel);
  if (!err) {
    skel->skeleton->data = sockscope_compat_bpf__elf_bytes(&skel->skeleton->data_sz);
    err = bpf_object__open_skeleton(skel->skeleton, opts);
  }
  if (err) {
    sockscope_bpf__destroy(skel);
    errno = -err;
    return nullptr;
  }
  return skel;
}

}  // namespace

// Opens, configures and loads the object; on failure returns the error and
// leaves nothing open.
int BpfObject::open_and_load(const LoaderOptions& opts, bool state_runs) {
  // without a kernel config file libbpf would refuse the object: it gets
  // the values from here instead (source/kernel/kconfig.h)
  kernel_notes_.clear();
  std::string kconfig_note;
  std::string kconfig = kconfig_fallback(&kconfig_note);
  if (!kconfig_note.empty()) kernel_notes_.push_back(kconfig_note);
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kconfig = kconfig.empty() ? nullptr : kconfig.c_str());
  const KernelFeatures kf = kernel_features();
  bool compat = !kf.rdonly_cast;
  if (compat)
    kernel_notes_.push_back(
        "this kernel has no bpf_rdonly_cast (Linux 6.2+): sockets are read with probe reads, and the "
        "syscalls and calls tiers, which find a socket from its fd, are off");
  skel_ = open_skeleton(&open_opts, compat);
  if (!skel_) throw UserError(fmt::format("opening the BPF object failed: {}", std::strerror(errno)));

  skel_->rodata->cfg_wakeup_bytes = opts.wakeup_bytes;
  skel_->rodata->cfg_sample_interval_ns = opts.sample_interval_ns;
  skel_->rodata->cfg_detail_calls = opts.detail_calls;
  skel_->rodata->cfg_journey = opts.journey;
  // the kernel counts per millisecond; a rate below 1000/s still times one
  skel_->rodata->cfg_journey_per_ms = opts.journey_rate ? std::max(1u, opts.journey_rate / 1000) : 0;
  skel_->rodata->cfg_metrics_interval_ns = opts.metrics_interval_ns;
  skel_->rodata->cfg_state_runs = state_runs;
  // asked, not assumed: a kernel that refuses the helper would refuse the
  // whole object (bpf/lib/config.bpf.h)
  skel_->rodata->cfg_sockopt_cookie =
      libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_FUNC_probe_read_kernel, nullptr) == 1;
  fill_syscall_calls(skel_->rodata->cfg_syscall_call);
  // arguments some tracepoints gained later: read only where they exist
  // (bpf/lib/config.bpf.h), since a program that reads past a tracepoint's
  // arguments cannot attach to it
  skel_->rodata->cfg_kfree_skb_rx_sk = kf.kfree_skb_rx_sk;
  skel_->rodata->cfg_udp_fail_skb = kf.udp_fail_skb;
  skel_->rodata->cfg_retransmit_err = kf.retransmit_err;
  skel_->rodata->cfg_send_reset_reason = kf.send_reset_reason;
  skel_->rodata->cfg_reset_tp_no_socket = kf.reset_tp_no_socket;
  if (!kf.retransmit_err)
    kernel_notes_.push_back(
        "this kernel's tcp_retransmit_skb tracepoint is silent for a retransmit its transmit refused (before Linux "
        "6.13): those are counted from the kernel's own retransmit counter at the next one sent");
  if (!kf.reset_tp_no_socket)
    kernel_notes_.push_back(
        "this kernel's tcp_send_reset tracepoint is silent for a segment no socket wanted (before Linux 6.9): "
        "resets sent from a closed port are taken from the kernel's NO_SOCKET drops");
  bpf_map__set_max_entries(skel_->maps.events, opts.ringbuf_bytes);
  bpf_map__set_max_entries(skel_->maps.sock_stats, opts.stats_entries);

  // Every program this kernel can run is loaded, whatever the tiers: a
  // detail tier can then be attached later without loading again.
  probes_.clear();
  progs_.clear();
  links_.clear();
  std::vector<std::string> sections;
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) sections.push_back(bpf_program__section_name(prog));
  std::vector<std::string> skip = skip_reasons(sections);
  if (compat)
    for (size_t i = 0; i < sections.size(); ++i)
      if (skip[i].empty() && (sections[i].find("sys_enter") != std::string::npos ||
                              sections[i].find("sys_exit") != std::string::npos))
        skip[i] = "finding a socket from its fd needs the bpf_rdonly_cast kfunc (Linux 6.2+)";
  size_t k = 0;
  bpf_object__for_each_program(prog, skel_->obj) {
    const std::string& why = skip[k];
    Tier tier = tier_of(sections[k]);
    probes_.push_back({bpf_program__name(prog), sections[k], false, why, tier_name(tier), false});
    progs_.push_back(prog);
    links_.push_back(nullptr);
    ++k;
    if (!why.empty()) bpf_program__set_autoload(prog, false);
  }

  int err = sockscope_bpf__load(skel_);
  if (err) {
    sockscope_bpf__destroy(skel_);
    skel_ = nullptr;
  }
  return err;
}

BpfObject::BpfObject(const LoaderOptions& opts) {
  libbpf_set_print(keep_libbpf_log);
  // State runs (bpf/lib/state_run.bpf.h) need BPF atomics (Linux 5.12),
  // which no helper probe can ask about: a kernel that refuses them
  // refuses the load, and the object is loaded again with one record per
  // state change.
  if (int err = open_and_load(opts, true); err) {
    if (err == -EPERM) throw UserError(load_error(err));
    state_runs_note_ = fmt::format(
        "state changes go out one record each (more cost under churn): the kernel refused them in runs ({})",
        std::strerror(-err));
    if (int again = open_and_load(opts, false); again) throw UserError(load_error(again));
  }
  for (size_t i = 0; i < probes_.size(); ++i)
    // a probe turned off at load (its reason set) was never loaded: an
    // attach would fail and hide that reason behind "Invalid argument"
    if (probes_[i].tier == tier_name(Tier::Default) && !is_cgroup_section(probes_[i].target) &&
        probes_[i].reason.empty())
      attach(i);
  // the syscalls tier reports lifecycle in the cgroup hooks' place, where
  // this kernel can run it (not before 6.2, docs/kernels.md)
  bool syscalls_loaded = false;
  for (size_t i = 0; i < probes_.size(); ++i)
    syscalls_loaded |= probes_[i].tier == tier_name(Tier::Syscalls) && bpf_program__autoload(progs_[i]);
  attach_cgroup_lifecycle(!(opts.detail_syscalls || opts.detail_calls) || !syscalls_loaded);
  set_detail_pid(opts.detail_pid);
  skel_->bss->detail_port = opts.detail_port;
  for (Tier t : {Tier::Syscalls, Tier::Packets}) {
    bool on = t == Tier::Syscalls ? opts.detail_syscalls || opts.detail_calls || syscalls_fallback_
                                  : opts.detail_packets;
    if (on) set_tier(t, true);
    else
      for (size_t i = 0; i < probes_.size(); ++i)
        if (probes_[i].tier == tier_name(t)) probes_[i].off = true;
  }
  if (attached_count() == 0) {
    std::string report = probe_report(probes_);
    release();
    throw UserError("no probe could be attached:\n" + report);
  }
}

bool BpfObject::attach(size_t i) {
  ProbeStatus& p = probes_[i];
  if (links_[i]) return true;
  // turned off at load, with its reason: never loaded, nothing to attach
  if (!bpf_program__autoload(progs_[i])) return false;
  bpf_link* link = is_cgroup_section(p.target) ? bpf_program__attach_cgroup(progs_[i], cgroup_fd_)
                                               : bpf_program__attach(progs_[i]);
  if (!link) {
    p.reason = fmt::format("attach failed: {}", std::strerror(errno));
    return false;
  }
  links_[i] = link;
  p.attached = true;
  p.off = false;
  p.reason.clear();
  bpf_program* prog = progs_[i];
  if (prog == skel_->progs.ss_iter_tcp) iter_tcp_ = bpf_link__fd(link);
  if (prog == skel_->progs.ss_iter_udp) iter_udp_ = bpf_link__fd(link);
  if (prog == skel_->progs.ss_iter_files) iter_files_ = bpf_link__fd(link);
  return true;
}

void BpfObject::detach(size_t i) {
  if (links_[i]) bpf_link__destroy(links_[i]);
  links_[i] = nullptr;
  probes_[i].attached = false;
}

// The default tier's lifecycle: the cgroup socket hooks on the root of the
// cgroup v2 hierarchy, through links (a cgroup link always attaches as
// BPF_F_ALLOW_MULTI, next to any other program there). Where they cannot
// attach, or attach but never run, the syscall hooks stand in for them.
void BpfObject::attach_cgroup_lifecycle(bool wanted) {
  std::vector<size_t> cg;
  for (size_t i = 0; i < probes_.size(); ++i)
    if (is_cgroup_section(probes_[i].target)) cg.push_back(i);
  if (!wanted) {
    for (size_t i : cg) {
      if (!probes_[i].reason.empty()) continue;
      probes_[i].off = true;
      probes_[i].reason = "--detail syscalls reports these calls with their fds";
    }
    return;
  }
  std::string why;
  std::string root = cgroup2_root(why);
  if (!root.empty()) {
    cgroup_fd_ = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_fd_ < 0) why = fmt::format("opening the cgroup v2 root {} failed: {}", root, std::strerror(errno));
  }
  bool all = cgroup_fd_ >= 0;
  for (size_t i : cg) {
    if (!all) break;
    // every hook of the set, or none: a socket created unseen but released
    // seen (or the reverse) would be half a lifecycle
    if (!probes_[i].reason.empty() || !attach(i)) {
      why = fmt::format("{} ({}): {}", probes_[i].program, probes_[i].target, probes_[i].reason);
      all = false;
    }
  }
  if (all && !cgroup_hooks_run()) {
    all = false;
    why = "cgroup v2 socket matching is off on this host (a net_cls or net_prio v1 hierarchy is in use), "
          "so the cgroup socket hooks never run";
  }
  cgroup_lifecycle_ = all;
  skel_->bss->cgroup_lifecycle_on = all;  // the state hook's listen record goes with them
  if (all) return;
  for (size_t i : cg) {
    detach(i);
    if (probes_[i].reason.empty()) probes_[i].reason = why;
  }
  syscalls_fallback_ = true;
  cgroup_note_ = fmt::format("socket lifecycle from the syscall hooks instead of the cgroup socket hooks: {}", why);
}

// One socket made by sockscope itself must be seen by cgroup/sock_create
// (which counts it and reports nothing).
bool BpfObject::cgroup_hooks_run() {
  skel_->bss->canary_seen = 0;
  skel_->bss->canary_tgid = uint32_t(getpid());
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) close(fd);
  bool seen = skel_->bss->canary_seen > 0;
  skel_->bss->canary_tgid = 0;
  return fd < 0 || seen;  // no socket at all: nothing to conclude
}

std::string BpfObject::set_tier(Tier t, bool on) {
  if (t == Tier::Default) return "the default tier is always on";
  std::string err;
  for (size_t i = 0; i < probes_.size(); ++i) {
    ProbeStatus& p = probes_[i];
    if (p.tier != tier_name(t)) continue;
    if (!bpf_program__autoload(progs_[i])) {
      // never loaded (its reason says why): reported as missing while
      // its tier is on, counted with the tier while it is off
      p.off = !on;
      continue;
    }
    if (on) {
      if (!attach(i)) err = fmt::format("{} ({}): {}", p.program, p.target, p.reason);
    } else if (!(t == Tier::Syscalls && syscalls_fallback_)) {
      detach(i);
      p.off = true;
    }
  }
  if (t == Tier::Packets) skel_->bss->packets_on = tier_on(Tier::Packets);
  return err;
}

bool BpfObject::tier_on(Tier t) const {
  for (size_t i = 0; i < probes_.size(); ++i)
    if (probes_[i].tier == tier_name(t) && links_[i]) return true;
  return false;
}

void BpfObject::set_pass_tw_brief(uint32_t ms_left) { skel_->bss->iter_tw_brief_ms = ms_left; }

void BpfObject::set_detail_pid(uint32_t pid) { skel_->bss->detail_tgid = pid; }
uint32_t BpfObject::detail_pid() const { return skel_->bss->detail_tgid; }

BpfObject::~BpfObject() { release(); }

void BpfObject::release() {
  for (auto*& l : links_) {
    if (l) bpf_link__destroy(l);
    l = nullptr;
  }
  iter_tcp_ = iter_udp_ = iter_files_ = -1;
  if (cgroup_fd_ >= 0) close(cgroup_fd_);
  cgroup_fd_ = -1;
  if (skel_) sockscope_bpf__destroy(skel_);
  skel_ = nullptr;
}

int BpfObject::events_fd() const { return bpf_map__fd(skel_->maps.events); }
int BpfObject::stats_fd() const { return bpf_map__fd(skel_->maps.sock_stats); }
int BpfObject::lost_fd() const { return bpf_map__fd(skel_->maps.lost_counts); }
int BpfObject::sock_drops_fd() const { return bpf_map__fd(skel_->maps.sock_drops); }
int BpfObject::sock_journey_fd() const { return bpf_map__fd(skel_->maps.sock_journey); }
int BpfObject::dev_stats_fd() const { return bpf_map__fd(skel_->maps.dev_stats); }
int BpfObject::dev_names_fd() const { return bpf_map__fd(skel_->maps.dev_names); }
int BpfObject::dev_drops_fd() const { return bpf_map__fd(skel_->maps.dev_drops); }

uint64_t BpfObject::skipped_runs() const {
  uint64_t n = 0;
  // every loaded program, attached now or not: a total that fell when a
  // tier is switched off would hide later misses
  for (size_t i = 0; i < progs_.size(); ++i) {
    if (!bpf_program__autoload(progs_[i])) continue;
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(progs_[i]), &info, &len) == 0) n += info.recursion_misses;
  }
  return n;
}

size_t BpfObject::attached_count() const {
  size_t n = 0;
  for (const auto& p : probes_) n += p.attached;
  return n;
}

std::string probe_report(const std::vector<ProbeStatus>& probes) {
  std::string out;
  size_t ok = 0, wanted = 0;
  std::map<std::string, size_t> off;      // detail tier -> probes not attached because it is off
  std::map<std::string, size_t> missing;  // of those, the ones this kernel cannot run
  for (const auto& p : probes) {
    if (p.off && !p.attached) {
      if (p.tier != tier_name(Tier::Default)) {
        ++off[p.tier];
        if (!p.reason.empty()) ++missing[p.tier];
      }
      continue;
    }
    ++wanted;
    if (p.attached) {
      ++ok;
      continue;
    }
    out += fmt::format("sockscope: probe {} ({}) not attached: {}\n", p.program, p.target, p.reason);
  }
  std::string tiers;
  for (const auto& [tier, n] : off)
    tiers += fmt::format("{}{} ({} probes{})", tiers.empty() ? "" : ", ", tier, n,
                         missing[tier] ? fmt::format(", {} not on this kernel", missing[tier]) : "");
  out += fmt::format("sockscope: {} of {} probes attached{}\n", ok, wanted,
                     tiers.empty() ? "" : fmt::format("; detail off: {} (add with --detail)", tiers));
  return out;
}

}  // namespace sockscope
