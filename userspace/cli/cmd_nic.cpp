// `sockscope nic`: collect for a while, then print the network devices'
// receive, NAPI, transmit and drop counters.
#include <iostream>

#include "../output/nic_format.h"
#include "../source/live_source.h"
#include "commands.h"
#include "pipeline.h"

namespace sockscope {

int cmd_nic(const CommonOptions& o) {
  LiveOptions live = o.live();
  live.seed = false;  // no socket is shown: skip the sock_diag dump and /proc scan
  LiveSource src(live);
  SocketTable table(o.limits());
  run_pipeline(src, table, o.duration_s, nullptr);
  auto nics = table.nics().sorted();
  if (o.json)
    std::cout << nics_json(nics, src.reason_names()).dump(1, ' ', false, nlohmann::json::error_handler_t::replace)
              << std::endl;
  else
    std::cout << nic_table_text(nics, src.reason_names()) << std::flush;
  std::cerr << summary_line(table, src.decode_stats()) << std::endl;
  return 0;
}

}  // namespace sockscope
