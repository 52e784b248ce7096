#include "model/ss_filter_terms.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "model/names.h"

namespace sockscope {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr StateSet kBucket =
    state_bit(TcpState::SynRecv) | state_bit(TcpState::NewSynRecv) | state_bit(TcpState::TimeWait);
// ss: "all the states except for listening and closed"
constexpr StateSet kConnected = kAllStates & ~(state_bit(TcpState::Close) | state_bit(TcpState::Listen) |
                                               state_bit(TcpState::BoundInactive) | state_bit(TcpState::Unknown));

// "inet:" / "inet6:" before an operand, as ss allows; other families
// (unix:, link:, netlink:, vsock:) name sockets sockscope does not watch.
uint16_t take_family(std::string_view& w, size_t& at) {
  for (auto [prefix, family] : {std::pair{std::string_view("inet6:"), kAfInet6}, {"inet:", kAfInet}}) {
    if (w.substr(0, prefix.size()) == prefix) {
      w.remove_prefix(prefix.size());
      at += prefix.size();
      return family;
    }
  }
  for (std::string_view other : {"unix:", "link:", "netlink:", "vsock:"})
    if (w.substr(0, other.size()) == other)
      throw FilterError(at, fmt::format("'{}' addresses do not apply: sockscope watches TCP and UDP over IPv4 and "
                                        "IPv6 (use inet: or inet6:, or no family)",
                                        other.substr(0, other.size() - 1)));
  return 0;
}

int32_t port_value(std::string_view p, size_t at) {
  if (p.empty() || p == "*") return -1;
  if (std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (p.size() > 5 || std::stoul(std::string(p)) > 65535)
      throw FilterError(at, fmt::format("port {} is out of range: ports are 0 to 65535", p));
    return static_cast<int32_t>(std::stoul(std::string(p)));
  }
  // a service name, as ss resolves it (/etc/services)
  std::string name(p);
  const servent* se = getservbyname(name.c_str(), "tcp");
  if (!se) se = getservbyname(name.c_str(), "udp");
  if (!se)
    throw FilterError(at, fmt::format("'{}' is not a port: give a number (:443) or a service name from "
                                      "/etc/services (:https)",
                                      p));
  return ntohs(static_cast<uint16_t>(se->s_port));
}

// ADDRESS[/PREFIX] into h; "" and "*" leave every address.
void address_value(std::string_view a, size_t at, HostMatch& h) {
  if (a.empty() || a == "*") return;
  std::string addr(a.substr(0, a.find('/')));
  std::optional<std::string_view> len;
  if (a.find('/') != std::string_view::npos) len = a.substr(a.find('/') + 1);
  uint16_t family = 0;
  if (inet_pton(AF_INET, addr.c_str(), h.addr.data()) == 1) {
    family = kAfInet;
  } else if (inet_pton(AF_INET6, addr.c_str(), h.addr.data()) == 1) {
    family = kAfInet6;
  } else {
    throw FilterError(at, fmt::format("'{}' is not an IP address or prefix (10.0.0.1, 10.0.0.0/8, [::1]); "
                                      "sockscope does not resolve host names",
                                      addr));
  }
  if (h.family && h.family != family)
    throw FilterError(at, fmt::format("'{}' is not an {} address", addr, h.family == kAfInet ? "IPv4" : "IPv6"));
  h.family = family;
  h.addr_given = true;
  unsigned max = family == kAfInet ? 32 : 128;
  h.prefix_len = static_cast<uint8_t>(max);
  if (len) {
    size_t len_at = at + addr.size() + 1;
    bool digits = !len->empty() && len->size() <= 3 &&
                  std::all_of(len->begin(), len->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(std::string(*len)) > max)
      throw FilterError(len_at, fmt::format("'/{}' is not a prefix length: give 0 to {}", *len, max));
    h.prefix_len = static_cast<uint8_t>(std::stoul(std::string(*len)));
  }
}

}  // namespace

std::optional<StateSet> state_word(std::string_view w) {
  std::string s = lower(w);
  if (s == "all") return kAllStates;
  if (s == "connected") return kConnected;
  if (s == "synchronized") return kConnected & ~state_bit(TcpState::SynSent);
  if (s == "bucket") return kBucket;
  if (s == "big") return kAllStates & ~kBucket;
  if (s == "syn-rcv") s = "syn-recv";
  if (s == "unconnected") s = "close";
  auto st = parse_state(s);
  if (!st || *st == TcpState::NewSynRecv || *st == TcpState::BoundInactive) return std::nullopt;
  // the kernel's request sockets are what ss calls SYN-RECV
  if (*st == TcpState::SynRecv) return state_bit(*st) | state_bit(TcpState::NewSynRecv);
  return state_bit(*st);
}

HostMatch parse_host(std::string_view w, size_t at) {
  HostMatch h;
  h.family = take_family(w, at);
  std::string_view addr, port;
  size_t port_at = at;
  if (!w.empty() && w[0] == '[') {
    size_t close = w.find(']');
    if (close == std::string_view::npos) throw FilterError(at, "'[' without its ']': write [::1] or [::1]:80");
    addr = w.substr(1, close - 1);
    std::string_view after = w.substr(close + 1);
    if (!after.empty() && after[0] != ':')
      throw FilterError(at + close + 1, "after ']' only ':PORT' may follow, e.g. [::1]:80");
    port = after.empty() ? after : after.substr(1);
    port_at = at + close + 2;
    address_value(addr, at + 1, h);
    h.port = port_value(port, port_at);
    return h;
  }
  // the port is after the last ':' (after the prefix's '/', if any)
  size_t slash = w.find('/');
  size_t colon = slash == std::string_view::npos ? w.rfind(':') : w.find(':', slash);
  if (slash == std::string_view::npos && std::count(w.begin(), w.end(), ':') > 1)
    throw FilterError(at, fmt::format("write an IPv6 address in brackets: [{}], or [{}]:PORT with a port", w, w));
  addr = w.substr(0, colon);
  if (colon != std::string_view::npos) {
    port = w.substr(colon + 1);
    port_at = at + colon + 1;
  }
  address_value(addr, at, h);
  h.port = port_value(port, port_at);
  return h;
}

HostMatch parse_port(std::string_view w, size_t at) {
  HostMatch h;
  h.family = take_family(w, at);
  if (!w.empty() && w[0] == ':') {
    w.remove_prefix(1);
    ++at;
  }
  if (w.empty()) throw FilterError(at, "expected a port: :443, 443, :https or *");
  h.port = port_value(w, at);
  return h;
}

}  // namespace sockscope
