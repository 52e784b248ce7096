// What each key does to the view: a pure function, so the key handling is
// tested without a terminal. The terminal maps its key codes to these.
#pragma once

#include <vector>

#include "render.h"

namespace sockscope::ui {

enum Key : int {
  // printable keys are their character
  kKeyNone = -1,
  kKeyUp = 0x10000,
  kKeyDown,
  kKeyPageUp,
  kKeyPageDown,
  kKeyHome,
  kKeyEnd,
  kKeyEnter,
  kKeyEscape,
  kKeyBackspace,
  kKeyResize,
};

// Applies key to view; rows: what visible_rows() gives now; page: rows
// per screen. Returns false when the key quits the view.
bool apply_key(ViewState& view, int key, const Snapshot& snap, const std::vector<size_t>& rows, int page);

// Keeps the selection on the same socket after a refresh re-sorted or
// filtered the rows, and the selection on screen.
void follow_selection(ViewState& view, const Snapshot& snap, const std::vector<size_t>& rows, int page);

}  // namespace sockscope::ui
