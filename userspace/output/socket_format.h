// The `list` output: an ss-like table, or a JSON array, from the model.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../model/histogram.h"
#include "../model/reason_names.h"
#include "../model/socket.h"

namespace sockscope {

// Sockets in a stable order: TCP before UDP, then local port, remote, key.
std::vector<const Socket*> sorted_sockets(std::vector<const Socket*> v);

// One `list` row as values: list_table formats them for people, the CSV
// export writes them raw.
struct ListRow {
  std::string_view netid;
  std::string state;  // "(closed)" once the kernel socket is gone
  uint64_t age_ns;    // time in the current state
  uint64_t recv_q, send_q;
  double rcv_pct, snd_pct;
  uint64_t rx_max, tx_max;
  std::string local, peer;
  uint64_t sent, rcvd, drops, retransmits;
  std::string process;  // "comm,pid=N,fd=N"; "-" when the owner is unknown
};
ListRow list_row(const Socket& s, uint64_t now_ns);

std::string list_table(const std::vector<const Socket*>& sockets, uint64_t now_ns);
// names: the source's drop-reason names, for drops_by_reason.
nlohmann::json socket_json(const Socket& s, uint64_t now_ns, const ReasonNames& names);

// {count, p50, p99, max}, in microseconds; zeros when empty.
nlohmann::json histogram_json(const Histogram& h);
// Drops of a socket: the stats map's total, or the per-reason sum when that
// map was read later and already counts more.
uint64_t total_drops(const Socket& s);
// "350us", "1.2ms", "45ms", "2.1s"; "-" when no RTT was measured.
std::string rtt_text(const Socket& s);

// Memory against its limit in percent (rmem/rcvbuf, wmem/sndbuf; accept
// queue/backlog for listeners).
double rx_use_pct(const Socket& s);
double tx_use_pct(const Socket& s);

}  // namespace sockscope
