// The live view's screens as lines of text: pure functions of a Snapshot
// and the view's state, no terminal, so tests can read what a user sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ui/snapshot.h"

namespace sockscope::ui {

enum class Column {
  Pid, Comm, Proto, Local, Remote, State, Time, RecvQ, SendQ, RxRate, TxRate, Drops, Retr, Rtt, Cwnd, Finding, Count
};
std::string_view column_name(Column c);

// Whether a column sorts largest first when chosen, as htop sorts CPU%:
// queues, rates, drops, time in state... so that 13,000 empty rows never
// come before the stuck one. Names, endpoints, states and pids go up.
bool largest_first(Column c);

// The order the table starts in, which no single column gives: sockets
// with a finding first, then the fullest queue (the larger of the receive
// and send buffers' use), then the model's order. The stuck socket is on
// the first screen however many idle ones there are. It takes the place
// one past the columns, so < > and the sort menu come back to it.
inline constexpr Column kDefaultOrder = Column::Count;
// "LOCAL", or the default order's short name.
std::string_view sort_name(Column c);

enum class Mode { Table, Detail, Nic, Help, SortMenu };

struct ViewState {
  Column sort = kDefaultOrder;  // `<` / `>`, F6, a click on a column name
  bool reverse = false;         // `I`, or a second click: against the column's own order (largest_first)
  std::string filter;           // `/`: words, as RowFilter reads them (ui/row_filter.h)
  bool editing = false;         // the filter is being typed
  std::string draft;            // what is typed so far
  bool tree = false;            // `t`: rows grouped under their process
  std::set<uint32_t> collapsed; // processes (pid) whose rows are hidden in the tree
  bool show_ended = false;      // `w`: every TIME_WAIT and closed socket, not one line per local port
  size_t selected = 0;          // index into the visible lines
  size_t scroll = 0;            // first visible line shown
  uint64_t selected_key = 0;    // the selected line's key(), to keep it across refreshes
  size_t menu_at = 0;           // the sort menu's highlighted column
  size_t detail_scroll = 0;     // first line of the detail view shown
  Mode mode = Mode::Table;
};

// One line of the table: a socket row, in tree mode a process's line, or
// the TIME_WAIT and closed sockets of one local port folded into one line
// (connections that are over: thousands of them on a busy server would
// push the live ones off the screen).
struct Line {
  static constexpr size_t kGroup = size_t(-1);
  static constexpr size_t kEnded = size_t(-2);
  size_t row = kGroup;  // index into snap.rows; kGroup: a process line; kEnded: ended sockets of a port
  uint32_t pid = 0;     // the process (group lines; rows: their owner)
  size_t members = 0;   // group and ended lines: sockets folded in (after the filter)
  bool collapsed = false;
  uint16_t port = 0;       // ended lines: the local port
  size_t time_wait = 0;    // ended lines: how many of the members are in TIME_WAIT (the rest are closed)
  uint64_t oldest_ns = 0;  // ended lines: the longest time in that state among them
  bool is_group() const { return row == kGroup; }
  bool is_ended() const { return row == kEnded; }
  bool is_socket() const { return !is_group() && !is_ended(); }
};
// Whether a row is one the table folds by port unless ViewState::show_ended:
// a TCP socket in TIME_WAIT, or a socket gone from the kernel.
bool is_ended(const Snapshot::Row& r);
// What selected_key holds for a line: the socket key, the pid with the
// top bit set for a process line, the port with the next bit set for an
// ended line.
uint64_t line_key(const Snapshot& snap, const Line& l);

// How the terminal colours a line; the text says everything without it.
enum class Tone {
  Normal, Header, ColumnHeader, Selected, Listen, Established, Opening, Closing, Closed, Stuck, Group, Faded
};

// Whether a row matches the `/` filter's text (RowFilter; empty matches
// all). Parses the text each time: for one row, not a table.
bool row_matches(const Snapshot::Row& r, std::string_view text);
// The table's lines: filtered, sorted by the view's column, and in tree
// mode grouped under their process (groups sorted by their best member).
std::vector<Line> visible_lines(const Snapshot& snap, const ViewState& view);

// Rows shown per screen at this height (the rest is header and status).
int table_page(int height);
inline constexpr int kHeaderLines = 3;  // summary, states, column names
// The cells the widest endpoint of the snapshot's rows takes as the table
// writes it ("lo:8080" for 127.0.0.1:8080); the endpoint columns grow no
// wider (kWidestEndpoint: "[ffff:...:ffff]:65535").
inline constexpr int kWidestEndpoint = 47;
int endpoint_need(const Snapshot& snap);
// The column whose name is drawn at screen column x of the column-name
// line (kHeaderLines - 1), at this width, with endpoint_need() of the
// snapshot drawn; Column::Count when none.
Column column_at(int x, int width, int endpoints = kWidestEndpoint);

// tones, if given, receives one Tone per returned line. lines: what
// visible_lines() gave for this snapshot and view, when the caller has it
// (sorting 100,000 rows twice per redraw is what makes a key feel slow).
std::vector<std::string> render_table(const Snapshot& snap, const ViewState& view, int width, int height,
                                      std::vector<Tone>* tones = nullptr,
                                      const std::vector<Line>* lines = nullptr);
// The selected socket in full: lifecycle, queues with sparklines, calls,
// drops by reason, TCP health, journey, options, owner.
std::vector<std::string> render_detail(const Snapshot& snap, const Snapshot::Row& row, const ViewState& view,
                                       int width, int height);
// Per device: packets, bytes, NAPI, drops as rates, with sparklines.
std::vector<std::string> render_nic(const Snapshot& snap, const ViewState& view, int width, int height,
                                    std::vector<Tone>* tones = nullptr);
std::vector<std::string> render_help(const Snapshot& snap, int width, int height);
// F6: the columns to sort by, the current one marked, menu_at highlighted.
std::vector<std::string> render_sort_menu(const Snapshot& snap, const ViewState& view, int width, int height,
                                          std::vector<Tone>* tones = nullptr);

}  // namespace sockscope::ui
