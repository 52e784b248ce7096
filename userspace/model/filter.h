// Socket filters shared by every command, spelled like ss's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/event.h"
#include "model/socket.h"
#include "model/ss_filter.h"

namespace sockscope {

struct Filter {
  std::vector<uint32_t> pids;     // -p/--pid
  std::vector<std::string> comms; // --comm (exact)
  std::vector<uint16_t> ports;    // --port: local or remote
  std::vector<TcpState> states;   // --state
  bool v4 = false, v6 = false;    // -4 / -6: none set means both
  bool tcp = false, udp = false;  // -t / -u: none set means both
  // An ss filter expression (`state established '( dport = :443 )'`, -F),
  // AND-combined with the options above; shared, as filters are copied.
  std::shared_ptr<const SsFilter> ss;

  bool matches(const Socket& s) const;
  // A record about a packet that reached no socket (a drop, a reset sent):
  // its addresses can match; an owner or state filter never does.
  bool matches_packet(const SockId& id) const;
  bool empty() const;
};

// The record's own addresses when they are a packet's, not a socket's
// (from_packet drops and resets); nullptr otherwise.
const SockId* packet_sock(const Event& e);

// Whether the filter lets an event through, as `watch` decides: by the
// socket it touched, or, for a packet that reached no socket, by the
// packet's addresses. A null or empty filter lets everything through.
bool filter_admits(const Filter* f, const Event& e, const Socket* s);

}  // namespace sockscope
