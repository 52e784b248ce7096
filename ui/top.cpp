#include "top.h"

#include <chrono>

#include "cli/signals.h"
#include "keys.h"
#include "render.h"
#include "snapshot.h"
#include "terminal.h"

namespace sockscope::ui {
namespace {

using Clock = std::chrono::steady_clock;

// Event intake per turn of the loop: short, so keys stay responsive.
constexpr auto kSlice = std::chrono::milliseconds(30);

void draw(Terminal& term, const Snapshot& snap, ViewState& view) {
  int w = term.width(), h = term.height();
  std::vector<Tone> tones;
  std::vector<std::string> lines;
  if (view.mode == Mode::Detail) {
    const Snapshot::Row* row = nullptr;
    for (const auto& r : snap.rows)
      if (r.key == view.selected_key) row = &r;
    if (row) lines = render_detail(snap, *row, view, w, h);
    else view.mode = Mode::Table;  // the socket left the table
  }
  if (view.mode == Mode::Help) lines = render_help(snap, w, h);
  if (view.mode == Mode::Nic) lines = render_nic(snap, view, w, h, &tones);
  if (view.mode == Mode::SortMenu) lines = render_sort_menu(snap, view, w, h, &tones);
  if (view.mode == Mode::Table) lines = render_table(snap, view, w, h, &tones);
  term.draw(lines, tones);
}

}  // namespace

int run_top(Session& run, const TopOptions& o) {
  Terminal term(o.color);
  const auto delay = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.delay_s));
  ViewState view;
  Snapshot snap;
  std::vector<Line> rows;
  bool more = true;  // the source may still deliver
  bool redraw = true;
  auto next_refresh = Clock::now();
  while (!stop_requested()) {
    // a replay is read as fast as it goes; live polls wait a little
    auto slice_end = Clock::now() + kSlice;
    while (more && !stop_requested() && Clock::now() < slice_end) {
      more = run.step(run.replay() ? 0 : 10);
      if (!more) redraw = true;  // show the final state at once
    }
    if (redraw || Clock::now() >= next_refresh) {
      snap = take(run.table(), run.src(), run.src().now_ns(), o.filter, view.selected_key, !run.replay());
      snap.replay = run.replay();
      snap.replay_ended = run.replay() && !more;
      rows = visible_lines(snap, view);
      follow_selection(view, snap, rows, table_page(term.height()));
      draw(term, snap, view);
      next_refresh = Clock::now() + delay;
      redraw = false;
    }
    KeyInput in = term.read_key(more ? 0 : 100);
    int key = in.key;
    if (key == kKeyNone) continue;
    if (key != kKeyResize &&
        apply_key(view, in, snap, rows, table_page(term.height()), term.width()) == Action::Quit)
      break;
    redraw = true;
  }
  return 0;
}

}  // namespace sockscope::ui
