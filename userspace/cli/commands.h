#pragma once

#include "../diagnosis/thresholds.h"
#include "options.h"

namespace sockscope {

int cmd_watch(const CommonOptions& o);
int cmd_list(const CommonOptions& o);
int cmd_nic(const CommonOptions& o);
int cmd_record(const CommonOptions& o);

struct DiagnoseOptions {
  CommonOptions common;  // filters, --json, --duration (default 10 s) or -r, -w
  Thresholds thresholds;
};
int cmd_diagnose(const DiagnoseOptions& o);
// The `diagnose` subcommand and its threshold options (cli/diagnose_options.cpp).
CLI::App* add_diagnose_command(CLI::App& app, DiagnoseOptions& o, CLI::Option*& duration);

struct ExportOptions {
  CommonOptions common;  // common.read_path: the trace (-r), and the filters
  std::string format;    // jsonl, csv, perfetto
  std::string output;    // -o; empty: stdout
};
int cmd_export(const ExportOptions& o);

struct TopCommandOptions {
  CommonOptions common;  // filters, -r
  double delay_s = 1;    // -d, like top
  bool no_color = false;
};
// In ui/ (sockscope_ui): the only command that drives a terminal.
int cmd_top(const TopCommandOptions& o);

}  // namespace sockscope
