// ss's filter language (ss(8): FILTER := [ state STATE-FILTER ] [ EXPRESSION ])
// as a tree the model evaluates against each socket. The parser is in
// model/ss_filter_parse.h; this file holds what a parsed filter means.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/event.h"

namespace sockscope {

// One bit per TcpState value: which states a filter lets through.
using StateSet = uint32_t;
inline constexpr StateSet state_bit(TcpState s) { return StateSet{1} << static_cast<unsigned>(s); }
inline constexpr StateSet kAllStates = (StateSet{1} << (kTcpStateMax + 1)) - 1;

// The operand of dst/src (an address or prefix, and a port) and of
// dport/sport (a port). As in ss, a family-less operand matches both
// families, and an IPv4 one also matches an IPv4-mapped IPv6 socket.
struct HostMatch {
  uint16_t family = 0;  // kAfInet, kAfInet6; 0: any family
  std::array<uint8_t, 16> addr{};
  uint8_t prefix_len = 0;  // leading bits compared; 0: any address (of the family, if one)
  // false: only a family was given (`src inet6:*`), which selects the
  // sockets of that family, as ss then lists only those
  bool addr_given = false;
  int32_t port = -1;       // -1: any port ('*')
};

// What dev and cgroup compare, from the kernel's reads of a socket; a
// packet that reached no socket has none, and matches neither.
struct SockBinding {
  uint32_t bound_dev_if = 0;  // 0: not bound to a device
  uint64_t cgroup_id = 0;     // 0: unknown
};

// dport/sport comparisons; dst/src always compare with Eq.
enum class PortOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

struct FilterNode {
  enum class Kind : uint8_t {
    And, Or, Not,  // kids: two, two, one
    Host,          // dst/src HOST
    Port,          // dport/sport OP PORT
    // dev: the device a socket is bound to; cgroup: the cgroup v2 it was
    // made in (value: the ifindex or cgroup id, which the command line
    // resolves from the name or path, as ss does on its host). The model
    // has no socket marks and does not know whether a port was chosen by
    // the kernel: first_unsupported() refuses fwmark and autobound.
    Dev, Cgroup, Fwmark, Autobound,
  };
  Kind kind = Kind::And;
  size_t pos = 0;        // where the term starts in the filter's text (for errors)
  bool remote = false;   // Host/Port: dst/dport (the peer's end); else src/sport (ours)
  HostMatch host;        // Host; Port: host.port and host.family (an inet:/inet6: prefix)
  PortOp op = PortOp::Eq;
  std::string arg;       // Dev/Cgroup/Fwmark: the operand as written
  uint64_t value = 0;    // Dev: the ifindex; Cgroup: the cgroup id (0: not resolved, matches nothing)
  std::vector<FilterNode> kids;
};

// A whole parsed filter: ss's leading `state`/`exclude` words and the
// expression after them, AND-combined.
struct SsFilter {
  std::string text;  // as given, the words joined by single spaces
  StateSet states = kAllStates;
  std::optional<FilterNode> expr;  // none: every socket

  bool matches(const SockId& id, TcpState state, const SockBinding* b = nullptr) const;
  // The expression alone, for a packet that reached no socket: it has
  // addresses and ports but no state.
  bool matches_addresses(const SockId& id) const;
  bool restricts_state() const { return states != kAllStates; }
};

bool node_matches(const FilterNode& n, const SockId& id, const SockBinding* b = nullptr);

// A port every matching socket has at one of its ends (local or remote),
// when the filter implies one: what the kernel-side scope (detail_port)
// can take. nullopt when the filter admits sockets on more than one port.
std::optional<uint16_t> implied_port(const SsFilter& f);

// The first term the model cannot evaluate (dev, cgroup, fwmark,
// autobound), or nullptr.
const FilterNode* first_unsupported(const FilterNode& n);

}  // namespace sockscope
