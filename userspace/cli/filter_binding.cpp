#include "cli/filter_binding.h"

#include <fcntl.h>
#include <net/if.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "model/ss_filter_parse.h"
#include "source/kernel/cgroup_root.h"

namespace sockscope {

namespace {

// A number is an ifindex, as ss takes it; else a name in this network
// namespace.
uint64_t device_index(const FilterNode& n) {
  uint32_t index = 0;
  const char* end = n.arg.data() + n.arg.size();
  if (auto [p, ec] = std::from_chars(n.arg.data(), end, index); ec == std::errc() && p == end && index) return index;
  if (unsigned i = if_nametoindex(n.arg.c_str())) return i;
  throw FilterError(n.pos, fmt::format("no device '{}' here (ip link lists them; a number is taken as an ifindex)",
                                       n.arg));
}

// The cgroup's id, as the kernel gives it in a file handle: what the
// socket keeps (and ss compares). PATH is under the cgroup v2 root, as in
// /proc/PID/cgroup.
uint64_t cgroup_id(const FilterNode& n) {
  std::string why;
  std::string root = cgroup2_root(why);
  if (root.empty()) throw FilterError(n.pos, fmt::format("'cgroup' needs cgroup v2: {}", why));
  std::string path = root + (n.arg.starts_with("/") ? "" : "/") + n.arg;
  alignas(file_handle) unsigned char buf[sizeof(file_handle) + sizeof(uint64_t)] = {};
  auto* fh = reinterpret_cast<file_handle*>(buf);
  fh->handle_bytes = sizeof(uint64_t);
  int mount_id = 0;
  errno = 0;
  if (name_to_handle_at(AT_FDCWD, path.c_str(), fh, &mount_id, 0) != 0 || fh->handle_bytes != sizeof(uint64_t))
    throw FilterError(n.pos, fmt::format("no cgroup '{}' under {} ({}): give the path /proc/PID/cgroup shows",
                                         n.arg, root, errno ? std::strerror(errno) : "not a cgroup"));
  uint64_t id = 0;
  std::memcpy(&id, buf + sizeof(file_handle), sizeof(id));
  return id;
}

}  // namespace

void resolve_bindings(FilterNode& n) {
  if (n.kind == FilterNode::Kind::Dev) n.value = device_index(n);
  if (n.kind == FilterNode::Kind::Cgroup) n.value = cgroup_id(n);
  for (auto& k : n.kids) resolve_bindings(k);
}

}  // namespace sockscope
