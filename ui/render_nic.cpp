// The NIC view: per device receive, NAPI, transmit and drops as rates, the
// drops' top reasons, and the byte rates' recent history as sparklines.
// Each device gets as many lines as the screen's height allows for all of
// them: both sparklines on one line when the width holds them whole, else
// on lines of their own, then squeezed side by side, then none.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "ui/render.h"
#include "ui/text.h"

namespace sockscope::ui {
namespace {

constexpr int kRates = 7;  // rate columns on a device's line, then the drops

struct Layout {
  int name, num, drops;  // column widths
};

// At 80 columns the name gets 15, what Linux allows (IFNAMSIZ - 1).
Layout layout(int width) {
  int num = width >= 130 ? 10 : width >= 100 ? 9 : 7;
  int drops = num - 1;
  return {std::clamp(width - 2 - kRates * (num + 1) - (drops + 1), 8, 32), num, drops};
}

// As the table's first line: where the events' clock is, what was lost.
std::string header_line(const Snapshot& s) {
  std::string mode = "live " + clock_text(s.now_ns, s.wall_offset_ns);
  if (s.replay) {
    mode = "replay " + clock_text(s.now_ns, s.wall_offset_ns);
    if (s.replay_start_ns && s.now_ns >= s.replay_start_ns) {
      mode += fmt::format(" {}", duration_text(s.now_ns - s.replay_start_ns));
      if (s.replay_end_ns > s.replay_start_ns)
        mode += fmt::format("/{}", duration_text(s.replay_end_ns - s.replay_start_ns));
    }
    if (s.paused) mode += " paused";
    if (s.speed != 1) mode += fmt::format(" x{:g}", s.speed);
    if (s.replay_ended) mode += " (end)";
  }
  uint64_t lost = s.lost_kernel + s.lost_user;
  std::string lost_text =
      lost ? fmt::format("lost {} (kernel {}, user {})", lost, s.lost_kernel, s.lost_user) : "lost 0";
  // host-wide, per CPU in /proc/net/softnet_stat: the receive softirq
  // stopped with packets left, out of budget or time
  std::string squeeze = s.softnet.time_squeeze.empty() ? "" : fmt::format("  squeeze {}/s", rate_text(s.squeeze_ps));
  return fmt::format("sockscope  NIC  {}  {}  events {} ({}/s)  devices {}{}", mode, lost_text, s.events,
                     rate_text(s.events_per_s), s.nics.size(), squeeze);
}

std::string column_line(const Layout& l) {
  return fmt::format("  {:<{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}}", "DEVICE", l.name,
                     "RX pk/s", l.num, "RX B/s", l.num, "TX pk/s", l.num, "TX B/s", l.num, "POLL/s", l.num,
                     "EXHST/s", l.num, "DROP/s", l.num, "DROPS", l.drops);
}

bool exhausted(const Snapshot::NicRow& n) { return n.exhausted_ps > 0; }

// "!" marks a device whose NAPI polls ran out of budget: the softirq had
// more packets than it may handle in one go (the colour says it too).
// DROPS counts the device path's drops; those a socket refused are on the
// reasons line, apart (NicRow::drops_ps is the same count's rate).
std::string device_line(const Snapshot::NicRow& n, const Layout& l, const ReasonNames& names) {
  return fmt::format("{:1} {:<{}.{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}} {:>{}}",
                     exhausted(n) ? "!" : "", nic_name(n.nic), l.name, l.name, rate_text(n.rx_pps), l.num,
                     rate_text(n.rx_bps), l.num, rate_text(n.tx_pps), l.num, rate_text(n.tx_bps), l.num,
                     rate_text(n.polls_ps), l.num, rate_text(n.exhausted_ps), l.num, rate_text(n.drops_ps), l.num,
                     count(n.nic.drops - socket_level_drops(n.nic, names)), l.drops);
}

// "    drops by reason: NO_SOCKET 10, NETFILTER_DROP 2  at sockets:
// SOCKET_RCVBUFF 5, +3 more", as many reasons as the width holds, the
// device path's first, then those a socket refused (a full socket buffer
// counts on the device the packet came in by, but is not its doing), the
// most frequent first in each.
std::string reasons_line(const Nic& n, const ReasonNames& names, int width) {
  struct Reason {
    bool at_socket;
    uint64_t count;
    uint32_t code;
  };
  std::vector<Reason> by_count;
  for (const auto& [reason, c] : n.drops_by_reason)
    if (c) by_count.push_back({socket_level_drop(names.drop_name(reason)), c, reason});
  std::sort(by_count.begin(), by_count.end(), [](const Reason& a, const Reason& b) {
    return a.at_socket != b.at_socket ? b.at_socket : a.count > b.count;
  });
  std::string out = "    drops by reason:";
  for (size_t i = 0; i < by_count.size(); ++i) {
    bool first_at_socket = by_count[i].at_socket && (i == 0 || !by_count[i - 1].at_socket);
    std::string sep = first_at_socket ? (i ? "  at sockets:" : " at sockets:") : i ? "," : "";
    std::string part = fmt::format("{} {} {}", sep, names.drop_name(by_count[i].code), count(by_count[i].count));
    std::string more = i + 1 < by_count.size() ? fmt::format(", +{} more", by_count.size() - i - 1) : "";
    if (out.size() + part.size() + more.size() > size_t(std::max(width, 0))) {
      out += fmt::format("{}+{} more", i ? ", " : " ", by_count.size() - i);
      break;
    }
    out += part;
  }
  if (by_count.empty()) out += " not known";
  return out;
}

double peak(const std::vector<double>& h) {
  double m = -1;
  for (double v : h) m = std::max(m, v);
  return m;
}

constexpr int kPeakText = 13;  // " peak 999.9M/s"

// "rx <sparkline> peak 3.4M/s" in at most width columns; the sparkline
// has a cell per refresh kept, no more.
std::string spark_part(std::string_view label, const std::vector<double>& h, int width) {
  std::string head = fmt::format("{} ", label);
  std::string tail = fmt::format("{:<{}}", fmt::format(" peak {}/s", rate_text(peak(h))), kPeakText);
  int w = width - int(head.size() + tail.size());
  if (w < 8) {  // too narrow for the peak: the sparkline alone
    tail.clear();
    w = width - int(head.size());
  }
  w = std::min(w, int(kNicHistory));
  return head + sparkline(h, 0, std::max(w, 0)) + tail;
}

// Columns a whole sparkline part takes.
constexpr int kSparkPart = 3 + int(kNicHistory) + kPeakText;

// How much each device shows.
enum class Detail { Line, Reasons, SparksTogether, SparksApart };

int lines_for(const Snapshot::NicRow& n, Detail d) {
  int lines = 1;
  if (d >= Detail::Reasons && n.nic.drops) ++lines;
  if (d == Detail::SparksTogether) ++lines;
  if (d == Detail::SparksApart) lines += 2;
  return lines;
}

}  // namespace

std::vector<std::string> render_nic(const Snapshot& snap, const ViewState&, int width, int height,
                                    std::vector<Tone>* tones) {
  std::vector<std::string> out;
  std::vector<Tone> tone;
  auto add = [&](std::string s, Tone t) {
    out.push_back(fit(std::move(s), width));
    tone.push_back(t);
  };
  Layout l = layout(width);
  add(header_line(snap), snap.lost_kernel + snap.lost_user ? Tone::Stuck : Tone::Header);
  add(column_line(l), Tone::ColumnHeader);

  std::set<uint32_t> netns;
  for (const auto& n : snap.nics) netns.insert(n.nic.key.netns);
  const bool by_netns = netns.size() > 1;  // one netns: its number says nothing

  // the richest detail that shows every device in the lines left; wide
  // enough for two whole sparklines, one line holds both
  const int room = height - 3;  // header, column names, keys
  const bool wide = width >= 4 + 2 * kSparkPart + 2;
  Detail detail = Detail::Line;
  for (Detail d : {wide ? Detail::SparksTogether : Detail::SparksApart, Detail::SparksTogether, Detail::Reasons}) {
    int need = by_netns ? int(netns.size()) : 0;
    for (const auto& n : snap.nics) need += lines_for(n, d);
    if (need <= room) {
      detail = d;
      break;
    }
  }

  if (snap.nics.empty()) add("  no devices seen yet", Tone::Normal);
  uint32_t shown_ns = 0;
  for (size_t i = 0; i < snap.nics.size(); ++i) {
    const auto& n = snap.nics[i];
    bool new_ns = by_netns && (i == 0 || n.nic.key.netns != shown_ns);
    // keep a line for "... more" unless this is the last device
    int left = room - (int(out.size()) - 2) - (i + 1 < snap.nics.size() ? 1 : 0);
    if (lines_for(n, Detail::Line) + (new_ns ? 1 : 0) > left) {
      add(fmt::format("  ... {} more devices (a taller terminal shows them)", snap.nics.size() - i), Tone::Normal);
      break;
    }
    if (new_ns) {
      add(fmt::format(" netns {}", n.nic.key.netns), Tone::Group);
      shown_ns = n.nic.key.netns;
    }
    add(device_line(n, l, snap.reasons), exhausted(n) ? Tone::Stuck : Tone::Normal);
    if (detail >= Detail::Reasons && n.nic.drops) add(reasons_line(n.nic, snap.reasons, width), Tone::Normal);
    if (detail == Detail::SparksApart) {
      add("    " + spark_part("rx", n.rx_bps_history, width - 4), Tone::Normal);
      add("    " + spark_part("tx", n.tx_bps_history, width - 4), Tone::Normal);
    } else if (detail == Detail::SparksTogether) {
      int half = std::min((width - 4) / 2, kSparkPart + 1);
      add("    " + spark_part("rx", n.rx_bps_history, half - 1) + "  " +
              spark_part("tx", n.tx_bps_history, width - 4 - half - 1),
          Tone::Normal);
    }
  }

  while (int(out.size()) < height - 1) add("", Tone::Normal);
  add(width >= 80 ? "n/Tab/Esc: back  q: quit   !: NAPI budget exhausted (receive softirq overloaded)"
                  : "n/Tab/Esc: back  q: quit",
      Tone::Header);
  if (int(out.size()) > height) {
    out.resize(std::max(height, 0));
    tone.resize(out.size());
  }
  if (tones) *tones = std::move(tone);
  return out;
}

}  // namespace sockscope::ui
