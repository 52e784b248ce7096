// `sockscope top`: the one command that drives a terminal, so it lives with
// the live view; cli/main.cpp parses its options and calls it.
#pragma once

#include "run/run_options.h"

namespace sockscope {

struct TopCommandOptions {
  RunOptions common;  // filters, -r
  double delay_s = 1;  // -d, like top
  bool no_color = false;
};
int cmd_top(const TopCommandOptions& o);

}  // namespace sockscope
