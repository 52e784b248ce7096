// `sockscope watch`: one line per event until Ctrl-C, bcc style.
#include <cstdio>
#include <iostream>

#include "../output/event_format.h"
#include "../source/live_source.h"
#include "commands.h"
#include "pipeline.h"
#include "signals.h"

namespace sockscope {

int cmd_watch(const CommonOptions& o) {
  LiveSource src(o.live());
  SocketTable table(o.limits());
  if (!o.json) std::cout << watch_header() << '\n';
  std::cerr << "sockscope: watching; Ctrl-C to stop" << std::endl;
  run_pipeline(src, table, o.duration_s, [&](const Event& e, const Socket* s) {
    if (!is_watch_event(e)) return;
    if (!o.filter.empty()) {
      // a packet that reached no socket still has addresses a filter can match
      const SockId* packet = s ? nullptr : packet_sock(e);
      if (s ? !o.filter.matches(*s) : !packet || !o.filter.matches_packet(*packet)) return;
    }
    const ReasonNames& names = src.reason_names();
    if (o.json)
      std::cout << watch_json(e, s, names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    else
      std::cout << watch_text(e, s, src.wall_offset_ns(), names) << '\n';
    if (!std::cout.flush()) request_stop();  // reader went away
  });
  std::cerr << summary_line(table, src.decode_stats()) << std::endl;
  return 0;
}

}  // namespace sockscope
