#include "source/kernel/probe_targets.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <glob.h>
#include <unistd.h>

#include <set>

#include <fmt/format.h>

#include "source/kernel/preflight.h"

namespace sockscope {
namespace {

bool has_btf_tracepoint(const btf* vmlinux, const std::string& name) {
  return btf__find_by_name_kind(vmlinux, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF) >= 0;
}

// The arguments each tp_btf probe needs at least; later ones (kfree_skb's
// rx_sk, 6.12; tcp_retransmit_skb's err, 6.13; tcp_send_reset's reason,
// 6.10; udp_fail_queue_rcv_skb's skb) are read only where the tracepoint
// has them (kernel_features, bpf/lib/config.bpf.h). A program that
// reads past its tracepoint's arguments loads but cannot attach, so a
// kernel with fewer than these gets the probe turned off and reported.
struct ArgsNeeded {
  const char* tracepoint;
  int args;
};
constexpr ArgsNeeded kArgsNeeded[] = {
    {"kfree_skb", 3},  // reason, Linux 5.17
    {"tcp_retransmit_skb", 2},
    {"tcp_send_reset", 2},
    {"udp_fail_queue_rcv_skb", 2},
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

// The attach type a cgroup section needs (enum bpf_attach_type), and the
// kernel that added it.
struct CgroupHook {
  const char* section;
  const char* attach_type;
  const char* since;
};
constexpr CgroupHook kCgroupHooks[] = {
    {"cgroup/sock_create", "BPF_CGROUP_INET_SOCK_CREATE", "4.10"},
    {"cgroup/sock_release", "BPF_CGROUP_INET_SOCK_RELEASE", "5.9"},
    {"cgroup/post_bind4", "BPF_CGROUP_INET4_POST_BIND", "4.17"},
    {"cgroup/post_bind6", "BPF_CGROUP_INET6_POST_BIND", "4.17"},
    {"cgroup/connect4", "BPF_CGROUP_INET4_CONNECT", "4.17"},
    {"cgroup/connect6", "BPF_CGROUP_INET6_CONNECT", "4.17"},
    {"cgroup/setsockopt", "BPF_CGROUP_SETSOCKOPT", "5.3"},
};

// Whether the kernel's enum bpf_attach_type names this value.
bool has_attach_type(const btf* vmlinux, const char* name) {
  int id = btf__find_by_name_kind(vmlinux, "bpf_attach_type", BTF_KIND_ENUM);
  const btf_type* t = id < 0 ? nullptr : btf__type_by_id(vmlinux, id);
  if (!t) return false;
  const struct btf_enum* e = btf_enum(t);
  for (int i = 0; i < btf_vlen(t); ++i, ++e)
    if (const char* n = btf__name_by_offset(vmlinux, e->name_off); n && std::string(n) == name) return true;
  return false;
}

}  // namespace

// Why this kernel cannot run a program, or "" when it can.
std::string missing_target(const std::string& section, const btf* vmlinux) {
  for (const auto& hook : kCgroupHooks) {
    if (section != hook.section) continue;
    if (!vmlinux) return "kernel BTF could not be read";
    if (!has_attach_type(vmlinux, hook.attach_type))
      return fmt::format("this kernel has no {} hook (Linux {} and later)", section, hook.since);
    return "";
  }
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
  if (kind == "iter") {
    // an iterator target exists where the kernel declares its context
    if (!vmlinux) return "kernel BTF could not be read";
    if (btf__find_by_name_kind(vmlinux, ("bpf_iter__" + name).c_str(), BTF_KIND_STRUCT) < 0)
      return fmt::format("this kernel has no {} iterator", name);
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
  if (auto p = s.find("sys_enter"); p != std::string::npos) return s.replace(p, 9, "sys_exit");
  if (auto p = s.find("sys_exit"); p != std::string::npos) return s.replace(p, 8, "sys_enter");
  return "";
}


std::vector<std::string> skip_reasons(const std::vector<std::string>& sections) {
  btf* vmlinux = btf__load_vmlinux_btf();
  if (libbpf_get_error(vmlinux)) vmlinux = nullptr;
  std::vector<std::string> why;
  std::set<std::string> missing;
  for (const auto& s : sections) {
    why.push_back(missing_target(s, vmlinux));
    if (!why.back().empty()) missing.insert(s);
  }
  btf__free(vmlinux);
  for (size_t i = 0; i < sections.size(); ++i)
    if (auto other = pair_of(sections[i]); why[i].empty() && !other.empty() && missing.count(other))
      why[i] = fmt::format("its pair {} is missing", other);
  return why;
}

KernelFeatures kernel_features() {
  KernelFeatures f;
  btf* vmlinux = btf__load_vmlinux_btf();
  if (libbpf_get_error(vmlinux)) return f;
  f.rdonly_cast = btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) >= 0;
  f.kfree_skb_rx_sk = btf_tracepoint_args(vmlinux, "kfree_skb") >= 4;
  f.udp_fail_skb = btf_tracepoint_args(vmlinux, "udp_fail_queue_rcv_skb") >= 3;
  f.retransmit_err = btf_tracepoint_args(vmlinux, "tcp_retransmit_skb") >= 3;
  f.send_reset_reason = btf_tracepoint_args(vmlinux, "tcp_send_reset") >= 3;
  f.reset_tp_no_socket = btf__find_by_name_kind(vmlinux, "trace_event_raw_tcp_send_reset", BTF_KIND_STRUCT) >= 0;
  btf__free(vmlinux);
  return f;
}

}  // namespace sockscope
