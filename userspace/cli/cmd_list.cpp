// `sockscope list`: collect for a while, then print the model like ss.
#include <iostream>

#include "../output/socket_format.h"
#include "../source/live_source.h"
#include "commands.h"
#include "pipeline.h"

namespace sockscope {

int cmd_list(const CommonOptions& o) {
  LiveSource src(o.live());
  SocketTable table(o.limits());
  run_pipeline(src, table, o.duration_s, nullptr);
  uint64_t now = src.now_ns();
  std::vector<const Socket*> shown;
  for (const auto& [key, s] : table.sockets())
    if (o.filter.matches(s)) shown.push_back(&s);
  shown = sorted_sockets(std::move(shown));
  if (o.json) {
    auto arr = nlohmann::json::array();
    for (const Socket* s : shown) arr.push_back(socket_json(*s, now, src.reason_names()));
    // process names are bytes, not always UTF-8
    std::cout << arr.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else {
    std::cout << list_table(shown, now) << std::flush;
  }
  std::cerr << summary_line(table, src.decode_stats()) << std::endl;
  return 0;
}

}  // namespace sockscope
