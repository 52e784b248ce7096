// One line per event for `watch`: bcc-style text, or one JSON object.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "../model/event.h"
#include "../model/socket.h"

namespace sockscope {

// Whether watch shows this event at all (stats and loss bookkeeping are not
// events a user asked to see).
bool is_watch_event(const Event& e);

std::string watch_header();
// s: the socket the event touched, after the model applied it (may be null).
std::string watch_text(const Event& e, const Socket* s, int64_t wall_offset_ns);
nlohmann::json watch_json(const Event& e, const Socket* s);

// "12:00:01.123456" local time from a monotonic timestamp.
std::string clock_time(uint64_t ts_ns, int64_t wall_offset_ns);

}  // namespace sockscope
