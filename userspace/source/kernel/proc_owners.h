// Which process holds a socket: the inode -> owner map that sock_diag cannot
// give (it reports the socket's inode, not the fds pointing at it).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "model/event.h"

namespace sockscope {

struct SocketOwner {
  uint32_t pid = 0;
  int32_t fd = -1;
  Comm comm{};  // empty if the process exited before its comm was read
};

// Scans <proc_root>/[0-9]*/fd/* for links "socket:[INODE]" and returns
// inode -> the first owner found (lowest pid, then lowest fd, so results are
// deterministic whatever order the directories list in). comm comes from
// <proc_root>/PID/comm. Processes that vanish or deny access mid-scan are
// skipped silently (that is normal on a live host; without root only the
// caller's own processes are visible). Throws std::runtime_error only if
// proc_root itself cannot be opened.
std::unordered_map<uint32_t, SocketOwner> scan_socket_owners(const std::string& proc_root = "/proc");

}  // namespace sockscope
