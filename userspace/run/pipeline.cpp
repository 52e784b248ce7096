#include "run/pipeline.h"

#include <fmt/format.h>

#include "model/names.h"
#include "run/signals.h"

namespace sockscope {

PipelineStep::PipelineStep(Source& src, SocketTable& table, OnEvent on_event, std::function<void()> on_tick)
    : src_(src), table_(table), on_event_(std::move(on_event)), on_tick_(std::move(on_tick)),
      last_expire_(src.now_ns()) {
  sink_ = [this](const Event& e) {
    const Socket* s = table_.apply(e);
    if (on_event_) on_event_(e, s);
  };
}

bool PipelineStep::step(int timeout_ms) {
  if (!src_.poll(timeout_ms, sink_)) return false;
  if (on_tick_) on_tick_();
  uint64_t now = src_.now_ns();
  if (now - last_expire_ >= 1'000'000'000) {
    table_.expire(now);
    trim_.note(table_.size());
    last_expire_ = now;
  }
  return true;
}

void PipelineStep::flush() { src_.flush(sink_); }

void run_pipeline(Source& src, SocketTable& table, double duration_s, const OnEvent& on_event,
                  const std::function<void()>& on_tick) {
  const uint64_t start = src.now_ns();
  const uint64_t end = duration_s > 0 ? start + static_cast<uint64_t>(duration_s * 1e9) : 0;
  if (end) src.end_at(end);
  PipelineStep p(src, table, on_event, on_tick);
  while (!stop_requested()) {
    uint64_t now = src.now_ns();
    if (end && now >= end) break;
    int timeout_ms = 50;
    if (end) timeout_ms = static_cast<int>(std::min<uint64_t>(50, (end - now) / 1'000'000 + 1));
    if (!p.step(timeout_ms)) break;
  }
  p.flush();
}

namespace {

// Only when a bound refused or evicted something, which only hostile input
// or a host far beyond the usual makes happen: said, not silent.
std::string bounds_hit(const SocketTable& table) {
  const NicTable& n = table.nics();
  const uint64_t reasons = table.counters().reasons_refused + n.reasons_refused();
  if (!n.evicted() && !reasons) return {};
  return fmt::format(" devices_evicted={} reasons_refused={}", n.evicted(), reasons);
}

}  // namespace

std::string summary_line(const SocketTable& table, const DecodeStats& d) {
  const auto& c = table.counters();
  std::string kinds;
  for (size_t k = 0; k < c.lost.size(); ++k)
    kinds += fmt::format("{}{}={}", k ? " " : "", lost_kind_name(static_cast<LostKind>(k)), c.lost[k]);
  return fmt::format(
      "sockscope: events={} lost={} ({}) malformed={} unknown={} sockets={} evicted_for_room={} "
      "stats_unmatched={} drops_unattributed={} resets_unattributed={} gaps={} gaps_healed={} closed_by_pass={} "
      "timewait_gone={}{}",
      c.events, c.lost_total(), kinds, d.malformed, d.unknown_type, table.size(), c.evicted_for_room,
      c.stats_unmatched, c.drops_unattributed, c.resets_unattributed, c.gaps, c.gaps_healed, c.closed_by_pass,
      c.timewait_gone, bounds_hit(table)) +
         // what was wrong with a malformed record: the count alone says
         // nothing a user or a bug report can act on
         (d.malformed && !d.last_error.empty() ? fmt::format("\nsockscope: last malformed record: {}", d.last_error)
                                               : std::string());
}

}  // namespace sockscope
