// The main screen: header, column names, one line per socket.
#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "render.h"
#include "text.h"

namespace sockscope::ui {
namespace {

constexpr std::string_view kColumnNames[] = {"PID",  "COMM",   "PRO",    "LOCAL", "REMOTE", "STATE", "TIME",
                                             "RECV-Q", "SEND-Q", "RX/s", "TX/s",  "DROPS",  "RETR"};
static_assert(std::size(kColumnNames) == size_t(Column::Count));

Tone state_tone(const Snapshot::Row& r) {
  if (!r.stuck.empty()) return Tone::Stuck;
  if (r.closed) return Tone::Closed;
  if (r.state == "LISTEN" || r.state == "UNCONN") return Tone::Listen;
  if (r.state == "ESTABLISHED" || r.state == "ESTAB") return Tone::Established;
  if (r.state == "SYN_SENT" || r.state == "SYN_RECV" || r.state == "NEW_SYN_RECV") return Tone::Opening;
  return Tone::Closing;
}

auto sort_key(const Snapshot::Row& r, Column c) {
  // one tuple shape for every column: (number, text)
  switch (c) {
    case Column::Pid: return std::tuple(uint64_t(r.pid), std::string_view(r.comm));
    case Column::Comm: return std::tuple(uint64_t(0), std::string_view(r.comm));
    case Column::Proto: return std::tuple(uint64_t(0), std::string_view(r.proto));
    case Column::Local: return std::tuple(uint64_t(r.local_port), std::string_view(r.local));
    case Column::Remote: return std::tuple(uint64_t(r.remote_port), std::string_view(r.remote));
    case Column::State: return std::tuple(uint64_t(0), std::string_view(r.state));
    case Column::Time: return std::tuple(r.age_ns, std::string_view());
    case Column::RecvQ: return std::tuple(r.recv_q, std::string_view());
    case Column::SendQ: return std::tuple(r.send_q, std::string_view());
    case Column::RxRate: return std::tuple(uint64_t(std::max(r.rx_rate, 0.0)), std::string_view());
    case Column::TxRate: return std::tuple(uint64_t(std::max(r.tx_rate, 0.0)), std::string_view());
    case Column::Drops: return std::tuple(r.drops, std::string_view());
    case Column::Retr: return std::tuple(r.retransmits, std::string_view());
    case Column::Count: break;
  }
  return std::tuple(uint64_t(0), std::string_view());
}

// Endpoints get what the fixed columns leave, within these bounds.
struct Layout {
  size_t endpoint;
};
Layout layout(int width) {
  // flag pid comm proto state time recvq rx% sendq tx% drops retr, with separators
  constexpr int fixed = 1 + 6 + 9 + 3 + 11 + 5 + 6 + 4 + 6 + 4 + 5 + 5 + 13;
  int left = (width - fixed) / 2;
  return {size_t(std::clamp(left, 15, 46))};
}

std::string row_line(const Snapshot::Row& r, const Layout& l) {
  return fmt::format("{:1} {:>6} {:<9.9} {:<3} {:<{}} {:<{}} {:<11.11} {:>5} {:>6} {:>3.0f}% {:>6} {:>3.0f}% {:>5} "
                     "{:>5}",
                     r.stuck.empty() ? " " : "!", r.pid ? std::to_string(r.pid) : "-", r.comm, r.proto,
                     left_cut(r.local, l.endpoint), l.endpoint, left_cut(r.remote, l.endpoint), l.endpoint, r.state,
                     duration_text(r.age_ns), count(r.recv_q), std::min(r.rx_pct, 999.0), count(r.send_q),
                     std::min(r.tx_pct, 999.0), count(r.drops), count(r.retransmits));
}

std::string column_line(const ViewState& v, const Layout& l) {
  auto name = [&](Column c) {
    std::string n(column_name(c));
    return v.sort == c ? n + (v.reverse ? "v" : "^") : n;
  };
  return fmt::format("{:1} {:>6} {:<9} {:<3} {:<{}} {:<{}} {:<11} {:>5} {:>6} {:>4} {:>6} {:>4} {:>5} {:>5}", "",
                     name(Column::Pid), name(Column::Comm), name(Column::Proto), name(Column::Local), l.endpoint,
                     name(Column::Remote), l.endpoint, name(Column::State), name(Column::Time), name(Column::RecvQ),
                     "RX%", name(Column::SendQ), "TX%", name(Column::Drops), name(Column::Retr));
}

std::string summary_line(const Snapshot& s) {
  std::string when = clock_text(s.now_ns, s.wall_offset_ns);
  std::string mode = s.replay ? fmt::format("replay {}{}", when, s.replay_ended ? " (end)" : "") : "live " + when;
  return fmt::format("sockscope  {}  events {}  lost {}  probes missing {}", mode, s.events, s.lost,
                     s.probes_missing);
}

std::string states_line(const Snapshot& s) {
  size_t total = 0;
  std::string parts;
  for (const auto& [name, n] : s.by_state) {
    total += n;
    parts += fmt::format("  {} {}", name, n);
  }
  return fmt::format("sockets {}:{}", total, parts);
}

}  // namespace

std::string_view column_name(Column c) {
  size_t i = static_cast<size_t>(c);
  return i < std::size(kColumnNames) ? kColumnNames[i] : "?";
}

uint64_t line_key(const Snapshot& snap, const Line& l) {
  return l.is_group() ? (uint64_t(1) << 63) | l.pid : snap.rows[l.row].key;
}

bool row_matches(const Snapshot::Row& r, std::string_view text) {
  if (text.empty()) return true;
  std::string t = lower(text);
  for (const std::string& field : {r.comm, std::to_string(r.pid), r.local, r.remote, r.state, r.proto})
    if (lower(field).find(t) != std::string::npos) return true;
  return false;
}

std::vector<Line> visible_lines(const Snapshot& snap, const ViewState& view) {
  std::vector<size_t> v;
  for (size_t i = 0; i < snap.rows.size(); ++i)
    if (row_matches(snap.rows[i], view.filter)) v.push_back(i);
  // stable: equal keys keep the model's order (proto, ports, key)
  std::stable_sort(v.begin(), v.end(), [&](size_t a, size_t b) {
    auto ka = sort_key(snap.rows[a], view.sort), kb = sort_key(snap.rows[b], view.sort);
    return view.reverse ? kb < ka : ka < kb;
  });
  std::vector<Line> out;
  out.reserve(v.size());
  for (size_t i : v) out.push_back(Line{i, snap.rows[i].pid, 0, false});
  return out;
}

int table_page(int height) { return std::max(1, height - kHeaderLines - 1); }

Column column_at(int, int) { return Column::Count; }

std::vector<std::string> render_table(const Snapshot& snap, const ViewState& view, int width, int height,
                                      std::vector<Tone>* tones) {
  std::vector<std::string> out;
  std::vector<Tone> tone;
  auto add = [&](std::string s, Tone t) {
    out.push_back(fit(std::move(s), width));
    tone.push_back(t);
  };
  Layout l = layout(width);
  add(summary_line(snap), Tone::Header);
  add(states_line(snap), Tone::Header);
  add(column_line(view, l), Tone::ColumnHeader);
  std::vector<Line> lines = visible_lines(snap, view);
  int page = table_page(height);
  if (lines.empty()) {
    add(snap.rows.empty() ? "  no sockets yet" : "  no sockets match the filter '" + view.filter + "'", Tone::Normal);
  }
  for (size_t i = view.scroll; i < lines.size() && i < view.scroll + size_t(page); ++i) {
    const auto& r = snap.rows[lines[i].row];
    add(row_line(r, l), i == view.selected ? Tone::Selected : state_tone(r));
  }
  while (int(out.size()) < height - 1) add("", Tone::Normal);
  std::string status = view.editing ? "filter: " + view.draft + "_  (Enter: apply, Esc: clear)"
                                    : fmt::format("{} of {} sockets  sort {}{}{}   ?: help  q: quit", lines.size(),
                                                  snap.rows.size(), column_name(view.sort),
                                                  view.reverse ? " (reversed)" : "",
                                                  view.filter.empty() ? "" : "  filter '" + view.filter + "'");
  add(status, Tone::Header);
  if (int(out.size()) > height) {
    out.resize(std::max(height, 0));
    tone.resize(out.size());
  }
  if (tones) *tones = std::move(tone);
  return out;
}

std::vector<std::string> render_sort_menu(const Snapshot&, const ViewState& view, int width, int height,
                                          std::vector<Tone>* tones) {
  std::vector<std::string> out{"Sort by"};
  std::vector<Tone> tone{Tone::Header};
  for (size_t c = 0; c < size_t(Column::Count); ++c) {
    out.push_back(fit(fmt::format("{} {}", Column(c) == view.sort ? "*" : " ", column_name(Column(c))), width));
    tone.push_back(c == view.menu_at ? Tone::Selected : Tone::Normal);
  }
  if (int(out.size()) > height) out.resize(std::max(height, 0)), tone.resize(out.size());
  if (tones) *tones = std::move(tone);
  return out;
}

}  // namespace sockscope::ui
