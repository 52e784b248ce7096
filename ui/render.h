// The live view's screens as lines of text: pure functions of a Snapshot
// and the view's state, no terminal, so tests can read what a user sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "snapshot.h"

namespace sockscope::ui {

enum class Column { Pid, Comm, Proto, Local, Remote, State, Time, RecvQ, SendQ, Drops, Retr, Count };
std::string_view column_name(Column c);

enum class Mode { Table, Detail, Help };

struct ViewState {
  Column sort = Column::Local;  // `<` / `>`
  bool reverse = false;         // `I`
  std::string filter;           // `/`: free text over comm, pid, endpoints, state
  bool editing = false;         // the filter is being typed
  std::string draft;            // what is typed so far
  size_t selected = 0;          // index into the visible rows
  size_t scroll = 0;            // first visible row shown
  uint64_t selected_key = 0;    // the selected socket, to keep it across refreshes
  Mode mode = Mode::Table;
};

// How the terminal colours a line; the text says everything without it.
enum class Tone { Normal, Header, ColumnHeader, Selected, Listen, Established, Opening, Closing, Closed, Stuck };

// Whether a row matches the free-text filter (case-insensitive substring
// of comm, pid, endpoints or state; empty matches all).
bool row_matches(const Snapshot::Row& r, std::string_view text);
// Indices into snap.rows: filtered, then sorted by the view's column.
std::vector<size_t> visible_rows(const Snapshot& snap, const ViewState& view);

// Rows shown per screen at this height (the rest is header and status).
int table_page(int height);
inline constexpr int kHeaderLines = 3;  // summary, states, column names

// tones, if given, receives one Tone per returned line.
std::vector<std::string> render_table(const Snapshot& snap, const ViewState& view, int width, int height,
                                      std::vector<Tone>* tones = nullptr);
// The selected socket (row) and its history from snap.detail.
std::vector<std::string> render_detail(const Snapshot& snap, const Snapshot::Row& row, int width, int height);
std::vector<std::string> render_help(int width, int height);

// "12:04:05.123" on the wall clock.
std::string clock_text(uint64_t mono_ns, int64_t wall_offset_ns);
// "850ms", "3.2s", "4m05s", "2h10m".
std::string duration_text(uint64_t ns);

}  // namespace sockscope::ui
