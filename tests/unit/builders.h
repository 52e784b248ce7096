// Small builders for synthetic model values, shared by the unit tests.
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/abi/sockscope_abi.h"
#include "model/event.h"
#include "model/names.h"
#include "model/reason_names.h"
#include "model/socket.h"

namespace sockscope::test {

inline constexpr uint64_t kMs = 1'000'000;
inline constexpr uint64_t kSec = 1'000'000'000;

inline constexpr uint64_t sk_of(uint64_t cookie) { return 0xA000 + cookie; }

inline Comm comm(std::string_view s) {
  Comm c{};
  s.copy(c.data(), c.size() - 1);
  return c;
}

// Text output split at newlines, for line-by-line checks.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

inline Task task(uint32_t pid, std::string_view name) { return {pid, pid, comm(name)}; }

inline Endpoint v4(std::string_view text, uint16_t port) {
  Endpoint e;
  e.port = port;
  inet_pton(AF_INET, std::string(text).c_str(), e.addr.data());
  return e;
}

// A TCP socket's identity as the kernel's records give it; its sk (the
// kernel address) is derived from the cookie so a test can join on it.
inline SockId tcp_sock(uint64_t cookie, Endpoint local, Endpoint remote, TcpState st, uint16_t family = kAfInet) {
  SockId i;
  i.cookie = cookie;
  i.sk = sk_of(cookie);
  i.family = family;
  i.protocol = kProtoTcp;
  i.type = 1;
  i.state = static_cast<uint8_t>(st);
  i.local = local;
  i.remote = remote;
  return i;
}

inline Endpoint v6(std::string_view text, uint16_t port) {
  Endpoint e;
  e.port = port;
  inet_pton(AF_INET6, std::string(text).c_str(), e.addr.data());
  return e;
}

// The state history as kernel names, so a failure prints readably.
inline std::vector<std::string> history_names(const Socket& s) {
  std::vector<std::string> out;
  for (const auto& p : s.history) out.emplace_back(tcp_state_name(p.state));
  return out;
}

// A histogram as the kernel would fill it with these samples (ns), using
// the ABI header's bucket function.
inline Histogram hist_of(const std::vector<uint64_t>& samples) {
  Histogram h;
  if (samples.empty()) return h;
  h.buckets.assign(kHistBuckets, 0);
  for (uint64_t v : samples) {
    ++h.count;
    h.sum_ns += v;
    h.max_ns = std::max(h.max_ns, v);
    ++h.buckets[ss_hist_bucket(v)];
  }
  return h;
}

// Reason names as a kernel's BTF might give them; the codes are made up,
// as they differ between kernels anyway.
inline ReasonNames test_reason_names() {
  ReasonNames n;
  n.drop = {{2, "NOT_SPECIFIED"}, {3, "NO_SOCKET"}, {13, "SOCKET_RCVBUFF"}, {34, "NETFILTER_DROP"}};
  n.reset = {{0, "NOT_SPECIFIED"}, {1, "NO_SOCKET"}, {3, "TCP_RFC7323_PAWS"}};
  return n;
}

}  // namespace sockscope::test
