// `sockscope list`: collect for a while (or read a trace), then print the
// model like ss.
#include <iostream>

#include "cli/commands.h"
#include "output/socket_format.h"
#include "run/session.h"

namespace sockscope {

int cmd_list(const RunOptions& o) {
  Session run(o);
  run.run();
  uint64_t now = run.end_ns();
  std::vector<const Socket*> shown;
  for (const auto& [key, s] : run.table().sockets())
    if (o.filter.matches(s)) shown.push_back(&s);
  shown = sorted_sockets(std::move(shown));
  if (o.json) {
    auto arr = nlohmann::json::array();
    for (const Socket* s : shown) arr.push_back(socket_json(*s, now, run.src().reason_names()));
    // process names are bytes, not always UTF-8
    std::cout << arr.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else {
    std::cout << list_table(shown, now) << std::flush;
  }
  run.finish();
  return 0;
}

}  // namespace sockscope
