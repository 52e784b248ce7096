// `?` / F1: every key, and what the table's marks mean, on one 80x24 screen.
#include <fmt/format.h>

#include "ui/render.h"
#include "ui/text.h"

namespace sockscope::ui {

std::vector<std::string> render_help(const Snapshot& snap, int width, int height) {
  std::string retention =
      snap.retention_ns ? "closed sockets fade, and leave after " + duration_text(snap.retention_ns)
                        : "closed sockets fade, then leave the table";
  // keys on the left, what they do on the right, as htop's F1 screen
  const std::vector<std::pair<std::string, std::string>> kRows = {
      {"Up/Down j/k", "move the selection; PgUp/PgDn a page, Home/End first/last"},
      {"click", "a row: select it; a column name: sort by it, again: reverse"},
      {"Enter", "the socket's detail (Up/Down PgUp/PgDn scroll; Esc/q back)"},
      {"< >  F6  I", "sort by column; after the last: ! then fullest queue; I: rev"},
      {"/  F3  F4", "filter: :PORT pid:N comm:NAME state:S, N, text; Enter, Esc"},
      {"t  F5", "tree: sockets grouped under their process"},
      {"w", "TIME_WAIT and closed sockets: one line per local port, or all"},
      {"+ -  Right Left", "tree: expand/collapse the process; Enter on it toggles"},
      {"D", "detail: the selected socket's process's syscalls, on/off"},
      {"n  Tab", "the NIC view (packets, bytes, drops per device), and back"},
      {"?  F1  h", "this help;  Esc, q, Backspace: back from a view"},
      {"q  F10", "quit"},
      {"replay (-r):", ""},
      {"space", "pause / play"},
      {"[  ]", "slower / faster"},
      {".", "step one second, paused"},
      {"0  $", "back to the start / to the end"},
      {"", ""},
      {"!", "a diagnose finding (warning or worse): Enter shows it"},
      {"RECV-Q SEND-Q", "bytes queued, bar: buffer use ('|' a sliver; LISTEN: accept q)"},
      {"lo  *  ~", "127.0.0.1 / any address / a part of the address left out"},
      {"dim", retention},
  };
  std::vector<std::string> out{fit("sockscope top: keys                                       other keys: back", width)};
  out.emplace_back();
  for (const auto& [keys, what] : kRows)
    out.push_back(fit(what.empty() ? keys : fmt::format("  {:<15} {}", keys, what), width));
  if (int(out.size()) > height) out.resize(size_t(std::max(height, 0)));
  return out;
}

}  // namespace sockscope::ui
