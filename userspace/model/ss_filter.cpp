#include "model/ss_filter.h"

namespace sockscope {
namespace {

bool prefix_equal(const uint8_t* a, const uint8_t* b, unsigned bits) {
  unsigned whole = bits / 8, rest = bits % 8;
  for (unsigned i = 0; i < whole; ++i)
    if (a[i] != b[i]) return false;
  if (!rest) return true;
  uint8_t mask = static_cast<uint8_t>(0xff00 >> rest);
  return (a[whole] & mask) == (b[whole] & mask);
}

bool v4_mapped(const std::array<uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i]) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

// As the kernel's inet_diag bytecode (INET_DIAG_BC_S_COND/D_COND) decides
// it for ss: port first, then family, then the prefix.
bool host_matches(const HostMatch& h, uint16_t family, const Endpoint& e) {
  if (h.port >= 0 && e.port != h.port) return false;
  if (!h.family) return true;
  if (h.family != family) {
    // an IPv4 address also selects IPv4-mapped addresses on an IPv6 socket
    return h.addr_given && h.family == kAfInet && family == kAfInet6 && v4_mapped(e.addr) &&
           prefix_equal(e.addr.data() + 12, h.addr.data(), h.prefix_len);
  }
  return prefix_equal(e.addr.data(), h.addr.data(), h.prefix_len);
}

bool port_matches(const FilterNode& n, uint16_t family, uint16_t port) {
  // an inet:/inet6: prefix limits the term to its family (ss applies it to
  // the whole listing instead; this keeps `or` meaningful)
  if (n.host.family && n.host.family != family) return false;
  if (n.host.port < 0) return n.op == PortOp::Eq;  // '*': any port
  auto p = static_cast<uint16_t>(n.host.port);
  switch (n.op) {
    case PortOp::Eq: return port == p;
    case PortOp::Ne: return port != p;
    case PortOp::Lt: return port < p;
    case PortOp::Le: return port <= p;
    case PortOp::Gt: return port > p;
    case PortOp::Ge: return port >= p;
  }
  return false;
}

}  // namespace

bool node_matches(const FilterNode& n, const SockId& id, const SockBinding* b) {
  switch (n.kind) {
    case FilterNode::Kind::And: return node_matches(n.kids[0], id, b) && node_matches(n.kids[1], id, b);
    case FilterNode::Kind::Or: return node_matches(n.kids[0], id, b) || node_matches(n.kids[1], id, b);
    case FilterNode::Kind::Not: return !node_matches(n.kids[0], id, b);
    case FilterNode::Kind::Host: return host_matches(n.host, id.family, n.remote ? id.remote : id.local);
    case FilterNode::Kind::Port: return port_matches(n, id.family, n.remote ? id.remote.port : id.local.port);
    case FilterNode::Kind::Dev: return b && n.value && b->bound_dev_if == n.value;
    case FilterNode::Kind::Cgroup: return b && n.value && b->cgroup_id == n.value;
    // refused before a filter is used (first_unsupported); never "everything"
    case FilterNode::Kind::Fwmark:
    case FilterNode::Kind::Autobound: return false;
  }
  return false;
}

bool SsFilter::matches(const SockId& id, TcpState state, const SockBinding* b) const {
  if (!(states & state_bit(state))) return false;
  return !expr || node_matches(*expr, id, b);
}

bool SsFilter::matches_addresses(const SockId& id) const { return !expr || node_matches(*expr, id); }

namespace {

std::optional<uint16_t> node_port(const FilterNode& n) {
  switch (n.kind) {
    case FilterNode::Kind::Host:
      if (n.host.port >= 0) return static_cast<uint16_t>(n.host.port);
      return std::nullopt;
    case FilterNode::Kind::Port:
      if (n.op == PortOp::Eq && n.host.port >= 0) return static_cast<uint16_t>(n.host.port);
      return std::nullopt;
    case FilterNode::Kind::And:
      // either side's port holds for every match
      if (auto p = node_port(n.kids[0])) return p;
      return node_port(n.kids[1]);
    case FilterNode::Kind::Or: {
      auto a = node_port(n.kids[0]), b = node_port(n.kids[1]);
      if (a && b && *a == *b) return a;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<uint16_t> implied_port(const SsFilter& f) {
  if (!f.expr) return std::nullopt;
  return node_port(*f.expr);
}

const FilterNode* first_unsupported(const FilterNode& n) {
  switch (n.kind) {
    case FilterNode::Kind::Fwmark:
    case FilterNode::Kind::Autobound: return &n;
    default:
      for (const auto& k : n.kids)
        if (const auto* u = first_unsupported(k)) return u;
      return nullptr;
  }
}

}  // namespace sockscope
