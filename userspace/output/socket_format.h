// The `list` output: an ss-like table, or a JSON array, from the model
// (the facts themselves: model/socket_facts.h).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/histogram.h"
#include "model/reason_names.h"
#include "model/socket.h"
#include "model/socket_facts.h"

namespace sockscope {

// Row by row, so memory holds one row, not the table's text.
void write_list_table(std::ostream& out, const std::vector<const Socket*>& sockets, uint64_t now_ns);
std::string list_table(const std::vector<const Socket*>& sockets, uint64_t now_ns);
// names: the source's drop-reason names, for drops_by_reason.
nlohmann::json socket_json(const Socket& s, uint64_t now_ns, const ReasonNames& names);

// {count, p50, p99, max}, in microseconds; zeros when empty.
nlohmann::json histogram_json(const Histogram& h);
// "350us", "1.2ms", "45ms", "2.1s"; "-" when no RTT was measured.
std::string rtt_text(const Socket& s);

}  // namespace sockscope
