// `sockscope top`: the live view's loop. No curses types here, so the
// command line can call it without including ncurses.
#pragma once

#include "model/filter.h"
#include "run/session.h"

namespace sockscope::ui {

struct TopOptions {
  double delay_s = 1;              // -d: refresh interval, like top
  bool color = true;               // --no-color turns it off; so does NO_COLOR
  const Filter* filter = nullptr;  // the command line's filters
  double speed = 1;                // -r --speed: the replay's pace at start
};

// Runs until q, a stop signal, or an error on either thread: the pipeline
// runs on an intake thread that owns run (and closes its recording, if
// any, as it ends); this thread owns the terminal. The terminal is restored
// on every exit path before this returns or throws; an error on either
// thread is rethrown here. Returns the exit status.
int run_top(Session& run, const TopOptions& o);

}  // namespace sockscope::ui
