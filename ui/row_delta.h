// top's rows, passed from its intake thread to its UI thread as changes:
// the intake remakes only the rows of sockets the table says changed (and
// of those whose findings changed), instead of every socket's each
// refresh, so the thread that applies events does work in proportion to
// what changed; the UI thread keeps the rows it shows and applies the
// changes to them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "diagnosis/finding.h"
#include "model/filter.h"
#include "model/socket_table.h"
#include "ui/snapshot.h"
#include "ui/snapshot_rows.h"

namespace sockscope::ui {

struct RowDelta {
  bool full = false;                // rows is every row: what is shown is replaced
  std::vector<Snapshot::Row> rows;  // new or changed rows, one per key
  std::vector<uint64_t> removed;    // keys whose rows left
};

// Folds newer into older, a delta not yet applied: applying the result is
// applying both in turn (the UI thread may not have drawn a frame before
// the next one comes).
void fold(RowDelta& older, RowDelta&& newer);

// The intake's side: what each row was last sent as, in short.
class ChangedRows {
 public:
  // Follows table's changes from now on; the next take() sends every row
  // (a new table, as when a replay starts over, is attached again).
  void attach(SocketTable& table);
  // The rows that changed since the last call, flagged by findings (as
  // Row::stuck); fills by_state with the count of rows in each state.
  RowDelta take(SocketTable& table, uint64_t now_ns, const Filter* filter, const std::vector<Finding>& findings,
                std::map<std::string, size_t>& by_state);

 private:
  void send(RowDelta& d, const Socket& s, uint64_t now_ns);
  uint8_t state_index(std::string_view name);

  std::unordered_map<uint64_t, uint8_t> kept_;  // key of each row sent -> its state (states_)
  std::vector<std::pair<std::string_view, size_t>> states_;  // shown_state() names and their rows
  FindingFlags flags_;                                      // as the rows were last sent with
};

// The UI thread's side: the index of the rows it shows.
class ShownRows {
 public:
  // Applies d to rows (kept in the model's order) and ages them at now_ns.
  void apply(std::vector<Snapshot::Row>& rows, RowDelta&& d, uint64_t now_ns);

 private:
  static size_t position(const std::vector<Snapshot::Row>& rows, uint64_t order, uint64_t key);

  // key -> the order of its row: with the key, where the row is (rows are
  // kept sorted), found by binary search; changed only by the changes
  std::unordered_map<uint64_t, uint64_t> order_of_;
};

}  // namespace sockscope::ui
