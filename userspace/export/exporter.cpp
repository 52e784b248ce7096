#include "export/exporter.h"

#include <stdexcept>

#include "output/event_format.h"

namespace sockscope {

std::unique_ptr<Exporter> make_exporter(const std::string& format, std::ostream& out, const ExportContext& ctx) {
  if (format == "jsonl") return make_jsonl_exporter(out, ctx);
  if (format == "csv") return make_csv_exporter(out, ctx);
  if (format == "perfetto") return make_perfetto_exporter(out, ctx);
  throw std::invalid_argument("unknown export format '" + format + "' (jsonl, csv or perfetto)");
}

}  // namespace sockscope
