// `sockscope top`: the live view over live sockets or a trace (-r).
#include "ui/cmd_top.h"

#include <unistd.h>

#include "run/session.h"
#include "ui/top.h"
#include "util/user_error.h"

namespace sockscope {

int cmd_top(const TopCommandOptions& o) {
  // ncurses would write its escape codes into the file or pipe: refuse
  // before anything is loaded, and name the commands that print text
  if (!isatty(STDOUT_FILENO))
    throw UserError("top draws the live view on a terminal, and stdout is not one; to write text to a file or "
                    "pipe use 'sockscope list' (a table of sockets) or 'sockscope watch' (one line per event)",
                    2);
  // the kernel's tables are read as often as the view refreshes
  RunOptions common = o.common;
  if (common.pass_interval_s <= 0) common.pass_interval_s = o.delay_s;
  Session run(common);
  ui::TopOptions t;
  t.delay_s = o.delay_s;
  t.color = !o.no_color;
  t.filter = &o.common.filter;
  t.speed = o.common.speed;
  // the terminal is back when this returns or throws, and a recording (-w)
  // is closed; on an error main() reports it, without the summaries
  int rc = ui::run_top(run, t);
  run.finish();
  return rc;
}

}  // namespace sockscope
