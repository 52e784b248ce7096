// Small builders for synthetic model values, shared by the unit tests.
#pragma once

#include <arpa/inet.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/names.h"
#include "model/socket.h"

namespace sockscope::test {

inline constexpr uint64_t kMs = 1'000'000;
inline constexpr uint64_t kSec = 1'000'000'000;

inline Comm comm(std::string_view s) {
  Comm c{};
  s.copy(c.data(), c.size() - 1);
  return c;
}

inline Task task(uint32_t pid, std::string_view name) { return {pid, pid, comm(name)}; }

inline Endpoint v4(std::string_view text, uint16_t port) {
  Endpoint e;
  e.port = port;
  inet_pton(AF_INET, std::string(text).c_str(), e.addr.data());
  return e;
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

}  // namespace sockscope::test
