#include "keys.h"

#include <algorithm>

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
}

void shift_sort(ViewState& v, int by) {
  int n = static_cast<int>(Column::Count);
  v.sort = static_cast<Column>((static_cast<int>(v.sort) + by + n) % n);
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

}  // namespace

Action apply_key(ViewState& v, const KeyInput& in, const Snapshot& snap, const std::vector<Line>& lines, int page,
                 int width) {
  (void)width;
  int key = in.key;
  if (v.editing) {
    filter_key(v, key);
    return Action::None;
  }
  if (Action a = replay_key(key); a != Action::None) return a;
  if (v.mode != Mode::Table) {
    if (key == kKeyEscape || key == 'q' || key == kKeyBackspace || v.mode == Mode::Help) v.mode = Mode::Table;
    return Action::None;
  }
  long at = long(v.selected);
  switch (key) {
    case 'q': return Action::Quit;
    case kKeyUp: case 'k': select(v, snap, lines, at - 1, page); break;
    case kKeyDown: case 'j': select(v, snap, lines, at + 1, page); break;
    case kKeyPageUp: select(v, snap, lines, at - page, page); break;
    case kKeyPageDown: select(v, snap, lines, at + page, page); break;
    case kKeyHome: select(v, snap, lines, 0, page); break;
    case kKeyEnd: select(v, snap, lines, long(lines.size()) - 1, page); break;
    case '<': shift_sort(v, -1); break;
    case '>': shift_sort(v, +1); break;
    case 'I': v.reverse = !v.reverse; break;
    case '/': v.editing = true; v.draft = v.filter; break;
    case '?': v.mode = Mode::Help; break;
    case kKeyEnter:
      if (!lines.empty()) {
        select(v, snap, lines, at, page);
        if (!lines[v.selected].is_group()) v.mode = Mode::Detail;
      }
      break;
    default: break;
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
