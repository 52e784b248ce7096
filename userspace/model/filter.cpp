#include "model/filter.h"

#include <algorithm>

namespace sockscope {

template <class C, class T>
static bool any_of(const C& c, const T& x) {
  return c.empty() || std::find(c.begin(), c.end(), x) != c.end();
}

bool Filter::empty() const {
  return pids.empty() && comms.empty() && ports.empty() && states.empty() && !v4 && !v6 && !tcp && !udp &&
         !ss;
}

bool Filter::matches(const Socket& s) const {
  if ((v4 || v6) && !((v4 && s.id.family == kAfInet) || (v6 && s.id.family == kAfInet6))) return false;
  if ((tcp || udp) && !((tcp && s.id.protocol == kProtoTcp) || (udp && s.id.protocol == kProtoUdp)))
    return false;
  if (!any_of(pids, s.owner.pid)) return false;
  if (!comms.empty() && !any_of(comms, std::string(comm_view(s.owner.comm)))) return false;
  if (!ports.empty() && !any_of(ports, s.id.local.port) && !any_of(ports, s.id.remote.port)) return false;
  if (!any_of(states, s.state)) return false;
  const SockBinding b{s.bound_dev_if, s.cgroup_id};
  return !ss || ss->matches(s.id, s.state, &b);
}

bool Filter::matches_packet(const SockId& id) const {
  if (!pids.empty() || !comms.empty() || !states.empty()) return false;
  // a packet has no state: a filter of states never admits it, and without
  // one the expression sees state Unknown, which every state set holds
  if (ss && ss->restricts_state()) return false;
  Socket s;
  s.id = id;
  return matches(s);
}

const SockId* packet_sock(const Event& e) {
  if (auto* x = std::get_if<Drop>(&e); x && x->from_packet) return &x->sock;
  if (auto* x = std::get_if<TcpEvent>(&e); x && x->from_packet) return &x->sock;
  return nullptr;
}

bool filter_admits(const Filter* f, const Event& e, const Socket* s) {
  if (!f || f->empty()) return true;
  if (s) return f->matches(*s);
  const SockId* packet = packet_sock(e);
  return packet && f->matches_packet(*packet);
}

}  // namespace sockscope
