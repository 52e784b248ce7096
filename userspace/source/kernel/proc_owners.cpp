// /proc walk with *at() calls on directory fds: no path strings are built per
// fd, and a process that exits mid-walk just makes one call fail (ENOENT,
// ESRCH), which we take as "skip it".
#include "source/kernel/proc_owners.h"

#include "util/fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace sockscope {
namespace {

struct Dir {
  DIR* d = nullptr;
  explicit Dir(DIR* p) : d(p) {}
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  ~Dir() {
    if (d) ::closedir(d);
  }
};

// A whole string of decimal digits that fits T; anything else is not ours.
template <typename T>
std::optional<T> parse_number(std::string_view s) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "socket:[12345]" -> 12345
std::optional<uint32_t> socket_inode(std::string_view link) {
  constexpr std::string_view prefix = "socket:[";
  if (link.size() < prefix.size() + 2 || !link.starts_with(prefix) || link.back() != ']')
    return std::nullopt;
  return parse_number<uint32_t>(link.substr(prefix.size(), link.size() - prefix.size() - 1));
}

Comm read_comm(int pid_dir) {
  Comm comm{};
  Fd f(::openat(pid_dir, "comm", O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return comm;
  char buf[64];
  ssize_t n;
  do {
    n = ::read(f.fd, buf, sizeof(buf));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return comm;
  std::string_view s(buf, static_cast<size_t>(n));
  s = s.substr(0, s.find('\n'));
  // Keep a terminating NUL, as the kernel's 16-byte comm has.
  std::memcpy(comm.data(), s.data(), std::min(s.size(), comm.size() - 1));
  return comm;
}

bool better(const SocketOwner& a, const SocketOwner& b) {
  return a.pid != b.pid ? a.pid < b.pid : a.fd < b.fd;
}

void scan_process(int proc_dir, const char* pid_name, uint32_t pid,
                  std::unordered_map<uint32_t, SocketOwner>& owners) {
  Fd pid_dir(::openat(proc_dir, pid_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (pid_dir.fd < 0) return;
  const int fd_dir_fd = ::openat(pid_dir.fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_dir_fd < 0) return;  // gone, or not ours to look at (EACCES)
  Dir fd_dir(::fdopendir(fd_dir_fd));
  if (!fd_dir.d) {
    ::close(fd_dir_fd);
    return;
  }

  std::optional<Comm> comm;  // read once, and only for processes that own a socket
  char link[64];             // "socket:[4294967295]" fits; longer targets are not sockets
  while (const dirent* e = ::readdir(fd_dir.d)) {
    if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;  // ".", ".."
    const auto fd = parse_number<int32_t>(e->d_name);
    if (!fd) continue;
    const ssize_t n = ::readlinkat(::dirfd(fd_dir.d), e->d_name, link, sizeof(link));
    if (n <= 0 || static_cast<size_t>(n) >= sizeof(link)) continue;  // closed meanwhile, or long
    const auto inode = socket_inode(std::string_view(link, static_cast<size_t>(n)));
    if (!inode) continue;

    SocketOwner cand{pid, *fd, {}};
    auto it = owners.find(*inode);
    if (it != owners.end() && !better(cand, it->second)) continue;
    if (!comm) comm = read_comm(pid_dir.fd);
    cand.comm = *comm;
    owners.insert_or_assign(*inode, cand);
  }
}

}  // namespace

std::unordered_map<uint32_t, SocketOwner> scan_socket_owners(const std::string& proc_root) {
  Fd proc(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (proc.fd < 0) {
    throw std::runtime_error("cannot open " + proc_root + ": " + std::strerror(errno) +
                             " (is procfs mounted?); socket owners are unknown");
  }
  // fdopendir takes over a descriptor; give it a copy so `proc` stays usable for openat.
  const int list_fd = ::dup(proc.fd);
  Dir list(list_fd >= 0 ? ::fdopendir(list_fd) : nullptr);
  if (!list.d) {
    const int err = errno;
    if (list_fd >= 0) ::close(list_fd);
    throw std::runtime_error("cannot list " + proc_root + ": " + std::strerror(err));
  }

  std::unordered_map<uint32_t, SocketOwner> owners;
  while (const dirent* e = ::readdir(list.d)) {
    if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
    const auto pid = parse_number<uint32_t>(e->d_name);
    if (!pid) continue;  // "self", "net", "sys", ...
    scan_process(proc.fd, e->d_name, *pid, owners);
  }
  return owners;
}

}  // namespace sockscope
