#include "ui/keys.h"

#include <algorithm>
#include <string>

namespace sockscope::ui {
namespace {

void select(ViewState& v, const Snapshot& snap, const std::vector<Line>& lines, long index, int page) {
  if (lines.empty()) {
    v.selected = v.scroll = 0;
    v.selected_key = 0;
    return;
  }
  v.selected = size_t(std::clamp<long>(index, 0, long(lines.size()) - 1));
  v.selected_key = line_key(snap, lines[v.selected]);
  if (v.selected < v.scroll) v.scroll = v.selected;
  if (v.selected >= v.scroll + size_t(page)) v.scroll = v.selected - size_t(page) + 1;
  // fewer lines than before (a filter, sockets gone): no page that is
  // part empty while lines above it are scrolled off
  size_t last_page = lines.size() > size_t(page) ? lines.size() - size_t(page) : 0;
  v.scroll = std::min(v.scroll, last_page);
}

// After the lines changed shape (tree on or off, a process folded): the
// same socket or process if it is still shown, else what stands for it
// now (a folded socket: its process; a process out of the tree: its first
// socket).
void reselect(ViewState& v, const Snapshot& snap, uint32_t pid, int page) {
  std::vector<Line> lines = visible_lines(snap, v);
  long at = -1, group = -1, first = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (line_key(snap, lines[i]) == v.selected_key) at = long(i);
    if (lines[i].pid == pid && lines[i].is_group() && group < 0) group = long(i);
    if (lines[i].pid == pid && !lines[i].is_group() && first < 0) first = long(i);
  }
  if (at < 0) at = group >= 0 ? group : first >= 0 ? first : long(v.selected);
  select(v, snap, lines, at, page);
}

void fold(ViewState& v, const Snapshot& snap, const std::vector<Line>& lines, bool collapse, int page) {
  if (!v.tree || v.selected >= lines.size()) return;
  uint32_t pid = lines[v.selected].pid;
  if (collapse) v.collapsed.insert(pid);
  else v.collapsed.erase(pid);
  reselect(v, snap, pid, page);  // a socket folded away: its process's line
}

void toggle_tree(ViewState& v, const Snapshot& snap, const std::vector<Line>& lines, int page) {
  uint32_t pid = v.selected < lines.size() ? lines[v.selected].pid : 0;
  v.tree = !v.tree;
  reselect(v, snap, pid, page);
}

// The default order is one past the last column: < > come round to it.
// `w`, or Enter on a port's ended line: every TIME_WAIT and closed socket,
// or one line per port again. The selection stays on its socket, or moves
// to the port's first socket / the port's line.
void toggle_ended(ViewState& v, const Snapshot& snap, const std::vector<Line>& lines, int page) {
  uint16_t port = 0;
  if (v.selected < lines.size()) {
    const Line& l = lines[v.selected];
    port = l.is_ended() ? l.port : l.is_socket() ? snap.rows[l.row].local_port : 0;
  }
  v.show_ended = !v.show_ended;
  std::vector<Line> now = visible_lines(snap, v);
  long at = -1, port_at = -1;
  for (size_t i = 0; i < now.size(); ++i) {
    if (line_key(snap, now[i]) == v.selected_key) at = long(i);
    bool here = now[i].is_ended() ? now[i].port == port
                                  : now[i].is_socket() && is_ended(snap.rows[now[i].row]) &&
                                        snap.rows[now[i].row].local_port == port;
    if (here && port_at < 0) port_at = long(i);
  }
  if (at < 0) at = port_at >= 0 ? port_at : long(v.selected);
  select(v, snap, now, at, page);
}

void shift_sort(ViewState& v, int by) {
  int n = static_cast<int>(kDefaultOrder) + 1;
  v.sort = static_cast<Column>((static_cast<int>(v.sort) + by + n) % n);
}

// Like htop: a click on the sorted column turns the order round.
void sort_by(ViewState& v, Column c) {
  if (c == Column::Count) return;
  if (v.sort == c) {
    v.reverse = !v.reverse;
  } else {
    v.sort = c;
    v.reverse = false;
  }
}

// A new filter: the selected line if it still matches, else the first, so
// the view starts at the top of what matched rather than where the old
// selection was (after End, that left one row on the screen).
void refilter(ViewState& v, const Snapshot& snap, int page) {
  std::vector<Line> lines = visible_lines(snap, v);
  long at = 0;
  for (size_t i = 0; i < lines.size(); ++i)
    if (line_key(snap, lines[i]) == v.selected_key) at = long(i);
  v.scroll = 0;
  select(v, snap, lines, at, page);
}

void filter_key(ViewState& v, int key) {
  if (key == kKeyEnter) {
    v.filter = v.draft;
    v.editing = false;
  } else if (key == kKeyEscape) {
    v.filter.clear();
    v.draft.clear();
    v.editing = false;
  } else if (key == kKeyBackspace) {
    if (!v.draft.empty()) v.draft.pop_back();
  } else if (key >= 0x20 && key < 0x7f) {
    v.draft += char(key);
  }
}

Action replay_key(int key) {
  switch (key) {
    case ' ': return Action::PlayPause;
    case '[': return Action::Slower;
    case ']': return Action::Faster;
    case '.': return Action::Step;
    case '0': return Action::SeekStart;
    case '$': return Action::SeekEnd;
    default: return Action::None;
  }
}

// The detail's length as render_detail lays it out at this width: the
// keys clamp the scroll with it, so Up after End moves at once.
size_t detail_length(const Snapshot& snap, const ViewState& v, int width) {
  constexpr int kTall = 4096;  // more lines than a detail has
  for (const auto& r : snap.rows) {
    if (r.key != v.selected_key) continue;
    ViewState top = v;
    top.detail_scroll = 0;
    auto lines = render_detail(snap, r, top, width, kTall);
    size_t n = lines.empty() ? 0 : lines.size() - 1;  // without the footer
    while (n > 0 && lines[n - 1].empty()) --n;         // nor the padding
    return n;
  }
  return 0;
}

void detail_key(ViewState& v, int key, const Snapshot& snap, int page, int width) {
  // the detail screen is the table's height: its body is one line shorter
  size_t body = size_t(page + kHeaderLines);
  long at = long(v.detail_scroll);
  switch (key) {
    case kKeyEscape: case 'q': case kKeyBackspace: case kKeyF10:
      v.mode = Mode::Table;
      v.detail_scroll = 0;
      return;
    case '?': case kKeyF1: case 'h': v.mode = Mode::Help; return;
    case kKeyUp: case 'k': --at; break;
    case kKeyDown: case 'j': ++at; break;
    case kKeyPageUp: at -= long(body); break;
    case kKeyPageDown: at += long(body); break;
    case kKeyHome: at = 0; break;
    case kKeyEnd: at = long(detail_length(snap, v, width)); break;
    default: return;
  }
  size_t n = detail_length(snap, v, width);
  long last = n > body ? long(n - body) : 0;
  v.detail_scroll = size_t(std::clamp<long>(at, 0, last));
}

void menu_key(ViewState& v, const KeyInput& in) {
  long n = long(kDefaultOrder) + 1, at = long(v.menu_at);  // the columns, then the default order
  switch (in.key) {
    case kKeyUp: case 'k': at = std::max(at - 1, 0L); break;
    case kKeyDown: case 'j': at = std::min(at + 1, n - 1); break;
    case kKeyHome: at = 0; break;
    case kKeyEnd: at = n - 1; break;
    case kKeyEnter:
      v.sort = Column(at);
      v.mode = Mode::Table;
      break;
    case kKeyMouse:
      // render_sort_menu: a title, then one line per column
      if (in.y >= 1 && in.y <= n) {
        v.sort = Column(in.y - 1);
        v.mode = Mode::Table;
      }
      break;
    case kKeyEscape: case 'q': case kKeyF6: case kKeyF10: case kKeyBackspace: v.mode = Mode::Table; break;
    default: break;
  }
  v.menu_at = size_t(at);
}

Action table_key(ViewState& v, const KeyInput& in, const Snapshot& snap, const std::vector<Line>& lines, int page,
                 int width) {
  long at = long(v.selected);
  switch (in.key) {
    case 'q': case kKeyF10: return Action::Quit;
    case kKeyUp: case 'k': select(v, snap, lines, at - 1, page); break;
    case kKeyDown: case 'j': select(v, snap, lines, at + 1, page); break;
    case kKeyPageUp: select(v, snap, lines, at - page, page); break;
    case kKeyPageDown: select(v, snap, lines, at + page, page); break;
    case kKeyHome: select(v, snap, lines, 0, page); break;
    case kKeyEnd: select(v, snap, lines, long(lines.size()) - 1, page); break;
    case '<': shift_sort(v, -1); break;
    case '>': shift_sort(v, +1); break;
    case 'I': v.reverse = !v.reverse; break;
    case 'D': return Action::Detail;
    case kKeyF6:
      v.mode = Mode::SortMenu;
      v.menu_at = size_t(v.sort);
      break;
    case '/': case kKeyF3: case kKeyF4:
      v.editing = true;
      v.draft = v.filter;
      break;
    case '?': case kKeyF1: case 'h': v.mode = Mode::Help; break;
    case 'n': case '\t': v.mode = Mode::Nic; break;
    case 't': case kKeyF5: toggle_tree(v, snap, lines, page); break;
    case 'w': toggle_ended(v, snap, lines, page); break;
    case '-': case kKeyLeft: fold(v, snap, lines, true, page); break;
    case '+': case kKeyRight: fold(v, snap, lines, false, page); break;
    case kKeyEnter:
      if (lines.empty()) break;
      select(v, snap, lines, at, page);
      if (lines[v.selected].is_group()) {
        fold(v, snap, lines, !lines[v.selected].collapsed, page);
      } else if (lines[v.selected].is_ended()) {
        toggle_ended(v, snap, lines, page);
      } else {
        v.mode = Mode::Detail;
        v.detail_scroll = 0;
      }
      break;
    case kKeyMouse:
      if (in.y == kHeaderLines - 1) sort_by(v, column_at(in.x, width, endpoint_need(snap)));
      else if (in.y >= kHeaderLines && in.y < kHeaderLines + page && v.scroll + size_t(in.y - kHeaderLines) < lines.size())
        select(v, snap, lines, long(v.scroll) + in.y - kHeaderLines, page);
      break;
    default: break;
  }
  return Action::None;
}

}  // namespace

