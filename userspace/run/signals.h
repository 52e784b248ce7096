// Ctrl-C / SIGTERM request a clean stop: the loop drains, prints its
// summary and unloads every BPF program before exiting.
#pragma once

namespace sockscope {

void install_stop_handlers();
bool stop_requested();
void request_stop();

}  // namespace sockscope
