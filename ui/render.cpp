#include "render.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include <fmt/format.h>

#include "model/names.h"

namespace sockscope::ui {
namespace {

constexpr std::string_view kColumnNames[] = {"PID",  "COMM",  "PRO",    "LOCAL", "REMOTE", "STATE",
                                             "TIME", "RECV-Q", "SEND-Q", "DROPS", "RETR"};

std::string fit(std::string s, int width) {
  if (width <= 0) return {};
  if (s.size() > size_t(width)) s.resize(width);
  return s;
}

// Endpoints keep their port visible: cut from the left.
std::string left_cut(const std::string& s, size_t w) {
  if (s.size() <= w) return s;
  return "~" + s.substr(s.size() - w + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string count(uint64_t n) {
  if (n < 100'000) return std::to_string(n);
  if (n < 100'000'000) return fmt::format("{}K", n / 1000);
  return fmt::format("{}M", n / 1'000'000);
}

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
  return fmt::format("sockscope  {}  events {}  lost {}  probes missing {}", mode, s.events, s.lost, s.probes_missing);
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

std::string duration_text(uint64_t ns) {
  uint64_t s = ns / 1'000'000'000;
  if (ns < 1'000'000) return fmt::format("{}us", ns / 1000);
  if (ns < 1'000'000'000) return fmt::format("{}ms", ns / 1'000'000);
  if (s < 60) return fmt::format("{}.{}s", s, ns / 100'000'000 % 10);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

std::string clock_text(uint64_t mono_ns, int64_t wall_offset_ns) {
  int64_t wall = int64_t(mono_ns) + wall_offset_ns;
  time_t secs = wall / 1'000'000'000;
  struct tm tm {};
  localtime_r(&secs, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", tm.tm_hour, tm.tm_min, tm.tm_sec, wall / 1'000'000 % 1000);
}

bool row_matches(const Snapshot::Row& r, std::string_view text) {
  if (text.empty()) return true;
  std::string t = lower(text);
  for (const std::string& field : {r.comm, std::to_string(r.pid), r.local, r.remote, r.state, r.proto})
    if (lower(field).find(t) != std::string::npos) return true;
  return false;
}

std::vector<size_t> visible_rows(const Snapshot& snap, const ViewState& view) {
  std::vector<size_t> v;
  for (size_t i = 0; i < snap.rows.size(); ++i)
    if (row_matches(snap.rows[i], view.filter)) v.push_back(i);
  // stable: equal keys keep the model's order (proto, ports, key)
  std::stable_sort(v.begin(), v.end(), [&](size_t a, size_t b) {
    auto ka = sort_key(snap.rows[a], view.sort), kb = sort_key(snap.rows[b], view.sort);
    return view.reverse ? kb < ka : ka < kb;
  });
  return v;
}

int table_page(int height) { return std::max(1, height - kHeaderLines - 1); }

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
  std::vector<size_t> rows = visible_rows(snap, view);
  int page = table_page(height);
  if (rows.empty()) {
    add(snap.rows.empty() ? "  no sockets yet" : "  no sockets match the filter '" + view.filter + "'", Tone::Normal);
  }
  for (size_t i = view.scroll; i < rows.size() && i < view.scroll + size_t(page); ++i) {
    const auto& r = snap.rows[rows[i]];
    add(row_line(r, l), i == view.selected ? Tone::Selected : state_tone(r));
  }
  while (int(out.size()) < height - 1) add("", Tone::Normal);
  std::string status = view.editing ? "filter: " + view.draft + "_  (Enter: apply, Esc: clear)"
                                    : fmt::format("{} of {} sockets  sort {}{}{}   ?: help  q: quit", rows.size(),
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

std::vector<std::string> render_detail(const Snapshot& snap, const Snapshot::Row& r, int width, int height) {
  std::vector<std::string> out;
  auto add = [&](std::string s) { out.push_back(fit(std::move(s), width)); };
  add(fmt::format("socket {}  {}  {} -> {}", r.cookie, r.proto, r.local, r.remote));
  add(fmt::format("owner  pid {}  comm {}  fd {}", r.pid ? std::to_string(r.pid) : "-", r.comm, r.fd));
  add(fmt::format("now    {} for {}  recv-q {} ({:.0f}%)  send-q {} ({:.0f}%)", r.state, duration_text(r.age_ns),
                  r.recv_q, r.rx_pct, r.send_q, r.tx_pct));
  add(fmt::format("       drops {}  retransmits {}  rtt {}", r.drops, r.retransmits, r.rtt));
  if (!r.stuck.empty()) add("stuck  " + r.stuck);
  add("");
  add("State history");
  if (!snap.detail || snap.detail->key != r.key) {
    add("  (no history kept)");
  } else {
    const auto& h = snap.detail->history;
    if (snap.detail->history_dropped) add(fmt::format("  ... {} earlier changes not kept", snap.detail->history_dropped));
    for (size_t i = 0; i < h.size(); ++i) {
      uint64_t until = i + 1 < h.size() ? h[i + 1].ts_ns : snap.now_ns;
      uint64_t d = until > h[i].ts_ns ? until - h[i].ts_ns : 0;
      add(fmt::format("  {}  {:<12} {}{}", clock_text(h[i].ts_ns, snap.wall_offset_ns), tcp_state_name(h[i].state),
                      duration_text(d), i + 1 < h.size() ? "" : " (now)"));
    }
    if (!snap.detail->calls.empty()) {
      add("");
      add("Recent calls");
      for (const auto& c : snap.detail->calls)
        add(fmt::format("  {}  {:<12} ret {}  took {}", clock_text(c.enter_ns, snap.wall_offset_ns), call_name(c.call),
                        c.ret, duration_text(c.exit_ns > c.enter_ns ? c.exit_ns - c.enter_ns : 0)));
    }
  }
  if (int(out.size()) > height - 1) out.resize(std::max(height - 1, 0));
  while (int(out.size()) < height - 1) add("");
  add("Esc/q/Backspace: back");
  return out;
}

std::vector<std::string> render_help(int width, int height) {
  static const char* kLines[] = {
      "sockscope top: keys",
      "",
      "  Up/Down, j/k      move the selection",
      "  PgUp/PgDn         move a page; Home/End: first/last",
      "  < >               sort by the previous / next column",
      "  I                 reverse the sort order",
      "  /                 filter: text in comm, pid, endpoints, state",
      "                    (Enter applies, Esc clears)",
      "  Enter             the selected socket's detail and history",
      "  Esc, q, Backspace back from detail or help",
      "  ?                 this help",
      "  q                 quit",
      "",
      "A '!' in the first column: the socket looks stuck (unread data for",
      "over 5 s, CLOSE_WAIT for over 10 s, or a SYN retransmitted).",
      "",
      "Any key: back",
  };
  std::vector<std::string> out;
  for (const char* l : kLines) out.push_back(fit(l, width));
  if (int(out.size()) > height) out.resize(std::max(height, 0));
  return out;
}

}  // namespace sockscope::ui
