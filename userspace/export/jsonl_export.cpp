// JSON Lines: one event per line, the very objects `watch --json` prints,
// gaps included.
#include "export/exporter.h"
#include "model/filter.h"
#include "output/event_format.h"

namespace sockscope {
namespace {

class JsonlExporter : public Exporter {
 public:
  JsonlExporter(std::ostream& out, const ExportContext& ctx) : out_(out), ctx_(ctx) {}

  void on_event(const Event& e, const Socket* s) override {
    if (auto* l = std::get_if<Lost>(&e)) {  // a gap, whatever the filter, as watch shows it
      if (uint64_t more = gaps_.more(*l)) out_ << GapLines::json_line(*l, more).dump() << '\n';
      return;
    }
    if (!is_watch_event(e) || !filter_admits(ctx_.filter, e, s)) return;
    // process names are bytes, not always UTF-8
    out_ << watch_json(e, s, ctx_.reasons()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }

  void finish(const SocketTable&, uint64_t) override { out_.flush(); }

 private:
  std::ostream& out_;
  ExportContext ctx_;
  GapLines gaps_;
};

}  // namespace

std::unique_ptr<Exporter> make_jsonl_exporter(std::ostream& out, const ExportContext& ctx) {
  return std::make_unique<JsonlExporter>(out, ctx);
}

}  // namespace sockscope