Action apply_key(ViewState& v, const KeyInput& in, const Snapshot& snap, const std::vector<Line>& lines, int page,
                 int width) {
  int key = in.key;
  if (v.editing) {
    std::string before = v.filter;
    filter_key(v, key);
    if (v.filter != before) refilter(v, snap, page);
    return Action::None;
  }
  if (Action a = replay_key(key); a != Action::None) return a;
  switch (v.mode) {
    case Mode::Table: return table_key(v, in, snap, lines, page, width);
    case Mode::Detail:
      if (key == 'D') return Action::Detail;
      detail_key(v, key, snap, page, width);
      break;
    case Mode::SortMenu: menu_key(v, in); break;
    case Mode::Nic:
      if (key == 'n' || key == '\t' || key == kKeyEscape || key == 'q' || key == kKeyBackspace || key == kKeyF10)
        v.mode = Mode::Table;
      else if (key == '?' || key == kKeyF1 || key == 'h')
        v.mode = Mode::Help;
      break;
    case Mode::Help:
      if (key != kKeyNone && key != kKeyResize) v.mode = Mode::Table;  // any key, as the help says
      break;
  }
  return Action::None;
}

void follow_selection(ViewState& v, const Snapshot& snap, const std::vector<Line>& lines, int page) {
  long at = long(v.selected);
  if (v.selected_key)
    for (size_t i = 0; i < lines.size(); ++i)
      if (line_key(snap, lines[i]) == v.selected_key) at = long(i);
  select(v, snap, lines, at, page);
}

}  // namespace sockscope::ui
