// Picking sockets out of `list --json` output.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace testing {

// The socket with these endpoints ("127.0.0.1:80"); remote "" matches any.
inline const nlohmann::json* find_socket(const nlohmann::json& list, const std::string& proto,
                                         const std::string& local, const std::string& remote) {
  for (const auto& s : list)
    if (s["proto"] == proto && s["local"] == local && (remote.empty() || s["remote"] == remote)) return &s;
  return nullptr;
}

inline std::string ep(const std::string& host, uint16_t port) { return host + ":" + std::to_string(port); }

}  // namespace testing
