// The loop every command runs: Source -> SocketTable -> a per-event
// callback, until the duration ends, the source ends, or a stop signal.
#pragma once

#include <functional>
#include <string>

#include "../model/socket_table.h"
#include "../source/source.h"

namespace sockscope {

using OnEvent = std::function<void(const Event&, const Socket*)>;

// on_tick, if given, runs after every poll of the source (at least every 50 ms).
void run_pipeline(Source& src, SocketTable& table, double duration_s, const OnEvent& on_event,
                  const std::function<void()>& on_tick = nullptr);

// "sockscope: events=… lost=… (ringbuf=… …) …" for stderr at exit.
std::string summary_line(const SocketTable& table, const DecodeStats& d);

}  // namespace sockscope
