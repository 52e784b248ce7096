// sockscope: see every socket's lifecycle and buffers as they change.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/usage_errors.h"
#include "cli/validators.h"
#include "export/exporter.h"
#include "run/signals.h"
#include "ui/cmd_top.h"
#include "util/user_error.h"

using namespace sockscope;

namespace {

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

CLI::Option* add_duration(CLI::App& cmd, RunOptions& o, const char* help) {
  return cmd.add_option("--duration", o.duration_s, help)->check(seconds_above_zero());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sockscope: how every socket got where it is: lifecycle, syscalls and buffer occupancy"};
  app.set_version_flag("--version", "sockscope " SOCKSCOPE_VERSION);
  app.require_subcommand(0, 1);
  app.failure_message(usage_error_message);

  RunOptions watch_o, list_o, nic_o, record_o;
  ExportOptions export_o;
  TopCommandOptions top_o;
  list_o.duration_s = 1;
  nic_o.duration_s = 1;
  auto* watch = app.add_subcommand("watch", "Print one line per socket event until Ctrl-C");
  add_common_options(*watch, watch_o);
  add_json_option(*watch, watch_o);
  add_read_option(*watch, watch_o);
  add_write_options(*watch, watch_o, false);
  auto* watch_d = add_duration(*watch, watch_o, "Stop after this many seconds (with -r: of the recording)");

  auto* top = app.add_subcommand("top", "The live view: a table of sockets, updated in place (the default on a terminal)");
  add_common_options(*top, top_o.common);
  auto* top_r = add_read_option(*top, top_o.common);
  add_write_options(*top, top_o.common, false);
  add_speed_option(*top, top_o.common, top_r);
  top->add_option("-d,--delay", top_o.delay_s, "Seconds between refreshes, like top (default 1)")
      ->check(seconds_above_zero());
  top->add_flag("--no-color", top_o.no_color, "No colours (NO_COLOR in the environment does the same)");

  auto* list = app.add_subcommand("list", "Collect for a while, then list sockets like ss -tanpm");
  add_common_options(*list, list_o);
  add_json_option(*list, list_o);
  add_read_option(*list, list_o);
  add_write_options(*list, list_o, false);
  auto* list_d = add_duration(*list, list_o, "Seconds to collect before printing (default 1; with -r: the whole file)");

  auto* nic = app.add_subcommand("nic", "Collect for a while, then list network devices: packets, NAPI polls, drops");
  add_tuning_options(*nic, nic_o);  // per device: the socket filters do not apply
  add_json_option(*nic, nic_o);
  add_read_option(*nic, nic_o);
  add_write_options(*nic, nic_o, false);
  auto* nic_d = add_duration(*nic, nic_o, "Seconds to collect before printing (default 1; with -r: the whole file)");

  auto* record = app.add_subcommand("record", "Record to a trace file until the duration ends or Ctrl-C / SIGTERM");
  add_common_options(*record, record_o);
  add_write_options(*record, record_o, true);
  add_duration(*record, record_o, "Stop after this many seconds (default: until Ctrl-C or SIGTERM)");

  DiagnoseOptions diag_o;
  CLI::Option* diag_d = nullptr;
  auto* diag = add_diagnose_command(app, diag_o, diag_d);

  auto* exp = app.add_subcommand("export", "Convert a trace file for other tools: jsonl, csv or perfetto");
  add_filter_options(*exp, export_o.common);
  exp->add_option("-r,--read", export_o.common.read_path, "The trace file to convert ('-': stdin)")->required();
  exp->add_option("--format", export_o.format, "jsonl (one event per line), csv (one row per socket), "
                                               "perfetto (a timeline for ui.perfetto.dev)")
      ->required()
      ->check(CLI::IsMember(export_formats()));
  exp->add_option("-o,--output", export_o.output, "Write here instead of stdout (mode 0600)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; for the rest usage_error_message
    // says what was wrong
    app.exit(e);
    return e.get_exit_code() == 0 ? 0 : 2;
  }

  try {
    install_stop_handlers();
    std::string cmdline = command_line(argc, argv);
    auto finish = [&](RunOptions& o, const CLI::Option* d) {
      o.duration_set = d && d->count() > 0;
      o.command_line = cmdline;
      finish_options(o);
    };
    if (*list) {
      finish(list_o, list_d);
      return cmd_list(list_o);
    }
    if (*nic) {
      finish(nic_o, nic_d);
      return cmd_nic(nic_o);
    }
    if (*record) {
      finish(record_o, nullptr);
      if (record->count("--retention") == 0) record_o.retention_s = record_retention_s(record_o.pass_interval_s);
      return cmd_record(record_o);
    }
    if (*diag) {
      finish(diag_o.common, diag_d);
      return cmd_diagnose(diag_o);
    }
    if (*exp) {
      finish(export_o.common, nullptr);
      return cmd_export(export_o);
    }
    if (*top || (!*watch && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))) {
      finish(top_o.common, nullptr);  // no command on a terminal: the live view
      return cmd_top(top_o);
    }
    finish(watch_o, watch_d);  // no command, output not a terminal: one line per event
    return cmd_watch(watch_o);
  } catch (const UserError& e) {
    std::cerr << "sockscope: " << e.what() << std::endl;
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "sockscope: internal error: " << e.what() << std::endl;
    return 3;
  }
}
