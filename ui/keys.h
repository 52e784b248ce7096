// What each key does to the view: a pure function, so the key handling is
// tested without a terminal. The terminal maps its key codes to these.
#pragma once

#include <vector>

#include "ui/render.h"

namespace sockscope::ui {

enum Key : int {
  // printable keys are their character
  kKeyNone = -1,
  kKeyUp = 0x10000,
  kKeyDown,
  kKeyLeft,
  kKeyRight,
  kKeyPageUp,
  kKeyPageDown,
  kKeyHome,
  kKeyEnd,
  kKeyEnter,
  kKeyEscape,
  kKeyBackspace,
  kKeyResize,
  kKeyF1,
  kKeyF3,
  kKeyF4,
  kKeyF5,
  kKeyF6,
  kKeyF10,
  kKeyMouse,  // a left click; where is in KeyInput::x/y
};

struct KeyInput {
  int key = kKeyNone;
  int x = 0, y = 0;  // kKeyMouse: the cell clicked
};

// What a key asks of the loop besides changing the view.
enum class Action {
  None,
  Quit,
  // replay only (ignored live)
  PlayPause,  // space
  Slower,     // [
  Faster,     // ]
  Step,       // . : one second of the recording, paused
  SeekStart,  // 0 : back to the recording's start
  SeekEnd,    // $ : read to the end
  // live only
  Detail,     // D : the syscalls detail tier for the selected socket's process, on or off
};

// Applies a key to view. lines: what visible_lines() gives now; page: rows
// per screen; width: the screen's, for mouse clicks on column names.
Action apply_key(ViewState& view, const KeyInput& in, const Snapshot& snap, const std::vector<Line>& lines,
                 int page, int width);

// Keeps the selection on the same line after a refresh re-sorted or
// filtered the lines, and the selection on screen.
void follow_selection(ViewState& view, const Snapshot& snap, const std::vector<Line>& lines, int page);

}  // namespace sockscope::ui
