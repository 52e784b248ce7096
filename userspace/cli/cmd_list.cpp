// `sockscope list`: collect for a while (or read a trace), then print the
// model like ss. SIGUSR1 prints it at once and carries on (with --json, one
// line), so a script can compare it with ss at instants of its choosing.
#include <iostream>

#include "cli/commands.h"
#include "output/json_array.h"
#include "output/socket_format.h"
#include "run/session.h"
#include "run/signals.h"

namespace sockscope {
namespace {

void print_table(Session& run, const RunOptions& o, uint64_t now, bool one_line) {
  std::vector<const Socket*> shown;
  for (const auto& [key, s] : run.table().sockets())
    if (o.filter.matches(s)) shown.push_back(&s);
  shown = sorted_sockets(std::move(shown));
  if (o.json) {
    JsonArrayWriter arr(std::cout, one_line ? -1 : 1);  // a socket at a time: memory is the table's
    for (const Socket* s : shown) arr.add(socket_json(*s, now, run.src().reason_names()));
    arr.finish();
    std::cout << std::endl;
  } else {
    write_list_table(std::cout, shown, now);
    std::cout << std::flush;
  }
}

}  // namespace

int cmd_list(const RunOptions& o) {
  Session run(o);
  install_dump_handler();
  run.run(nullptr, [&] {
    if (take_dump_request()) print_table(run, o, run.src().now_ns(), true);
  });
  print_table(run, o, run.end_ns(), false);
  run.finish();
  return 0;
}

}  // namespace sockscope
