// `sockscope top`: the live view's loop. No curses types here, so the
// command line can call it without including ncurses.
#pragma once

#include "cli/session.h"
#include "model/filter.h"

namespace sockscope::ui {

struct TopOptions {
  double delay_s = 1;            // -d: refresh interval, like top
  bool color = true;             // --no-color turns it off; so does NO_COLOR
  const Filter* filter = nullptr;  // the command line's filters
};

// Runs until q or a stop signal; the terminal is restored on every exit
// path (return, exception, signal). Returns the exit status.
int run_top(Session& run, const TopOptions& o);

}  // namespace sockscope::ui
