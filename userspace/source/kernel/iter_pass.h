// Runs sockscope's BPF iterators: one pass reads every socket of one kind
// in one network namespace (iter/tcp, iter/udp), or every process's socket
// fds (iter/task_file). An iterator sees the namespace of the thread that
// creates its fd, so a pass in another namespace enters it for that moment.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/byte_buffer.h"

namespace sockscope {

// A network namespace and a path that opens it.
struct Netns {
  uint32_t inum = 0;  // as sockets report it (net->ns.inum)
  std::string path;   // /proc/self/ns/net, /run/netns/NAME or /proc/PID/ns/net
};

// Every network namespace with a process in it or a name in /run/netns,
// sockscope's own first. Cheap: one stat per process.
std::vector<Netns> list_netns();

// An fd that make() opens inside ns (nullptr: where sockscope is), then
// back to home (an fd of sockscope's own namespace): iterators and sockets
// belong to the namespace they were made in. The namespace is held only
// meanwhile, so sockscope never keeps one alive. -1 when ns went away
// (gone set: normal, its last process exited and the pid may be reused),
// when entering it failed (err says why), or when make() failed (errno).
int make_in_netns(int home, const Netns* ns, const std::function<int()>& make, std::string& err, bool& gone);

class IterRunner {
 public:
  // Keeps an fd of the calling thread's namespace, to come back to.
  IterRunner();
  ~IterRunner();
  IterRunner(const IterRunner&) = delete;
  IterRunner& operator=(const IterRunner&) = delete;

  // Runs the iterator of link_fd (in ns; nullptr: where sockscope is) and
  // appends everything it wrote to out. false when the pass did not
  // complete (the namespace went away, the kernel refused); err says why.
  // between, if given, runs every megabyte or so of a long pass (sockscope
  // drains its ring buffer there: a pass over 100,000s of sockets takes
  // long enough for the ring to fill behind it).
  bool run(int link_fd, const Netns* ns, ByteBuffer& out, std::string& err,
           const std::function<void()>& between = {});

 private:
  int home_ = -1;
};

}  // namespace sockscope
