// The options the commands share, parsed with CLI11 into RunOptions.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "run/run_options.h"

namespace sockscope {

// Adds the ss-style filters and the tuning options to a subcommand.
void add_common_options(CLI::App& cmd, RunOptions& o);
// Only the socket filters, or only the tuning options (for commands that
// show no sockets).
void add_filter_options(CLI::App& cmd, RunOptions& o);
void add_tuning_options(CLI::App& cmd, RunOptions& o);
// The ss filter expression after the options, and -F FILE (part of
// add_filter_options; cli/filter_expression.cpp).
void add_expression_options(CLI::App& cmd, RunOptions& o);
// Parses them into o.filter.ss; throws UserError (exit 2) with the
// filter and a caret under the offending word.
void finish_expression(RunOptions& o);
// --json, for the commands that print text a tool may want as JSON; top
// (a terminal view) and record (a trace file) refuse it rather than
// ignore it.
void add_json_option(CLI::App& cmd, RunOptions& o);
// -r FILE (replay) and -w FILE (record as well), tcpdump style.
CLI::Option* add_read_option(CLI::App& cmd, RunOptions& o);
void add_write_options(CLI::App& cmd, RunOptions& o, bool required);
// --speed X for a paced replay (top): needs read, the -r option.
void add_speed_option(CLI::App& cmd, RunOptions& o, CLI::Option* read);
inline constexpr double kMinSpeedOption = 0.1, kMaxSpeedOption = 1000;
// Turns option strings into values; throws UserError (exit 2) on bad ones.
void finish_options(RunOptions& o);

}  // namespace sockscope
