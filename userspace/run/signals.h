// Ctrl-C / SIGTERM request a clean stop: the loop drains, prints its
// summary and unloads every BPF program before exiting.
#pragma once

namespace sockscope {

void install_stop_handlers();
bool stop_requested();
void request_stop();

// SIGUSR1 asks for the current state without stopping (`list` prints the
// table); take_dump_request() says whether one came since the last call.
void install_dump_handler();
bool take_dump_request();

}  // namespace sockscope
