// Socket filters shared by every command, spelled like ss's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "socket.h"

namespace sockscope {

struct Filter {
  std::vector<uint32_t> pids;     // -p/--pid
  std::vector<std::string> comms; // --comm (exact)
  std::vector<uint16_t> ports;    // --port: local or remote
  std::vector<TcpState> states;   // --state
  bool v4 = false, v6 = false;    // -4 / -6: none set means both
  bool tcp = false, udp = false;  // -t / -u: none set means both

  bool matches(const Socket& s) const;
  // A record about a packet that reached no socket (a drop, a reset sent):
  // its addresses can match; an owner or state filter never does.
  bool matches_packet(const SockId& id) const;
  bool empty() const;
};

}  // namespace sockscope
