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

// Both ends of one TCP connection: the server side (local port) and the
// client side (local cport); null where missing.
struct Ends {
  const nlohmann::json* server;
  const nlohmann::json* client;
};
inline Ends find_ends(const nlohmann::json& list, const std::string& host, uint16_t port, uint16_t cport) {
  return {find_socket(list, "tcp", ep(host, port), ep(host, cport)),
          find_socket(list, "tcp", ep(host, cport), ep(host, port))};
}

}  // namespace testing
