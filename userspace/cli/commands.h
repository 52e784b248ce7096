// The commands main() runs, each in its own cmd_*.cpp. Options are parsed
// in main.cpp and cli/options.cpp; CLI11 is named here only by its types,
// so that a command's file compiles without it.
#pragma once

#include <string>

#include "diagnosis/thresholds.h"
#include "run/run_options.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sockscope {

int cmd_watch(const RunOptions& o);
int cmd_list(const RunOptions& o);
int cmd_nic(const RunOptions& o);
int cmd_record(const RunOptions& o);

struct DiagnoseOptions {
  RunOptions common;  // filters, --json, --duration (default 10 s) or -r, -w
  Thresholds thresholds;
};
int cmd_diagnose(const DiagnoseOptions& o);
// The `diagnose` subcommand and its threshold options (cli/diagnose_options.cpp).
CLI::App* add_diagnose_command(CLI::App& app, DiagnoseOptions& o, CLI::Option*& duration);

struct ExportOptions {
  RunOptions common;  // common.read_path: the trace (-r), and the filters
  std::string format;  // jsonl, csv, perfetto
  std::string output;  // -o; empty: stdout
};
int cmd_export(const ExportOptions& o);

}  // namespace sockscope
