// `?`: the keys.
#include "render.h"
#include "text.h"

namespace sockscope::ui {

std::vector<std::string> render_help(const Snapshot&, int width, int height) {
  static const char* kLines[] = {
      "sockscope top: keys",
      "",
      "  Up/Down, j/k      move the selection",
      "  PgUp/PgDn         move a page; Home/End: first/last",
      "  < >               sort by the previous / next column",
      "  I                 reverse the sort order",
      "  /                 filter: text in comm, pid, endpoints, state",
      "                    (Enter applies, Esc clears)",
      "  Enter             the selected socket's detail and history",
      "  Esc, q, Backspace back from detail or help",
      "  ?                 this help",
      "  q                 quit",
      "",
      "A '!' in the first column: the socket looks stuck (unread data for",
      "over 5 s, CLOSE_WAIT for over 10 s, or a SYN retransmitted).",
      "",
      "Any key: back",
  };
  std::vector<std::string> out;
  for (const char* l : kLines) out.push_back(fit(l, width));
  if (int(out.size()) > height) out.resize(std::max(height, 0));
  return out;
}

}  // namespace sockscope::ui
