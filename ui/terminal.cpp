#include "ui/terminal.h"

#include <curses.h>

#include <cstdio>
#include <cstdlib>

#include "ui/keys.h"
#include "util/user_error.h"

namespace sockscope::ui {
namespace {

short pair_of(Tone t) { return static_cast<short>(static_cast<int>(t) + 1); }

void init_colors() {
  start_color();
  use_default_colors();
  auto pair = [](Tone t, short fg, short bg) { init_pair(pair_of(t), fg, bg); };
  pair(Tone::Normal, -1, -1);
  pair(Tone::Header, COLOR_CYAN, -1);
  pair(Tone::ColumnHeader, COLOR_BLACK, COLOR_GREEN);
  pair(Tone::Selected, COLOR_BLACK, COLOR_CYAN);
  pair(Tone::Listen, COLOR_BLUE, -1);
  pair(Tone::Established, COLOR_GREEN, -1);
  pair(Tone::Opening, COLOR_YELLOW, -1);
  pair(Tone::Closing, COLOR_MAGENTA, -1);
  pair(Tone::Closed, -1, -1);
  pair(Tone::Stuck, COLOR_RED, -1);
  pair(Tone::Group, -1, -1);
  pair(Tone::Faded, -1, -1);
}

// Attributes beyond the colour pair, also shown without colour.
int emphasis(Tone t) {
  switch (t) {
    case Tone::Stuck: case Tone::Group: return A_BOLD;
    case Tone::Faded: return A_DIM;
    default: return 0;
  }
}

}  // namespace

Terminal::Terminal(bool color) {
  // newterm, not initscr: initscr exits the process when it cannot start
  SCREEN* s = newterm(nullptr, stdout, stdin);
  if (!s) throw UserError("top needs a terminal (TERM='" + std::string(getenv("TERM") ? getenv("TERM") : "") +
                          "'); use 'sockscope watch' or 'sockscope list' for text output");
  screen_ = s;
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);  // Esc is a key here, not only a prefix
  color_ = color && has_colors() && !getenv("NO_COLOR");
  if (color_) init_colors();
  // a press is enough, as in htop; no click interval to wait for
  mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, nullptr);
  mouseinterval(0);
}

Terminal::~Terminal() {
  mousemask(0, nullptr);  // the terminal stops reporting the mouse
  endwin();
  delscreen(static_cast<SCREEN*>(screen_));
}

// ncurses key codes to the view's keys.
static int translate(int c) {
  switch (c) {
    case ERR: return kKeyNone;
    case KEY_UP: return kKeyUp;
    case KEY_DOWN: return kKeyDown;
    case KEY_LEFT: return kKeyLeft;
    case KEY_RIGHT: return kKeyRight;
    case KEY_F(1): return kKeyF1;
    case KEY_F(3): return kKeyF3;
    case KEY_F(4): return kKeyF4;
    case KEY_F(5): return kKeyF5;
    case KEY_F(6): return kKeyF6;
    case KEY_F(10): return kKeyF10;
    case '\t': return '\t';
    case KEY_PPAGE: return kKeyPageUp;
    case KEY_NPAGE: return kKeyPageDown;
    case KEY_HOME: return kKeyHome;
    case KEY_END: return kKeyEnd;
    case KEY_ENTER: case '\n': case '\r': return kKeyEnter;
    case 27: return kKeyEscape;
    case KEY_BACKSPACE: case 127: case 8: return kKeyBackspace;
    case KEY_RESIZE: return kKeyResize;
    default: return c >= 0x20 && c < 0x7f ? c : kKeyNone;
  }
}

KeyInput Terminal::read_key(int timeout_ms) {
  timeout(timeout_ms);
  int c = getch();
  if (c == KEY_MOUSE) {
    MEVENT ev{};
    if (getmouse(&ev) == OK && (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) return {kKeyMouse, ev.x, ev.y};
    return {kKeyNone};  // another button, or a release
  }
  return KeyInput{translate(c)};
}

void Terminal::draw(const std::vector<std::string>& lines, const std::vector<Tone>& tones) {
  erase();
  int h = height(), w = width();
  for (int y = 0; y < h && y < int(lines.size()); ++y) {
    Tone t = y < int(tones.size()) ? tones[y] : Tone::Normal;
    int attr = 0;
    if (color_) attr = COLOR_PAIR(pair_of(t));
    else if (t == Tone::Selected || t == Tone::ColumnHeader) attr = A_REVERSE;  // still visible without colour
    attr |= emphasis(t);
    attron(attr);
    mvaddnstr(y, 0, lines[y].c_str(), w);
    if (t == Tone::Selected || t == Tone::ColumnHeader)
      for (int x = int(lines[y].size()); x < w; ++x) mvaddch(y, x, ' ');
    attroff(attr);
  }
  refresh();
}

int Terminal::width() const { return COLS; }
int Terminal::height() const { return LINES; }

}  // namespace sockscope::ui
