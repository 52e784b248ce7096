// The NIC view: per device receive, NAPI, transmit and drops.
#include "render.h"
#include "text.h"

namespace sockscope::ui {

std::vector<std::string> render_nic(const Snapshot&, const ViewState&, int width, int height,
                                    std::vector<Tone>* tones) {
  std::vector<std::string> out{fit("NIC view: not written yet", width)};
  if (int(out.size()) > height) out.resize(std::max(height, 0));
  if (tones) tones->assign(out.size(), Tone::Normal);
  return out;
}

}  // namespace sockscope::ui
