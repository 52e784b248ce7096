// One line per event for `watch`: bcc-style text, or one JSON object.
#pragma once

#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "model/event.h"
#include "model/nic_table.h"
#include "model/reason_names.h"
#include "model/socket.h"

namespace sockscope {

// Whether watch shows this event at all (stats and loss bookkeeping are not
// events a user asked to see).
bool is_watch_event(const Event& e);

std::string watch_header();
// s: the socket the event touched, after the model applied it (may be null).
// names: the source's drop and reset reason names. nics: the model's
// devices, to name a drop's device (may be null: "if7").
std::string watch_text(const Event& e, const Socket* s, int64_t wall_offset_ns, const ReasonNames& names,
                       const NicTable* nics = nullptr);
nlohmann::json watch_json(const Event& e, const Socket* s, const ReasonNames& names);

// A gap, as watch shows it: a Lost record carries its kind's running
// total, so watch keeps the totals it has shown and prints what is new.
class GapLines {
 public:
  // How many of l's kind were lost since the last line; 0: nothing new
  // (a repeated total, as a new trace file's first read has).
  uint64_t more(const Lost& l);
  static std::string text(const Lost& l, uint64_t more, int64_t wall_offset_ns);
  static nlohmann::json json_line(const Lost& l, uint64_t more);

 private:
  std::array<uint64_t, size_t(LostKind::Count)> shown_{};
};

// A drop's reason by what reported it: the kernel's drop reason
// (kfree_skb), "proto_mem_send"/"proto_mem_recv" (exceed_buf_limit),
// "rcvbuf_full" (rcvqueue_full, and udp_fail_queue's ENOMEM), "proto_mem_recv"
// for udp_fail_queue's ENOBUFS, another errno by its name ("EINVAL").
std::string drop_reason_name(const Drop& d, const ReasonNames& names);

// "12:00:01.123456" local time from a monotonic timestamp.
std::string clock_time(uint64_t ts_ns, int64_t wall_offset_ns);

}  // namespace sockscope
