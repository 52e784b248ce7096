// `sockscope nic`: collect for a while (or read a trace), then print the
// network devices' receive, NAPI, transmit and drop counters, and the
// receive softirq's per-CPU time_squeeze.
#include <iostream>

#include "cli/commands.h"
#include "output/nic_format.h"
#include "run/session.h"

namespace sockscope {

int cmd_nic(const RunOptions& o) {
  // no socket is shown: skip the sock_diag dump and /proc scan
  Session run(o, /*seed=*/false);
  run.run();
  const NicTable& nics = run.table().nics();
  const ReasonNames& names = run.src().reason_names();
  const bool napi = run.table().coverage().packets;
  if (o.json)
    std::cout << nic_report_json(nics, names, napi).dump(1, ' ', false, nlohmann::json::error_handler_t::replace)
              << std::endl;
  else
    std::cout << nic_table_text(nics.sorted(), names, napi) << softnet_text(nics.softnet()) << std::flush;
  run.finish();
  return 0;
}

}  // namespace sockscope
