#include "bpf_loader.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <glob.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "../util/user_error.h"
#include "preflight.h"
#include "sockscope.skel.h"

namespace sockscope {
namespace {

// libbpf's messages are kept, not printed: they are shown only when
// loading fails, as the tail of the verifier's log.
std::string g_libbpf_log;

int keep_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[1024];
  int n = vsnprintf(buf, sizeof(buf), fmt, args);
  g_libbpf_log += buf;
  if (g_libbpf_log.size() > 64 * 1024) g_libbpf_log.erase(0, g_libbpf_log.size() - 32 * 1024);
  return n;
}

bool has_btf_tracepoint(const btf* vmlinux, const std::string& name) {
  return btf__find_by_name_kind(vmlinux, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF) >= 0;
}

// tp_btf probes that read an argument their tracepoint gained in a later
// kernel. The verifier refuses the whole object when a program reads past
// the tracepoint's arguments, so on an older kernel such a probe is turned
// off and reported instead (bpf/hooks/drops.bpf.h, tcp_health.bpf.h).
struct ArgsNeeded {
  const char* tracepoint;
  int args;
};
constexpr ArgsNeeded kArgsNeeded[] = {
    {"kfree_skb", 4},               // rx_sk, Linux 6.12
    {"tcp_retransmit_skb", 3},      // err, Linux 6.13
    {"tcp_send_reset", 3},          // reason, Linux 6.10
    {"udp_fail_queue_rcv_skb", 3},  // skb
};

// Arguments of a BTF tracepoint (its btf_trace_ typedef's prototype, less
// the leading context pointer), or -1 if unknown.
int btf_tracepoint_args(const btf* vmlinux, const std::string& name) {
  int id = btf__find_by_name_kind(vmlinux, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF);
  if (id < 0) return -1;
  const btf_type* t = btf__type_by_id(vmlinux, btf__resolve_type(vmlinux, id));
  if (!t || !btf_is_ptr(t)) return -1;
  t = btf__type_by_id(vmlinux, t->type);
  if (!t || !btf_is_func_proto(t)) return -1;
  return btf_vlen(t) - 1;
}

// A tracepoint of any category, for raw tracepoints (named without one).
bool has_tracefs_event(const std::string& name) {
  glob_t g{};
  bool found = glob(fmt::format("{}/events/*/{}", tracefs_root(), name).c_str(), GLOB_NOSORT, nullptr, &g) == 0 &&
               g.gl_pathc > 0;
  globfree(&g);
  return found;
}

// Why this kernel cannot run a program, or "" when it can.
std::string missing_target(const std::string& section, const btf* vmlinux) {
  auto slash = section.find('/');
  if (slash == std::string::npos) return "";
  std::string kind = section.substr(0, slash), name = section.substr(slash + 1);
  if (kind == "tp_btf") {
    if (!vmlinux) return "kernel BTF could not be read";
    if (!has_btf_tracepoint(vmlinux, name)) return fmt::format("this kernel has no tracepoint {}", name);
    for (const auto& need : kArgsNeeded) {
      int have = btf_tracepoint_args(vmlinux, name);
      if (name == need.tracepoint && have >= 0 && have < need.args)
        return fmt::format("this kernel's tracepoint {} has {} arguments, the probe reads {} (a newer kernel)",
                           name, have, need.args);
    }
    return "";
  }
  if (kind == "tracepoint" || kind == "tp") {
    std::string path = fmt::format("{}/events/{}", tracefs_root(), name);
    if (access(path.c_str(), F_OK) != 0) return fmt::format("this kernel has no tracepoint {}", name);
    return "";
  }
  if (kind == "raw_tp" || kind == "raw_tracepoint") {
    // a module's tracepoint is not in vmlinux BTF but shows in tracefs
    if ((vmlinux && has_btf_tracepoint(vmlinux, name)) || has_tracefs_event(name)) return "";
    return fmt::format("this kernel has no tracepoint {}", name);
  }
  return "";
}

// syscalls' entry and exit programs only make sense as a pair.
std::string pair_of(const std::string& section) {
  std::string s = section;
  if (auto p = s.find("sys_enter_"); p != std::string::npos) return s.replace(p, 9, "sys_exit");
  if (auto p = s.find("sys_exit_"); p != std::string::npos) return s.replace(p, 8, "sys_enter");
  return "";
}

std::string load_error(int err) {
  // EPERM: not allowed to load at all. (EACCES is the verifier's refusal,
  // reported below with its log.)
  if (err == -EPERM)
    return "the kernel refused to load sockscope's BPF programs (permission denied): run as root, "
           "and check that kernel.unprivileged_bpf_disabled or a security module does not block BPF";
  std::string tail = g_libbpf_log.size() > 2000 ? g_libbpf_log.substr(g_libbpf_log.size() - 2000) : g_libbpf_log;
  return fmt::format("loading sockscope's BPF programs failed ({}). libbpf said:\n{}", std::strerror(-err), tail);
}

}  // namespace

