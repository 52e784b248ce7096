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
  GapLines gaps;
  run.run([&](const Event& e, const Socket* s) {
    // a gap is shown whatever the filter: what it hides may be about any socket
    if (auto* l = std::get_if<Lost>(&e)) {
      if (uint64_t more = gaps.more(*l)) {
        if (o.json)
          std::cout << GapLines::json_line(*l, more).dump() << '\n';
        else
          std::cout << GapLines::text(*l, more, src.wall_offset_ns()) << '\n';
        if (!std::cout.flush()) request_stop();
      }
      return;
    }
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
