// sockscope: see every socket's lifecycle and buffers as they change.
#include <iostream>

#include <CLI/CLI.hpp>

#include "../util/user_error.h"
#include "commands.h"
#include "signals.h"

using namespace sockscope;

int main(int argc, char** argv) {
  CLI::App app{"sockscope: how every socket got where it is: lifecycle, syscalls and buffer occupancy"};
  app.set_version_flag("--version", "sockscope 0.1");
  app.require_subcommand(0, 1);

  CommonOptions watch_o, list_o, nic_o;
  list_o.duration_s = 1;
  nic_o.duration_s = 1;
  auto* watch = app.add_subcommand("watch", "Print one line per socket event until Ctrl-C");
  add_common_options(*watch, watch_o);
  watch->add_option("--duration", watch_o.duration_s, "Stop after this many seconds")->check(CLI::PositiveNumber);
  watch->add_option("--detail", watch_o.detail, "Extra detail: 'calls' adds every send/recv/read/write")
      ->check(CLI::IsMember({"calls"}));
  auto* list = app.add_subcommand("list", "Collect for a while, then list sockets like ss -tanpm");
  add_common_options(*list, list_o);
  list->add_option("--duration", list_o.duration_s, "Seconds to collect before printing (default 1)")
      ->check(CLI::PositiveNumber);
  auto* nic = app.add_subcommand("nic", "Collect for a while, then list network devices: packets, NAPI polls, drops");
  add_tuning_options(*nic, nic_o);  // per device: the socket filters do not apply
  nic->add_option("--duration", nic_o.duration_s, "Seconds to collect before printing (default 1)")
      ->check(CLI::PositiveNumber);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      std::cerr << "sockscope: " << e.what() << "\nRun 'sockscope --help' for the options.\n";
      return 2;
    }
    return app.exit(e);
  }

  try {
    install_stop_handlers();
    if (*list) {
      finish_options(list_o);
      return cmd_list(list_o);
    }
    if (*nic) {
      finish_options(nic_o);
      return cmd_nic(nic_o);
    }
    finish_options(watch_o);  // no command: watch, until the live view lands
    return cmd_watch(watch_o);
  } catch (const UserError& e) {
    std::cerr << "sockscope: " << e.what() << std::endl;
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "sockscope: internal error: " << e.what() << std::endl;
    return 3;
  }
}
