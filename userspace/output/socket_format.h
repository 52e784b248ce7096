// The `list` output: an ss-like table, or a JSON array, from the model.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../model/socket.h"

namespace sockscope {

// Sockets in a stable order: TCP before UDP, then local port, remote, key.
std::vector<const Socket*> sorted_sockets(std::vector<const Socket*> v);

std::string list_table(const std::vector<const Socket*>& sockets, uint64_t now_ns);
nlohmann::json socket_json(const Socket& s, uint64_t now_ns);

// Memory against its limit in percent (rmem/rcvbuf, wmem/sndbuf; accept
// queue/backlog for listeners).
double rx_use_pct(const Socket& s);
double tx_use_pct(const Socket& s);

}  // namespace sockscope
