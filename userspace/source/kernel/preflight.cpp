#include "source/kernel/preflight.h"

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/user_error.h"

namespace sockscope {
namespace {

constexpr const char* kTracefs = "/sys/kernel/tracing";
constexpr const char* kDebugTracefs = "/sys/kernel/debug/tracing";

bool has_cap(int cap) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) return false;
  return data[cap / 32].effective & (1u << (cap % 32));
}

bool exists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

}  // namespace

const char* tracefs_root() {
  // libbpf prefers the debugfs path when it exists; so do we.
  if (exists(fmt::format("{}/events", kDebugTracefs))) return kDebugTracefs;
  return kTracefs;
}

void preflight_live() {
  if (geteuid() != 0 && !(has_cap(CAP_BPF) && has_cap(CAP_PERFMON)))
    throw UserError(
        "tracing sockets needs root: run it with sudo (or grant CAP_BPF and CAP_PERFMON).");
  if (!exists("/sys/kernel/btf/vmlinux"))
    throw UserError(
        "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): sockscope needs a kernel "
        "built with CONFIG_DEBUG_INFO_BTF=y, as Debian, Ubuntu and Fedora kernels are.");
  if (exists(fmt::format("{}/events", tracefs_root()))) return;
  if (mount("tracefs", kTracefs, "tracefs", 0, nullptr) != 0)
    throw UserError(fmt::format(
        "tracefs is not mounted and mounting it at {} failed ({}): run 'mount -t tracefs tracefs {}'",
        kTracefs, std::strerror(errno), kTracefs));
}

}  // namespace sockscope
