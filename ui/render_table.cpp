// The main screen: header, column names, one line per socket (or, in tree
// mode, per process with its sockets under it), the status line.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "ui/cells.h"
#include "ui/render.h"
#include "ui/row_filter.h"
#include "ui/text.h"

namespace sockscope::ui {
namespace {

constexpr std::string_view kColumnNames[] = {"PID",  "COMM",  "PRO",  "LOCAL", "REMOTE", "STATE",
                                             "TIME", "RECV-Q", "SEND-Q", "RX/s", "TX/s",  "DROPS",
                                             "RETR", "RTT",   "CWND", "FINDING"};
static_assert(std::size(kColumnNames) == size_t(Column::Count));

// ---- the columns: one description for the column-name line, the rows and
// column_at, so a click always lands on the column drawn there.

// Column::Count stands for the '!' flag, which is not sortable.
constexpr Column kFlag = Column::Count;

constexpr int kBaseEndpoint = 13;  // the endpoints' cells at 40 and 80 columns
// Past the columns of an 80-column screen (ranks up to kEarlyRank), the
// endpoints grow to show a private IPv4 one whole ("10.0.0.5:51000", if
// one is shown) before the counters join: it is a cell or two each, and
// "10~0.5:51000" is harder to read than a missing RTT is to miss.
constexpr int kEarlyRank = 4;
constexpr int kEarlyEndpoint = 14;

struct Spec {
  Column col;
  int min;     // content cells; the name and the sort mark fit in it
  bool right;  // numbers align right
  // 0: always shown. Otherwise the order in which columns join as the
  // width allows: which connection and its state first (40 columns), then
  // its queues, who owns it and for how long (80), then the counters and
  // the finding. Columns join before the endpoints widen (but for
  // kEarlyEndpoint): an elided address reads better than a missing column.
  int rank;
};

// In screen order.
constexpr Spec kSpecs[] = {
    {kFlag, 1, false, 0},
    {Column::Pid, 7, true, 4},
    {Column::Comm, 9, false, 2},
    {Column::Proto, 4, false, 9},
    {Column::Local, kBaseEndpoint, false, 0},
    {Column::Remote, kBaseEndpoint, false, 0},
    {Column::State, kStateCells, false, 0},
    {Column::Time, 5, true, 3},
    {Column::RecvQ, 7, false, 1},
    {Column::SendQ, 7, false, 1},
    {Column::RxRate, 5, true, 6},
    {Column::TxRate, 5, true, 6},
    {Column::Drops, 6, true, 5},
    {Column::Retr, 5, true, 5},
    {Column::Rtt, 6, true, 7},
    {Column::Cwnd, 5, true, 8},
    {Column::Finding, 16, false, 10},
};
constexpr int kMaxRank = 10;

// Where the space left over goes, stage by stage: each stage grows its
// columns a cell at a time in turn up to their targets.
struct Grow {
  Column col;
  int to;
};
// The endpoints grow no wider than the widest one shown needs: on a host
// of loopback and short IPv4 endpoints the width goes to the finding.
const std::vector<std::vector<Grow>> kGrowth = {
    {{Column::Local, 15}, {Column::Remote, 15}},      // most IPv4 endpoints whole: 10.0.0.5:51000
    {{Column::RecvQ, 12}, {Column::SendQ, 12}},       // longer bars
    {{Column::Comm, 15}},                             // a whole comm (TASK_COMM_LEN)
    {{Column::Local, 21}, {Column::Remote, 21}},      // any IPv4 endpoint whole
    {{Column::Finding, 40}},                          // most of a finding's summary
    {{Column::Local, kWidestEndpoint}, {Column::Remote, kWidestEndpoint}},  // a whole IPv6 endpoint
    {{Column::Finding, 1000}},                        // the rest of the line
    {{Column::RecvQ, 15}, {Column::SendQ, 15}},
};

struct Cell {
  const Spec* spec;
  int x, w;
};

constexpr int kMinEndpoint = 7;  // "REMOTE^", and ":65535" with one cell of address
constexpr int kQueueNumber = 4;  // queue cells: a 4-cell number, a space, the bar

std::vector<Cell> layout(int width, int endpoints) {
  std::vector<bool> on(std::size(kSpecs));
  auto need = [&](const std::vector<bool>& with) {
    int n = 0, cells = 0;
    for (size_t i = 0; i < with.size(); ++i)
      if (with[i]) n += kSpecs[i].min, ++cells;
    return n + std::max(cells - 1, 0);  // one space between columns
  };
  for (size_t i = 0; i < std::size(kSpecs); ++i) on[i] = kSpecs[i].rank == 0;
  int early = 0;  // cells the endpoints take before the counters' columns join
  for (int rank = 1; rank <= kMaxRank; ++rank) {
    if (rank == kEarlyRank + 1) {
      int want = 2 * std::max(0, std::min(kEarlyEndpoint, endpoints) - kBaseEndpoint);
      early = std::clamp(width - need(on), 0, want);
    }
    std::vector<bool> more = on;
    for (size_t i = 0; i < std::size(kSpecs); ++i) more[i] = more[i] || kSpecs[i].rank == rank;
    if (need(more) + early <= width) on = std::move(more);  // a wide rank left out may leave room for a later one
  }
  std::vector<Cell> cells;
  for (size_t i = 0; i < std::size(kSpecs); ++i)
    if (on[i]) cells.push_back({&kSpecs[i], 0, kSpecs[i].min});
  int spare = width - need(on) - early;
  auto cell_of = [&](Column c) -> Cell* {
    for (Cell& cell : cells)
      if (cell.spec->col == c) return &cell;
    return nullptr;
  };
  cell_of(Column::Local)->w += early - early / 2;
  cell_of(Column::Remote)->w += early / 2;
  // narrower than the columns always shown: the endpoints give way, down
  // to their names (below that the line is cut)
  for (bool shrank = true; shrank && spare < 0;) {
    shrank = false;
    for (Column c : {Column::Local, Column::Remote}) {
      Cell* cell = cell_of(c);
      if (spare < 0 && cell->w > kMinEndpoint) --cell->w, ++spare, shrank = true;
    }
  }
  for (const auto& stage : kGrowth) {
    for (bool grew = true; grew && spare > 0;) {
      grew = false;
      for (const Grow& g : stage) {
        Cell* cell = cell_of(g.col);
        bool endpoint = g.col == Column::Local || g.col == Column::Remote;
        int to = endpoint ? std::min(g.to, endpoints) : g.to;
        if (spare > 0 && cell && cell->w < to) ++cell->w, --spare, grew = true;
      }
    }
  }
  int x = 0;
  for (Cell& c : cells) {
    c.x = x;
    x += c.w + 1;
  }
  return cells;
}

// Writes text into line at cell x..x+w, aligned, cut to w.
void put(std::string& line, int x, int w, std::string_view text, bool right) {
  if (w <= 0) return;
  std::string t(text.substr(0, size_t(w)));
  if (line.size() < size_t(x + w)) line.resize(size_t(x + w), ' ');
  size_t at = size_t(x) + (right ? size_t(w) - t.size() : 0);
  line.replace(at, t.size(), t);
}

// Drawn lines keep no trailing spaces, like the text a user would copy.
std::string trimmed(std::string s) {
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

// ---- cell contents

// Four cells at most: "9999", "123K", "4.5M", "999M", "12G".
std::string qty(uint64_t n) {
  if (n < 10'000) return std::to_string(n);
  if (n < 1'000'000) return fmt::format("{}K", n / 1000);
  if (n < 10'000'000) return fmt::format("{}.{}M", n / 1'000'000, n / 100'000 % 10);
  if (n < 1'000'000'000) return fmt::format("{}M", n / 1'000'000);
  if (n < 10'000'000'000) return fmt::format("{}.{}G", n / 1'000'000'000, n / 100'000'000 % 10);
  return fmt::format("{}G", n / 1'000'000'000);
}

// The number, then a bar of the fill; no bar when the limit is not known
// (a process's total).
std::string queue_cell(uint64_t n, double pct, int w, bool with_bar) {
  std::string num = qty(n);
  std::string out = std::string(size_t(std::max(kQueueNumber - int(num.size()), 0)), ' ') + num;
  // appended, not " " + bar(): g++ 12 -O3 falsely warns -Wrestrict on that
  // once this is inlined into spanning_line's lambda
  if (with_bar && w > kQueueNumber + 1) {
    out += ' ';
    out += bar(pct, w - kQueueNumber - 1);
  }
  return out;
}

uint64_t time_in_state(const Snapshot::Row& r) { return r.closed ? r.closed_ago_ns : r.age_ns; }

// What the row's line shows in a tree: its place under the process.
struct TreePlace {
  bool member = false, last = false;
};

std::string row_cell(const Snapshot::Row& r, const Cell& c, TreePlace tree) {
  switch (c.spec->col) {
    case kFlag: return r.stuck.empty() ? "" : "!";
    case Column::Pid: return tree.member ? "" : r.pid ? std::to_string(r.pid) : "-";
    case Column::Comm:
      if (tree.member) return std::string(tree.last ? " `- " : " |- ") + (r.fd >= 0 ? fmt::format("fd {}", r.fd) : "");
      return r.comm;
    case Column::Proto: return r.proto;
    case Column::Local: return short_endpoint(r.local, c.w);
    case Column::Remote: return short_endpoint(r.remote, c.w);
    case Column::State: return std::string(table_state(r.state));
    case Column::Time: return r.closed || r.age_known ? duration_text(time_in_state(r)) : "?";
    case Column::RecvQ: return queue_cell(r.recv_q, r.rx_pct, c.w, true);
    case Column::SendQ: return queue_cell(r.send_q, r.tx_pct, c.w, true);
    case Column::RxRate: return rate_text(r.rx_rate);
    case Column::TxRate: return rate_text(r.tx_rate);
    case Column::Drops: return count(r.drops);
    case Column::Retr: return r.proto == "tcp" ? count(r.retransmits) : "-";  // UDP has none to count
    case Column::Rtt: return r.rtt;
    case Column::Cwnd: return r.cwnd ? std::to_string(r.cwnd) : "-";
    case Column::Finding: return r.stuck;
  }
  return {};
}

std::string row_line(const Snapshot::Row& r, const std::vector<Cell>& cells, TreePlace tree) {
  std::string line;
  for (const Cell& c : cells) put(line, c.x, c.w, row_cell(r, c, tree), c.spec->right);
  return trimmed(std::move(line));
}

bool is_listener(const Snapshot::Row& r) { return !r.closed && r.proto == "tcp" && r.tcp_state == TcpState::Listen; }

// A process in the tree: its sockets (those the filter lets through) summed.
struct Group {
  uint32_t pid = 0;
  std::string comm;
  size_t sockets = 0;
  bool stuck = false;
  uint64_t recv_q = 0, send_q = 0, drops = 0, retransmits = 0;
  double rx_rate = -1, tx_rate = -1;  // the known ones summed; <0: none known
};

std::unordered_map<uint32_t, Group> groups_of(const Snapshot& snap, const ViewState& view) {
  std::unordered_map<uint32_t, Group> out;
  RowFilter filter(view.filter);
  auto add_rate = [](double& sum, double r) {
    if (r >= 0) sum = std::max(sum, 0.0) + r;
  };
  for (const auto& r : snap.rows) {
    if (!filter.matches(r) || (!view.show_ended && is_ended(r))) continue;  // those are on their port's line
    Group& g = out[r.pid];
    if (!g.sockets) g.pid = r.pid, g.comm = r.comm;
    ++g.sockets;
    g.stuck = g.stuck || !r.stuck.empty();
    // a listener's queues count connections (accepted-not-yet, and the
    // backlog as ss's Send-Q), not bytes: they do not add to bytes queued
    if (!is_listener(r)) {
      g.recv_q += r.recv_q;
      g.send_q += r.send_q;
    }
    g.drops += r.drops;
    g.retransmits += r.retransmits;
    add_rate(g.rx_rate, r.rx_rate);
    add_rate(g.tx_rate, r.tx_rate);
  }
  return out;
}

// A line that is not a socket's (a process's, a port's): text(col) gives
// a column's cell, nullopt to leave it blank; the text for LOCAL spans
// REMOTE too when it follows.
template <class Text>
std::string spanning_line(const std::vector<Cell>& cells, Text text) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = cells[i];
    std::optional<std::string> t = text(c);
    if (!t) continue;
    int w = c.w;
    if (c.spec->col == Column::Local && i + 1 < cells.size() && cells[i + 1].spec->col == Column::Remote)
      w += 1 + cells[i + 1].w;
    put(line, c.x, w, *t, c.spec->right);
  }
  return trimmed(std::move(line));
}

std::string group_line(const Group& g, bool collapsed, const std::vector<Cell>& cells) {
  return spanning_line(cells, [&](const Cell& c) -> std::optional<std::string> {
    switch (c.spec->col) {
      case kFlag: return g.stuck ? "!" : "";
      case Column::Pid: return g.pid ? std::to_string(g.pid) : "-";
      case Column::Comm: return g.comm;
      case Column::Local:  // htop's [+]/[-] and how many sockets
        return fmt::format("[{}] {} socket{}", collapsed ? '+' : '-', g.sockets, g.sockets == 1 ? "" : "s");
      case Column::RecvQ: return queue_cell(g.recv_q, 0, c.w, false);
      case Column::SendQ: return queue_cell(g.send_q, 0, c.w, false);
      case Column::RxRate: return rate_text(g.rx_rate);
      case Column::TxRate: return rate_text(g.tx_rate);
      case Column::Drops: return count(g.drops);
      case Column::Retr: return count(g.retransmits);
      default: return std::nullopt;
    }
  });
}

// The TIME_WAIT and closed sockets of one local port: how many, in which
// state, the oldest's time in it.
std::string ended_line(const Line& l, const std::vector<Cell>& cells) {
  return spanning_line(cells, [&](const Cell& c) -> std::optional<std::string> {
    switch (c.spec->col) {
      case Column::Local: return fmt::format("[+] {} socket{} on :{}", l.members, l.members == 1 ? "" : "s", l.port);
      case Column::State: return l.time_wait == l.members ? "TIME-WAIT" : l.time_wait ? "TW+closed" : "(closed)";
      case Column::Time: return duration_text(l.oldest_ns);
      default: return std::nullopt;
    }
  });
}

std::string sort_mark(const ViewState& v) { return largest_first(v.sort) != v.reverse ? "v" : "^"; }

std::string column_line(const ViewState& v, const std::vector<Cell>& cells) {
  std::string line;
  for (const Cell& c : cells) {
    if (c.spec->col == kFlag) {
      // the default order sorts by the '!' first: its mark goes there
      if (v.sort == kDefaultOrder) put(line, c.x, c.w, sort_mark(v), false);
      continue;
    }
    std::string name(column_name(c.spec->col));
    if (v.sort == c.spec->col) name += sort_mark(v);
    put(line, c.x, c.w, name, c.spec->right);
  }
  return trimmed(std::move(line));
}

Tone row_tone(const Snapshot::Row& r) {
  if (!r.stuck.empty()) return Tone::Stuck;
  if (r.closed) return Tone::Faded;
  if (r.state == "LISTEN" || r.state == "UNCONN") return Tone::Listen;
  if (r.state == "ESTABLISHED" || r.state == "ESTAB") return Tone::Established;
  if (r.state == "SYN_SENT" || r.state == "SYN_RECV" || r.state == "NEW_SYN_RECV") return Tone::Opening;
  return Tone::Closing;
}

// ---- sorting

// (number, text); rates: -1 while unknown, so those sort below 0.
using SortKey = std::tuple<double, uint64_t, std::string_view>;

// The RTT as list shows it ("350us", "1.2ms", "2.1s", "-") in ns; -1: none.
double rtt_ns(std::string_view t) {
  double v = 0;
  size_t i = 0;
  try {
    v = std::stod(std::string(t), &i);
  } catch (...) {
    return -1;
  }
  std::string_view unit = t.substr(i);
  return unit == "us" ? v * 1e3 : unit == "ms" ? v * 1e6 : unit == "s" ? v * 1e9 : unit == "ns" ? v : -1;
}

}  // namespace

bool largest_first(Column c) {
  switch (c) {
    case Column::Time: case Column::RecvQ: case Column::SendQ: case Column::RxRate: case Column::TxRate:
    case Column::Drops: case Column::Retr: case Column::Rtt: case Column::Cwnd:
      return true;
    case kDefaultOrder:  // findings, then the fullest queue, first
      return true;
    default:
      return false;
  }
}

std::string_view sort_name(Column c) { return c == kDefaultOrder ? "default (! then fullest queue)" : column_name(c); }

bool is_ended(const Snapshot::Row& r) {
  return r.closed || (r.proto == "tcp" && r.tcp_state == TcpState::TimeWait);
}

namespace {

SortKey sort_key(const Snapshot::Row& r, Column c) {
  switch (c) {
    case Column::Pid: return {0, r.pid, r.comm};
    case Column::Comm: return {0, 0, r.comm};
    case Column::Proto: return {0, 0, r.proto};
    case Column::Local: return {0, r.local_port, r.local};
    case Column::Remote: return {0, r.remote_port, r.remote};
    case Column::State: return {0, 0, r.state};
    case Column::Time: return {0, time_in_state(r), {}};
    case Column::RecvQ: return {0, r.recv_q, {}};
    case Column::SendQ: return {0, r.send_q, {}};
    case Column::RxRate: return {r.rx_rate, 0, {}};
    case Column::TxRate: return {r.tx_rate, 0, {}};
    case Column::Drops: return {0, r.drops, {}};
    case Column::Retr: return {0, r.retransmits, {}};
    case Column::Rtt: return {rtt_ns(r.rtt), 0, {}};
    case Column::Cwnd: return {0, r.cwnd, {}};
    case Column::Finding: return {r.stuck.empty() ? 1 : 0, 0, r.stuck};  // sockets with one first
    case kDefaultOrder: break;
  }
  return {};
}

// The default order's key: a finding first, then the fuller of the two
// buffers (what the queue bars show), largest first.
std::pair<int, double> default_key(const Snapshot::Row& r) {
  return {r.stuck.empty() ? 0 : 1, std::max(r.rx_pct, r.tx_pct)};
}

// ---- the header

// The non-empty parts, two spaces apart.
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += "  ";
    out += p;
  }
  return out;
}

// Line 1, shortened part by part until it fits: what was lost and which
// probes are missing stay whole; the clock and the event rate give way.
std::string summary_line(const Snapshot& s, int width) {
  std::string clock = clock_text(s.now_ns, s.wall_offset_ns);
  std::vector<std::string> mode;  // from long to short
  if (s.replay) {
    std::string where;
    if (s.now_ns >= s.replay_start_ns && s.replay_start_ns) {
      where = duration_text(s.now_ns - s.replay_start_ns);
      // appended: g++ 12 -O3 falsely warns -Wrestrict on "/" + a temporary here
      if (s.replay_end_ns > s.replay_start_ns) {
        where += '/';
        where += duration_text(s.replay_end_ns - s.replay_start_ns);
      }
    }
    std::string state = join({s.paused ? "paused" : "", s.speed != 1 ? fmt::format("x{:g}", s.speed) : "",
                              s.replay_ended ? "(end)" : ""});
    mode = {join({"replay", clock, where, state}), join({"replay", clock.substr(0, 8), where, state}),
            join({"replay", where, state})};
  } else {
    mode = {"live " + clock, "live " + clock.substr(0, 8), "live"};
  }
  std::string per_s = s.events_per_s >= 0 ? rate_text(s.events_per_s) + "/s" : "";
  // the tier in force next to the event rate it costs
  std::vector<std::string> events = {
      fmt::format("tier {} events {}{}", s.tiers, s.events, per_s.empty() ? "" : " (" + per_s + ")"),
      fmt::format("tier {} {}", s.tiers, per_s.empty() ? "events " + count(s.events) : "ev " + per_s), ""};
  uint64_t lost = s.lost_kernel + s.lost_user;
  std::vector<std::string> lost_text = {
      lost ? fmt::format("lost {} (kernel {}, user {})", lost, s.lost_kernel, s.lost_user) : "lost 0"};
  std::vector<std::string> probes;
  if (s.missing_probes.empty()) {
    probes = {"probes: all attached", "probes: all attached"};
  } else {
    size_t n = s.missing_probes.size();
    std::string names;
    for (const auto& p : s.missing_probes) names += (names.empty() ? "" : ", ") + p;
    probes = {fmt::format("probes: {} missing{}", n, names.empty() ? "" : ": " + names),
              fmt::format("probes: {} missing", n)};
  }
  // which part gives way next: mode, events, mode, events, probe names
  std::vector<std::vector<std::string>*> parts = {&mode, &events, &lost_text, &probes};
  std::vector<size_t> at(parts.size(), 0);
  const size_t steps[] = {0, 1, 0, 1, 3};
  auto line = [&] {
    std::vector<std::string> text;
    for (size_t i = 0; i < parts.size(); ++i) text.push_back((*parts[i])[at[i]]);
    return join(text);
  };
  for (size_t step : steps) {
    if (int(line().size()) <= width) break;
    ++at[step];
  }
  return line();
}

// In the table's names (ESTAB, CLOSE-WAIT), so a count reads as the rows do.
std::string states_line(const Snapshot& s) {
  size_t total = 0;
  std::map<std::string_view, size_t> by;
  for (const auto& [name, n] : s.by_state) {
    total += n;
    by[table_state(name)] += n;  // SYN_RECV and NEW_SYN_RECV are one
  }
  std::string parts;
  for (const auto& [name, n] : by) parts += fmt::format("  {} {}", name, n);
  return fmt::format("sockets {}:{}", total, parts);
}

std::string status_line(const Snapshot& snap, const ViewState& view) {
  if (view.editing) return "filter: " + view.draft + "_  (Enter: apply, Esc: clear)";
  RowFilter filter(view.filter);
  size_t shown = 0;
  for (const auto& r : snap.rows) shown += filter.matches(r);
  return fmt::format("{} of {} sockets  sort {}{}{}{}   F1 help  / filter  t tree  F6 sort  n NIC  q quit", shown,
                     snap.rows.size(), sort_name(view.sort), view.reverse ? " (reversed)" : "",
                     view.tree ? "  tree" : "", view.filter.empty() ? "" : "  filter '" + view.filter + "'");
}

}  // namespace

std::string_view column_name(Column c) {
  size_t i = static_cast<size_t>(c);
  return i < std::size(kColumnNames) ? kColumnNames[i] : "?";
}

uint64_t line_key(const Snapshot& snap, const Line& l) {
  if (l.is_ended()) return (uint64_t(1) << 62) | l.port;
  return l.is_group() ? (uint64_t(1) << 63) | l.pid : snap.rows[l.row].key;
}

bool row_matches(const Snapshot::Row& r, std::string_view text) { return RowFilter(text).matches(r); }

std::vector<Line> visible_lines(const Snapshot& snap, const ViewState& view) {
  RowFilter filter(view.filter);
  std::vector<size_t> v;
  for (size_t i = 0; i < snap.rows.size(); ++i)
    if (filter.matches(snap.rows[i])) v.push_back(i);
  // the ended sockets of each local port fold into one line, after the
  // live ones (the header's counts still count each of them). Folded
  // first, so that only the live rows are sorted: under churn nearly every
  // row is TIME_WAIT or closed.
  std::vector<Line> ended;
  if (!view.show_ended) {
    std::map<uint16_t, size_t> at_port;  // port -> index in ended, by port
    auto live = std::stable_partition(v.begin(), v.end(), [&](size_t i) { return !is_ended(snap.rows[i]); });
    for (auto it = live; it != v.end(); ++it) {
      const auto& r = snap.rows[*it];
      auto [where, fresh] = at_port.try_emplace(r.local_port, ended.size());
      if (fresh) {
        Line l{Line::kEnded, 0, 0, false};
        l.port = r.local_port;
        ended.push_back(l);
      }
      Line& l = ended[where->second];
      ++l.members;
      l.time_wait += !r.closed;
      l.oldest_ns = std::max(l.oldest_ns, time_in_state(r));
    }
    std::sort(ended.begin(), ended.end(), [](const Line& a, const Line& b) { return a.port < b.port; });
    v.erase(live, v.end());
  }
  // stable: equal keys keep the model's order (proto, ports, key)
  bool down = largest_first(view.sort) != view.reverse;
  if (view.sort == kDefaultOrder) {
    std::stable_sort(v.begin(), v.end(), [&](size_t a, size_t b) {
      auto ka = default_key(snap.rows[a]), kb = default_key(snap.rows[b]);
      return down ? kb < ka : ka < kb;
    });
  } else {
    std::stable_sort(v.begin(), v.end(), [&](size_t a, size_t b) {
      auto ka = sort_key(snap.rows[a], view.sort), kb = sort_key(snap.rows[b], view.sort);
      return down ? kb < ka : ka < kb;
    });
  }
  std::vector<Line> out;
  out.reserve(v.size() + ended.size());
  if (!view.tree) {
    for (size_t i : v) out.push_back(Line{i, snap.rows[i].pid, 0, false});
    out.insert(out.end(), ended.begin(), ended.end());
    return out;
  }
  // a process's place is that of its first socket in this order
  std::vector<uint32_t> order;
  std::unordered_map<uint32_t, std::vector<size_t>> members;
  for (size_t i : v) {
    auto& m = members[snap.rows[i].pid];
    if (m.empty()) order.push_back(snap.rows[i].pid);
    m.push_back(i);
  }
  for (uint32_t pid : order) {
    const auto& m = members[pid];
    bool collapsed = view.collapsed.count(pid) > 0;
    out.push_back(Line{Line::kGroup, pid, m.size(), collapsed});
    if (!collapsed)
      for (size_t i : m) out.push_back(Line{i, pid, 0, false});
  }
  out.insert(out.end(), ended.begin(), ended.end());
  return out;
}

int table_page(int height) { return std::max(1, height - kHeaderLines - 1); }

int endpoint_need(const Snapshot& snap) {
  // named_endpoint()'s length without building it: 100,000 rows a redraw
  auto need = [](const std::string& e) {
    if (e.rfind("127.0.0.1:", 0) == 0) return e.size() - 7;  // "lo:"
    if (e.rfind("0.0.0.0:", 0) == 0) return e.size() - 6;    // "*:"
    return e.size();
  };
  size_t n = 0;
  for (const auto& r : snap.rows) n = std::max({n, need(r.local), need(r.remote)});
  return int(std::min(n, size_t(kWidestEndpoint)));
}

Column column_at(int x, int width, int endpoints) {
  for (const Cell& c : layout(width, endpoints))
    if (c.spec->col != kFlag && x >= c.x && x <= c.x + c.w) return c.spec->col;  // the space after it too
  return Column::Count;
}

std::vector<std::string> render_table(const Snapshot& snap, const ViewState& view, int width, int height,
                                      std::vector<Tone>* tones, const std::vector<Line>* given) {
  std::vector<std::string> out;
  std::vector<Tone> tone;
  auto add = [&](std::string s, Tone t) {
    out.push_back(fit(std::move(s), width));
    tone.push_back(t);
  };
  std::vector<Cell> cells = layout(width, endpoint_need(snap));
  add(summary_line(snap, width), snap.lost_kernel + snap.lost_user ? Tone::Stuck : Tone::Header);
  add(states_line(snap), Tone::Header);
  add(column_line(view, cells), Tone::ColumnHeader);
  std::vector<Line> own;
  if (!given) own = visible_lines(snap, view);
  const std::vector<Line>& lines = given ? *given : own;
  int page = table_page(height);
  if (lines.empty()) {
    // a word that can match nothing says why: it is why the table is empty
    std::string why = RowFilter(view.filter).error();
    add(snap.rows.empty() ? "  no sockets yet"
                          : "  no sockets match the filter '" + view.filter + "'" + (why.empty() ? "" : ": " + why),
        Tone::Normal);
  }
  std::unordered_map<uint32_t, Group> groups;
  if (view.tree) groups = groups_of(snap, view);
  for (size_t i = view.scroll; i < lines.size() && i < view.scroll + size_t(page); ++i) {
    const Line& l = lines[i];
    bool selected = i == view.selected;
    if (l.is_group()) {
      add(group_line(groups[l.pid], l.collapsed, cells), selected ? Tone::Selected : Tone::Group);
    } else if (l.is_ended()) {
      add(ended_line(l, cells), selected ? Tone::Selected : Tone::Faded);
    } else {
      const auto& r = snap.rows[l.row];
      TreePlace place{view.tree, view.tree && (i + 1 == lines.size() || !lines[i + 1].is_socket())};
      add(row_line(r, cells, place), selected ? Tone::Selected : row_tone(r));
    }
  }
  while (int(out.size()) < height - 1) add("", Tone::Normal);
  add(status_line(snap, view), Tone::Header);
  if (int(out.size()) > height) {
    out.resize(size_t(std::max(height, 0)));
    tone.resize(out.size());
  }
  if (tones) *tones = std::move(tone);
  return out;
}

std::vector<std::string> render_sort_menu(const Snapshot&, const ViewState& view, int width, int height,
                                          std::vector<Tone>* tones) {
  static constexpr std::string_view kWhat[] = {
      "process id", "process name", "protocol", "local port, then address", "remote port, then address",
      "state", "time in the state", "bytes queued to read", "bytes queued to send", "bytes received per second",
      "bytes sent per second", "packets dropped", "segments retransmitted", "smoothed round-trip time",
      "congestion window (segments)", "the diagnosis finding, sockets with one first",
      "sockets with a finding, then by the fullest queue"};
  static_assert(std::size(kWhat) == size_t(kDefaultOrder) + 1);
  std::vector<std::string> out{fit("Sort by   (Up/Down, Enter: pick, Esc: cancel)", width)};
  std::vector<Tone> tone{Tone::Header};
  for (size_t c = 0; c <= size_t(kDefaultOrder); ++c) {
    bool current = Column(c) == view.sort;
    std::string_view name = Column(c) == kDefaultOrder ? "default" : column_name(Column(c));
    out.push_back(fit(fmt::format(" {} {:<7} {}{}", current ? "*" : " ", name, kWhat[c],
                                  current && view.reverse ? " (reversed)" : ""),
                      width));
    tone.push_back(c == view.menu_at ? Tone::Selected : Tone::Normal);
  }
  if (int(out.size()) > height) out.resize(size_t(std::max(height, 0))), tone.resize(out.size());
  if (tones) *tones = std::move(tone);
  return out;
}

}  // namespace sockscope::ui
