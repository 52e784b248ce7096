// `sockscope record -w FILE`: record headless until the duration ends or
// Ctrl-C / SIGTERM, then say what was written and what was lost.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "run/session.h"

namespace sockscope {

int cmd_record(const RunOptions& o) {
  Session run(o);
  std::cerr << fmt::format("sockscope: recording to {}{}", o.write_path,
                           o.duration_s > 0 ? fmt::format(" for {} s", o.duration_s) : "; Ctrl-C to stop")
            << std::endl;
  run.run();
  run.finish();  // says what was written and lost
  return 0;
}

}  // namespace sockscope
