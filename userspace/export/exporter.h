// Exporters: turn a replayed trace into files other tools open. Each sees
// every event as the model applied it, then the final table.
//   jsonl     one event per line, the objects of `watch --json`
//   csv       one row per socket, the columns of `list`
//   perfetto  Chrome trace-event JSON for ui.perfetto.dev: a track per
//             socket with its TCP states as slices, queue counters, and
//             drops / retransmits / resets as instant events
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "model/event.h"
#include "model/filter.h"
#include "model/reason_names.h"
#include "model/socket.h"
#include "model/socket_table.h"

namespace sockscope {

struct ExportContext {
  const ReasonNames* names = nullptr;  // the recording kernel's reason names
  int64_t wall_offset_ns = 0;          // CLOCK_REALTIME - CLOCK_MONOTONIC of the recording
  const Filter* filter = nullptr;      // null or empty: everything

  const ReasonNames& reasons() const {
    static const ReasonNames none;
    return names ? *names : none;
  }
};

class Exporter {
 public:
  virtual ~Exporter() = default;
  // s: the socket the event touched, after the model applied it (may be null).
  virtual void on_event(const Event& e, const Socket* s) = 0;
  // After the last event; now_ns: the end of the recording.
  virtual void finish(const SocketTable& table, uint64_t now_ns) = 0;
};

inline const std::vector<std::string>& export_formats() {
  static const std::vector<std::string> f{"jsonl", "csv", "perfetto"};
  return f;
}

// format: one of export_formats(). out must outlive the exporter.
// Throws std::invalid_argument for any other format.
std::unique_ptr<Exporter> make_exporter(const std::string& format, std::ostream& out, const ExportContext& ctx);

std::unique_ptr<Exporter> make_jsonl_exporter(std::ostream& out, const ExportContext& ctx);
std::unique_ptr<Exporter> make_csv_exporter(std::ostream& out, const ExportContext& ctx);
std::unique_ptr<Exporter> make_perfetto_exporter(std::ostream& out, const ExportContext& ctx);

}  // namespace sockscope
