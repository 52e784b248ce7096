// `sockscope top`: the live view over live sockets or a trace (-r).
#include "cli/commands.h"
#include "cli/session.h"
#include "top.h"

namespace sockscope {

int cmd_top(const TopCommandOptions& o) {
  Session run(o.common);
  ui::TopOptions t;
  t.delay_s = o.delay_s;
  t.color = !o.no_color;
  t.filter = &o.common.filter;
  int rc = ui::run_top(run, t);  // the terminal is back when this returns
  run.finish();
  return rc;
}

}  // namespace sockscope
