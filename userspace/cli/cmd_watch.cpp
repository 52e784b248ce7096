// `sockscope watch`: one line per event until Ctrl-C, bcc style.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "model/filter.h"
#include "output/event_format.h"
#include "run/session.h"
#include "run/signals.h"

namespace sockscope {

int cmd_watch(const RunOptions& o) {
  Session run(o);
  Source& src = run.src();
  if (!o.json) std::cout << watch_header() << '\n';
  if (!run.replay()) std::cerr << "sockscope: watching; Ctrl-C to stop" << std::endl;
  run.run([&](const Event& e, const Socket* s) {
    if (!is_watch_event(e) || !filter_admits(&o.filter, e, s)) return;
    const ReasonNames& names = src.reason_names();
    if (o.json)
      std::cout << watch_json(e, s, names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    else
      std::cout << watch_text(e, s, src.wall_offset_ns(), names, &run.table().nics()) << '\n';
    if (!std::cout.flush()) request_stop();  // reader went away
  });
  run.finish();
  return 0;
}

}  // namespace sockscope
