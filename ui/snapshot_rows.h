// The pieces a snapshot's rows are made of, shared by take() (every row at
// once) and the live view's change feed (row_delta.h: only the rows whose
// sockets changed).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnosis/finding.h"
#include "model/socket.h"
#include "ui/snapshot.h"

namespace sockscope::ui {

// A row's values from its socket, ages at now_ns; Row::stuck is left as
// it was (the caller's: a heuristic or the findings).
void fill_row(Snapshot::Row& r, const Socket& s, uint64_t now_ns);

// Time in state and since closing, at now_ns, from when they began.
void set_ages(Snapshot::Row& r, uint64_t now_ns);

// Puts rows in the model's stable order: (protocol, local port, remote
// port, key).
void sort_rows(std::vector<Snapshot::Row>& rows);

// That order as a comparison of (order, key) pairs: whatever holds them
// (rows, the rates' last step) sorts and searches by this one test.
inline bool model_order_before(uint64_t order_a, uint64_t key_a, uint64_t order_b, uint64_t key_b) {
  return order_a != order_b ? order_a < order_b : key_a < key_b;
}

// The text each socket named by the findings is flagged with (Row::stuck),
// by cookie: the first finding that names a socket flags it, most severe
// first; a socket listed under a cause is flagged with that cause.
using FindingFlags = std::unordered_map<uint64_t, std::string>;
FindingFlags finding_flags(const std::vector<Finding>& findings);

}  // namespace sockscope::ui