BpfObject::BpfObject(const LoaderOptions& opts) {
  libbpf_set_print(keep_libbpf_log);
  skel_ = sockscope_bpf__open();
  if (!skel_) throw UserError(fmt::format("opening the BPF object failed: {}", std::strerror(errno)));

  skel_->rodata->cfg_wakeup_bytes = opts.wakeup_bytes;
  skel_->rodata->cfg_sample_interval_ns = opts.sample_interval_ns;
  skel_->rodata->cfg_detail_calls = opts.detail_calls;
  skel_->rodata->cfg_journey = opts.journey;
  skel_->rodata->cfg_metrics_interval_ns = opts.metrics_interval_ns;
  bpf_map__set_max_entries(skel_->maps.events, opts.ringbuf_bytes);
  bpf_map__set_max_entries(skel_->maps.sock_stats, opts.stats_entries);

  btf* vmlinux = btf__load_vmlinux_btf();
  if (libbpf_get_error(vmlinux)) vmlinux = nullptr;
  std::map<std::string, std::string> missing;  // section -> reason
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    std::string sec = bpf_program__section_name(prog);
    if (auto why = missing_target(sec, vmlinux); !why.empty()) missing[sec] = why;
  }
  bpf_object__for_each_program(prog, skel_->obj) {
    std::string sec = bpf_program__section_name(prog);
    std::string why = missing.count(sec) ? missing[sec] : "";
    if (auto other = pair_of(sec); why.empty() && !other.empty() && missing.count(other))
      why = fmt::format("its pair {} is missing", other);
    probes_.push_back({bpf_program__name(prog), sec, false, why});
    if (!why.empty()) bpf_program__set_autoload(prog, false);
  }
  btf__free(vmlinux);

  if (int err = sockscope_bpf__load(skel_); err) {
    sockscope_bpf__destroy(skel_);
    skel_ = nullptr;
    throw UserError(load_error(err));
  }

  size_t i = 0;
  bpf_object__for_each_program(prog, skel_->obj) {
    ProbeStatus& p = probes_[i++];
    if (!p.reason.empty()) continue;
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      p.reason = fmt::format("attach failed: {}", std::strerror(errno));
      continue;
    }
    links_.push_back(link);
    p.attached = true;
  }
  if (attached_count() == 0) {
    std::string report = probe_report(probes_);
    release();
    throw UserError("no probe could be attached:\n" + report);
  }
}

BpfObject::~BpfObject() { release(); }

void BpfObject::release() {
  for (auto* l : links_) bpf_link__destroy(l);
  links_.clear();
  if (skel_) sockscope_bpf__destroy(skel_);
  skel_ = nullptr;
}

int BpfObject::events_fd() const { return bpf_map__fd(skel_->maps.events); }
int BpfObject::stats_fd() const { return bpf_map__fd(skel_->maps.sock_stats); }
int BpfObject::lost_fd() const { return bpf_map__fd(skel_->maps.lost_counts); }
int BpfObject::inflight_fd() const { return bpf_map__fd(skel_->maps.inflight_calls); }
int BpfObject::sock_drops_fd() const { return bpf_map__fd(skel_->maps.sock_drops); }
int BpfObject::sock_journey_fd() const { return bpf_map__fd(skel_->maps.sock_journey); }
int BpfObject::dev_stats_fd() const { return bpf_map__fd(skel_->maps.dev_stats); }
int BpfObject::dev_names_fd() const { return bpf_map__fd(skel_->maps.dev_names); }
int BpfObject::dev_drops_fd() const { return bpf_map__fd(skel_->maps.dev_drops); }

size_t BpfObject::attached_count() const {
  size_t n = 0;
  for (const auto& p : probes_) n += p.attached;
  return n;
}

std::string probe_report(const std::vector<ProbeStatus>& probes) {
  std::string out;
  size_t ok = 0;
  for (const auto& p : probes) {
    if (p.attached) {
      ++ok;
      continue;
    }
    out += fmt::format("sockscope: probe {} ({}) not attached: {}\n", p.program, p.target, p.reason);
  }
  out += fmt::format("sockscope: {} of {} probes attached\n", ok, probes.size());
  return out;
}

}  // namespace sockscope
