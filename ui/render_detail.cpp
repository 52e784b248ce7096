// Enter on a row: one socket in full.
#include <fmt/format.h>

#include "model/names.h"
#include "render.h"
#include "text.h"

namespace sockscope::ui {

std::vector<std::string> render_detail(const Snapshot& snap, const Snapshot::Row& r, const ViewState&, int width,
                                       int height) {
  std::vector<std::string> out;
  auto add = [&](std::string s) { out.push_back(fit(std::move(s), width)); };
  add(fmt::format("socket {}  {}  {} -> {}", r.cookie, r.proto, r.local, r.remote));
  add(fmt::format("owner  pid {}  comm {}  fd {}", r.pid ? std::to_string(r.pid) : "-", r.comm, r.fd));
  add(fmt::format("now    {} for {}  recv-q {} ({:.0f}%)  send-q {} ({:.0f}%)", r.state, duration_text(r.age_ns),
                  r.recv_q, r.rx_pct, r.send_q, r.tx_pct));
  add(fmt::format("       drops {}  retransmits {}  rtt {}", r.drops, r.retransmits, r.rtt));
  if (!r.stuck.empty()) add("stuck  " + r.stuck);
  add("");
  add("State history");
  if (!snap.detail || snap.detail->sock.key != r.key) {
    add("  (no history kept)");
  } else {
    const auto& h = snap.detail->sock.history;
    if (snap.detail->sock.history_dropped) add(fmt::format("  ... {} earlier changes not kept", snap.detail->sock.history_dropped));
    for (size_t i = 0; i < h.size(); ++i) {
      uint64_t until = i + 1 < h.size() ? h[i + 1].ts_ns : snap.now_ns;
      uint64_t d = until > h[i].ts_ns ? until - h[i].ts_ns : 0;
      add(fmt::format("  {}  {:<12} {}{}", clock_text(h[i].ts_ns, snap.wall_offset_ns), tcp_state_name(h[i].state),
                      duration_text(d), i + 1 < h.size() ? "" : " (now)"));
    }
    if (!snap.detail->sock.calls.empty()) {
      add("");
      add("Recent calls");
      for (const auto& c : snap.detail->sock.calls)
        add(fmt::format("  {}  {:<12} ret {}  took {}", clock_text(c.enter_ns, snap.wall_offset_ns), call_name(c.call),
                        c.ret, duration_text(c.exit_ns > c.enter_ns ? c.exit_ns - c.enter_ns : 0)));
    }
  }
  if (int(out.size()) > height - 1) out.resize(std::max(height - 1, 0));
  while (int(out.size()) < height - 1) add("");
  add("Esc/q/Backspace: back");
  return out;
}

}  // namespace sockscope::ui
