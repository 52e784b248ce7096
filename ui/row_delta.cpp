#include "ui/row_delta.h"

#include <algorithm>

#include "model/socket_facts.h"

namespace sockscope::ui {
namespace {

// No socket has key 0 (keys are cookies or provisional keys with a high
// bit set): it marks a row to remove.
constexpr uint64_t kGone = 0;

}  // namespace

void fold(RowDelta& older, RowDelta&& newer) {
  if (newer.full) {
    older = std::move(newer);
    return;
  }
  std::unordered_map<uint64_t, size_t> at;
  for (size_t i = 0; i < older.rows.size(); ++i) at[older.rows[i].key] = i;
  for (uint64_t key : newer.removed) {
    if (auto it = at.find(key); it != at.end()) {
      older.rows[it->second].key = kGone;
      at.erase(it);
    }
    older.removed.push_back(key);
  }
  for (auto& r : newer.rows) {
    if (auto it = at.find(r.key); it != at.end()) {
      older.rows[it->second] = std::move(r);
      continue;
    }
    at.emplace(r.key, older.rows.size());
    older.rows.push_back(std::move(r));
  }
  std::erase_if(older.rows, [](const Snapshot::Row& r) { return r.key == kGone; });
}

void ChangedRows::attach(SocketTable& table) {
  table.track_changes();
  kept_.clear();
  states_.clear();
  flags_.clear();
}

uint8_t ChangedRows::state_index(std::string_view name) {
  for (size_t i = 0; i < states_.size(); ++i)
    if (states_[i].first == name) return uint8_t(i);
  states_.emplace_back(name, 0);  // a dozen names at most (socket_state_name's and "(closed)")
  return uint8_t(states_.size() - 1);
}

void ChangedRows::send(RowDelta& d, const Socket& s, uint64_t now_ns) {
  Snapshot::Row& r = d.rows.emplace_back();
  fill_row(r, s, now_ns);
  if (auto it = s.id.cookie ? flags_.find(s.id.cookie) : flags_.end(); it != flags_.end()) r.stuck = it->second;
  uint8_t st = state_index(shown_state(s));
  kept_[s.key] = st;
  ++states_[st].second;
}

RowDelta ChangedRows::take(SocketTable& table, uint64_t now_ns, const Filter* filter,
                           const std::vector<Finding>& findings, std::map<std::string, size_t>& by_state) {
  RowDelta d;
  std::vector<uint64_t> dirty;
  const bool tracked = table.drain_changes([&](uint64_t key, const Socket*) { dirty.push_back(key); });
  FindingFlags flags = finding_flags(findings);
  if (!tracked) {
    // everything, as take() does
    d.full = true;
    kept_.clear();
    for (auto& st : states_) st.second = 0;
    flags_ = std::move(flags);
    d.rows.reserve(table.size());
    for (const auto& [key, s] : table.sockets())
      if (!filter || filter->matches(s)) send(d, s, now_ns);
  } else {
    // a row whose flag came, went or changed is sent again, as is every
    // row whose socket changed
    for (const auto& [cookie, text] : flags)
      if (auto it = flags_.find(cookie); it == flags_.end() || it->second != text) dirty.push_back(cookie);
    for (const auto& [cookie, text] : flags_)
      if (!flags.count(cookie)) dirty.push_back(cookie);
    flags_ = std::move(flags);
    std::sort(dirty.begin(), dirty.end());
    dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
    for (uint64_t key : dirty) {
      const Socket* s = table.find(key);
      const bool shown = s && (!filter || filter->matches(*s));
      if (auto it = kept_.find(key); it != kept_.end()) {
        --states_[it->second].second;
        if (!shown) {
          kept_.erase(it);
          d.removed.push_back(key);
          continue;
        }
      }
      if (shown) send(d, *s, now_ns);
    }
  }
  by_state.clear();
  for (const auto& [name, n] : states_)
    if (n) by_state[std::string(name)] += n;
  return d;
}

namespace {

bool in_order(const Snapshot::Row& a, const Snapshot::Row& b) {
  return model_order_before(a.order, a.key, b.order, b.key);
}

}  // namespace

// Where the row of (order, key) is in rows (kept in the model's order).
size_t ShownRows::position(const std::vector<Snapshot::Row>& rows, uint64_t order, uint64_t key) {
  auto before = [](const Snapshot::Row& r, std::pair<uint64_t, uint64_t> k) {
    return model_order_before(r.order, r.key, k.first, k.second);
  };
  return size_t(std::lower_bound(rows.begin(), rows.end(), std::pair{order, key}, before) - rows.begin());
}

// A changed row in the same place is written over; rows that left are
// dropped in one sequential pass; new rows (and rows whose place changed)
// are sorted alone and merged in. Nothing walks every row with a hash
// lookup or sorts them all again: under churn, with a table of 262,144
// sockets, rebuilding the index and sorting every row took most of the
// UI thread's time.
void ShownRows::apply(std::vector<Snapshot::Row>& rows, RowDelta&& d, uint64_t now_ns) {
  if (d.full) {
    rows = std::move(d.rows);
    sort_rows(rows);
    order_of_.clear();
    order_of_.reserve(rows.size());
    for (const auto& r : rows) order_of_.emplace(r.key, r.order);
  } else {
    std::vector<size_t> gone;
    auto drop = [&](uint64_t key) {
      auto it = order_of_.find(key);
      if (it == order_of_.end()) return;
      size_t i = position(rows, it->second, key);
      if (i < rows.size() && rows[i].key == key) gone.push_back(i);
      order_of_.erase(it);
    };
    for (uint64_t key : d.removed) drop(key);
    std::vector<Snapshot::Row> added;
    for (auto& r : d.rows) {
      if (auto it = order_of_.find(r.key); it != order_of_.end() && it->second == r.order) {
        size_t i = position(rows, r.order, r.key);
        if (i < rows.size() && rows[i].key == r.key) {
          rows[i] = std::move(r);
          continue;
        }
      }
      drop(r.key);  // bound or connected since: it moves
      order_of_.emplace(r.key, r.order);
      added.push_back(std::move(r));
    }
    if (!gone.empty()) {
      std::sort(gone.begin(), gone.end());
      size_t w = 0, g = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (g < gone.size() && gone[g] == i) {
          ++g;
          continue;
        }
        if (w != i) rows[w] = std::move(rows[i]);
        ++w;
      }
      rows.resize(w);
    }
    if (!added.empty()) {
      sort_rows(added);
      size_t mid = rows.size();
      rows.insert(rows.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
      std::inplace_merge(rows.begin(), rows.begin() + long(mid), rows.end(), in_order);
    }
  }
  for (auto& r : rows) set_ages(r, now_ns);
}

}  // namespace sockscope::ui
