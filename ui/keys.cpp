#include "keys.h"

#include <algorithm>

namespace sockscope::ui {
namespace {

void select(ViewState& v, const Snapshot& snap, const std::vector<size_t>& rows, long index, int page) {
  if (rows.empty()) {
    v.selected = v.scroll = 0;
    v.selected_key = 0;
    return;
  }
  v.selected = size_t(std::clamp<long>(index, 0, long(rows.size()) - 1));
  v.selected_key = snap.rows[rows[v.selected]].key;
  if (v.selected < v.scroll) v.scroll = v.selected;
  if (v.selected >= v.scroll + size_t(page)) v.scroll = v.selected - size_t(page) + 1;
}

void shift_sort(ViewState& v, int by) {
  int n = static_cast<int>(Column::Count);
  v.sort = static_cast<Column>((static_cast<int>(v.sort) + by + n) % n);
}

bool filter_key(ViewState& v, int key) {
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
  return true;
}

}  // namespace

bool apply_key(ViewState& v, int key, const Snapshot& snap, const std::vector<size_t>& rows, int page) {
  if (v.editing) return filter_key(v, key);
  if (v.mode != Mode::Table) {
    if (key == kKeyEscape || key == 'q' || key == kKeyBackspace || v.mode == Mode::Help) v.mode = Mode::Table;
    return true;
  }
  long at = long(v.selected);
  switch (key) {
    case 'q': return false;
    case kKeyUp: case 'k': select(v, snap, rows, at - 1, page); break;
    case kKeyDown: case 'j': select(v, snap, rows, at + 1, page); break;
    case kKeyPageUp: select(v, snap, rows, at - page, page); break;
    case kKeyPageDown: select(v, snap, rows, at + page, page); break;
    case kKeyHome: select(v, snap, rows, 0, page); break;
    case kKeyEnd: select(v, snap, rows, long(rows.size()) - 1, page); break;
    case '<': shift_sort(v, -1); break;
    case '>': shift_sort(v, +1); break;
    case 'I': v.reverse = !v.reverse; break;
    case '/': v.editing = true; v.draft = v.filter; break;
    case '?': v.mode = Mode::Help; break;
    case kKeyEnter:
      if (!rows.empty()) {
        select(v, snap, rows, at, page);
        v.mode = Mode::Detail;
      }
      break;
    default: break;
  }
  return true;
}

void follow_selection(ViewState& v, const Snapshot& snap, const std::vector<size_t>& rows, int page) {
  long at = long(v.selected);
  if (v.selected_key)
    for (size_t i = 0; i < rows.size(); ++i)
      if (snap.rows[rows[i]].key == v.selected_key) at = long(i);
  select(v, snap, rows, at, page);
}

}  // namespace sockscope::ui
