#include "source/kernel/iter_pass.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include <fmt/format.h>


namespace sockscope {
namespace {

uint32_t ns_inum(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? uint32_t(st.st_ino) : 0;
}

void add_dir(const char* dir, const std::string& suffix, bool numeric, std::set<uint32_t>& seen,
             std::vector<Netns>& out) {
  DIR* d = opendir(dir);
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (numeric && (e->d_name[0] < '0' || e->d_name[0] > '9')) continue;
    std::string path = fmt::format("{}/{}{}", dir, e->d_name, suffix);
    uint32_t inum = ns_inum(path);
    if (inum && seen.insert(inum).second) out.push_back({inum, path});
  }
  closedir(d);
}

// Reads an iterator fd to its end. The kernel writes whole records only:
// one that does not fit is written again at the next read.
// Reads straight into out, which keeps its capacity from pass to pass.
bool read_all(int fd, ByteBuffer& out, std::string& err, const std::function<void()>& between) {
  constexpr size_t kChunk = 64 * 1024;
  constexpr size_t kChunksBetween = 16;  // 1 MiB of records, a few ms
  for (size_t chunks = 1;; ++chunks) {
    if (between && chunks % kChunksBetween == 0) between();
    size_t have = out.size();
    out.resize(have + kChunk);
    ssize_t n = read(fd, out.data() + have, kChunk);
    out.resize(have + size_t(std::max<ssize_t>(n, 0)));
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      err = fmt::format("reading the iterator failed: {}", std::strerror(errno));
      return false;
    }
  }
}

}  // namespace

std::vector<Netns> list_netns() {
  std::vector<Netns> out;
  std::set<uint32_t> seen;
  const std::string self = "/proc/self/ns/net";
  if (uint32_t inum = ns_inum(self)) {
    seen.insert(inum);
    out.push_back({inum, self});
  }
  add_dir("/run/netns", "", false, seen, out);
  add_dir("/proc", "/ns/net", true, seen, out);
  return out;
}

IterRunner::IterRunner() {
  home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_ < 0) throw std::runtime_error(fmt::format("opening this thread's network namespace failed: {}",
                                                      std::strerror(errno)));
}

IterRunner::~IterRunner() {
  if (home_ >= 0) close(home_);
}

int make_in_netns(int home, const Netns* ns, const std::function<int()>& make, std::string& err, bool& gone) {
  gone = false;
  if (!ns) return make();
  int nsfd = open(ns->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (nsfd < 0 || ns_inum(fmt::format("/proc/self/fd/{}", nsfd)) != ns->inum) {
    if (nsfd >= 0) close(nsfd);
    gone = true;
    return -1;
  }
  if (setns(nsfd, CLONE_NEWNET) != 0) {
    err = fmt::format("entering network namespace {} failed: {}", ns->path, std::strerror(errno));
    close(nsfd);
    return -1;
  }
  close(nsfd);
  int fd = make();
  int saved = errno;
  if (setns(home, CLONE_NEWNET) != 0)
    throw std::runtime_error(fmt::format("returning to sockscope's network namespace failed: {}",
                                         std::strerror(errno)));
  errno = saved;
  return fd;
}

bool IterRunner::run(int link_fd, const Netns* ns, ByteBuffer& out, std::string& err,
                     const std::function<void()>& between) {
  bool gone = false;
  int iter = make_in_netns(home_, ns, [&] { return bpf_iter_create(link_fd); }, err, gone);
  if (gone) {
    err = fmt::format("network namespace {} went away", ns->path);
    return false;
  }
  if (iter < 0 && !err.empty()) return false;
  if (iter < 0) {
    err = fmt::format("creating an iterator failed: {}", std::strerror(errno));
    return false;
  }
  bool ok = read_all(iter, out, err, between);
  close(iter);
  return ok;
}

}  // namespace sockscope
