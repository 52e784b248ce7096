// What each key and click does to the live view, through apply_key on a
// Snapshot of a SocketTable fed with synthetic events, as the loop calls
// it: the sort menu, clicks, the process tree, the screens and back, the
// replay keys, the detail's scrolling.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "source/source.h"
#include "tests/unit/builders.h"
#include "tests/unit/table_world.h"
#include "ui/keys.h"
#include "ui/render.h"
#include "ui/snapshot.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {


// Sockets of three processes: nginx (200) with two, curl (100), psql (300).
using World = TableWorld;

World three_processes() {
  World w = three_sockets();
  w.sock(5, task(200, "nginx"), v4("127.0.0.1", 8080), v4("127.0.0.1", 40001), {TcpState::Established});
  return w;
}

constexpr uint64_t kGroup = uint64_t(1) << 63;

// The loop's part: lines from the view, keys applied to them, the
// selection followed after each.
struct Screen {
  Snapshot snap;
  ViewState view;
  std::vector<Line> lines;
  int page = 20, width = 80;

  explicit Screen(Snapshot s) : snap(std::move(s)) { refresh(); }
  void refresh() {
    lines = visible_lines(snap, view);
    follow_selection(view, snap, lines, page);
  }
  Action key(int k) { return press(KeyInput{k}); }
  Action click(int x, int y) { return press(KeyInput{kKeyMouse, x, y}); }
  Action press(const KeyInput& in) {
    Action a = apply_key(view, in, snap, lines, page, width);
    refresh();
    return a;
  }
  std::string selected() const {
    if (view.selected >= lines.size()) return "none";
    const Line& l = lines[view.selected];
    return l.is_group() ? fmt::format("P{}", l.pid) : std::to_string(snap.rows[l.row].key);
  }
  std::string drawn(int row) const { return render_table(snap, view, width, page + kHeaderLines + 1)[size_t(row)]; }
};

Screen screen() {
  World w = three_processes();
  return Screen(take(w.table, w.src, w.now));
}

// Where a column's name is drawn on the column-name line.
int name_x(const Screen& s, Column c) {
  std::string header = s.drawn(kHeaderLines - 1);
  size_t at = header.find(fmt::format(" {}", column_name(c)));
  return at == std::string::npos ? -1 : int(at) + 1;
}

}  // namespace

TEST_CASE("F6 opens the sort menu: Up/Down move, Enter picks, Esc cancels", "[ui][keys]") {
  Screen s = screen();
  REQUIRE(s.view.sort == kDefaultOrder);
  s.key(kKeyF6);
  CHECK(s.view.menu_at == size_t(kDefaultOrder));  // the default order's line, the last
  s.key(kKeyEscape);
  s.view.sort = Column::Local;
  s.key(kKeyF6);
  CHECK(s.view.mode == Mode::SortMenu);
  CHECK(s.view.menu_at == size_t(Column::Local));
  s.key(kKeyDown);
  s.key(kKeyDown);
  s.key(kKeyUp);
  CHECK(s.view.menu_at == size_t(Column::Remote));
  CHECK(s.view.sort == Column::Local);  // nothing picked yet
  s.key(kKeyEnter);
  CHECK(s.view.mode == Mode::Table);
  CHECK(s.view.sort == Column::Remote);
  CHECK(s.drawn(kHeaderLines - 1).find("REMOTE^") != std::string::npos);

  s.key(kKeyF6);
  CHECK(s.view.menu_at == size_t(Column::Remote));
  s.key(kKeyEnd);
  CHECK(s.view.menu_at == size_t(kDefaultOrder));
  s.key(kKeyDown);  // stays on the last
  CHECK(s.view.menu_at == size_t(kDefaultOrder));
  s.key(kKeyEscape);
  CHECK(s.view.mode == Mode::Table);
  CHECK(s.view.sort == Column::Remote);

  // a click on a line of the menu picks that column
  s.key(kKeyF6);
  s.click(3, 1 + int(Column::RecvQ));
  CHECK(s.view.mode == Mode::Table);
  CHECK(s.view.sort == Column::RecvQ);
}

TEST_CASE("a click on a column name sorts by it, a second click reverses", "[ui][keys]") {
  Screen s = screen();
  int x = name_x(s, Column::State);
  REQUIRE(x > 0);
  s.click(x + 1, kHeaderLines - 1);
  CHECK(s.view.sort == Column::State);
  CHECK_FALSE(s.view.reverse);
  s.click(x, kHeaderLines - 1);
  CHECK(s.view.reverse);
  CHECK(s.drawn(kHeaderLines - 1).find("STATEv") != std::string::npos);
  s.click(x, kHeaderLines - 1);
  CHECK_FALSE(s.view.reverse);
  // another column: its own order, not reversed
  s.click(x, kHeaderLines - 1);
  int comm = name_x(s, Column::Comm);
  s.click(comm, kHeaderLines - 1);
  CHECK(s.view.sort == Column::Comm);
  CHECK_FALSE(s.view.reverse);
  // the flag's cell: nothing
  s.click(0, kHeaderLines - 1);
  CHECK(s.view.sort == Column::Comm);
  CHECK_FALSE(s.view.reverse);
  // on a wide screen the layout is another one, and the clicks follow it
  s.width = 160;
  int rtt = name_x(s, Column::Rtt);
  REQUIRE(rtt > 0);
  s.click(rtt, kHeaderLines - 1);
  CHECK(s.view.sort == Column::Rtt);
}

TEST_CASE("a click on a row selects it, below the rows, nothing", "[ui][keys]") {
  Screen s = screen();
  REQUIRE(s.lines.size() == 4);
  s.click(10, kHeaderLines + 2);
  CHECK(s.view.selected == 2);
  CHECK(s.view.selected_key == s.snap.rows[s.lines[2].row].key);
  s.click(10, kHeaderLines + 3);
  CHECK(s.view.selected == 3);
  s.click(10, kHeaderLines + 7);  // an empty line
  CHECK(s.view.selected == 3);
  s.click(10, 0);  // the header
  CHECK(s.view.selected == 3);
  CHECK(s.view.mode == Mode::Table);
}

TEST_CASE("tree: t and F5 group by process, - + Left Right Enter fold, the selection follows", "[ui][keys]") {
  Screen s = screen();
  // by local port: 8080 nginx listen (1), 8080 nginx (5), 40001 curl (2), 51000 psql (3)
  s.key(kKeyDown);
  CHECK(s.selected() == "5");
  s.key('t');
  CHECK(s.view.tree);
  CHECK(s.lines.size() == 7);  // three processes, four sockets
  CHECK(s.selected() == "5");  // still the same socket, now under nginx
  CHECK(s.lines[s.view.selected - 2].is_group());
  s.key('-');  // fold nginx: the selection goes to its line
  CHECK(s.view.collapsed.count(200) == 1);
  CHECK(s.selected() == "P200");
  CHECK(s.view.selected_key == (kGroup | 200));
  CHECK(s.lines.size() == 5);
  s.key('+');
  CHECK(s.view.collapsed.empty());
  CHECK(s.selected() == "P200");
  CHECK(s.lines.size() == 7);
  s.key(kKeyLeft);
  CHECK(s.view.collapsed.count(200) == 1);
  s.key(kKeyRight);
  CHECK(s.view.collapsed.empty());
  // Enter on a process line folds and unfolds it, and opens nothing
  s.key(kKeyEnter);
  CHECK(s.view.collapsed.count(200) == 1);
  CHECK(s.view.mode == Mode::Table);
  s.key(kKeyEnter);
  CHECK(s.view.collapsed.empty());
  // Enter on a socket opens its detail
  s.key(kKeyDown);
  CHECK(s.selected() == "1");
  s.key(kKeyEnter);
  CHECK(s.view.mode == Mode::Detail);
  CHECK(s.view.selected_key == 1);
  s.key(kKeyEscape);
  // down to curl's line, fold from one of psql's... from curl's socket
  s.key(kKeyDown);
  s.key(kKeyDown);
  s.key(kKeyDown);
  CHECK(s.selected() == "2");
  s.key('-');
  CHECK(s.selected() == "P100");
  // out of the tree: a process line gives way to its first socket
  s.key(kKeyF5);
  CHECK_FALSE(s.view.tree);
  CHECK(s.selected() == "2");
  CHECK(s.lines.size() == 4);
  // back in: the fold was kept
  s.key(kKeyF5);
  CHECK(s.selected() == "P100");
  // outside the tree the fold keys do nothing
  s.key('t');
  s.key('-');
  CHECK(s.view.collapsed.size() == 1);
  CHECK(s.selected() == "2");
}

TEST_CASE("n and Tab switch to the NIC view and back, Esc and q come back too", "[ui][keys]") {
  Screen s = screen();
  for (int to : {int('n'), int('\t')})
    for (int back : {int('n'), int('\t'), int(kKeyEscape), int('q')}) {
      s.key(to);
      CHECK(s.view.mode == Mode::Nic);
      CHECK(s.key(back) == Action::None);  // q here is back, not quit
      CHECK(s.view.mode == Mode::Table);
    }
}

TEST_CASE("help: ? F1 h open it, any other key comes back", "[ui][keys]") {
  Screen s = screen();
  for (int k : {int('?'), int(kKeyF1), int('h')}) {
    s.key(k);
    CHECK(s.view.mode == Mode::Help);
    s.key('x');
    CHECK(s.view.mode == Mode::Table);
  }
  s.key('?');
  CHECK(s.key('q') == Action::None);
  CHECK(s.view.mode == Mode::Table);
}

TEST_CASE("q and F10 quit from the table, /, F3 and F4 edit the filter", "[ui][keys]") {
  Screen s = screen();
  CHECK(s.key('q') == Action::Quit);
  CHECK(s.key(kKeyF10) == Action::Quit);
  for (int k : {int('/'), int(kKeyF3), int(kKeyF4)}) {
    s.key(k);
    CHECK(s.view.editing);
    for (char c : std::string("curl q")) s.key(c);  // q is text here
    s.key(kKeyBackspace);
    s.key(kKeyBackspace);
    s.key(kKeyEnter);
    CHECK_FALSE(s.view.editing);
    CHECK(s.view.filter == "curl");
    CHECK(s.lines.size() == 1);
    s.key(k);
    CHECK(s.view.draft == "curl");  // editing starts from the filter in use
    s.key(kKeyEscape);
    CHECK(s.view.filter.empty());
  }
}

TEST_CASE("the replay keys work from every screen, but not while typing a filter", "[ui][keys]") {
  const std::vector<std::pair<int, Action>> replay = {{' ', Action::PlayPause}, {'[', Action::Slower},
                                                      {']', Action::Faster},    {'.', Action::Step},
                                                      {'0', Action::SeekStart}, {'$', Action::SeekEnd}};
  for (Mode m : {Mode::Table, Mode::Detail, Mode::Nic, Mode::Help, Mode::SortMenu}) {
    Screen s = screen();
    s.view.mode = m;
    for (const auto& [k, a] : replay) {
      CHECK(s.key(k) == a);
      CHECK(s.view.mode == m);  // and the screen stays
    }
  }
  Screen s = screen();
  s.key('/');
  for (const auto& [k, a] : replay) CHECK(s.key(k) == Action::None);
  CHECK(s.view.draft == " [].0$");
}

TEST_CASE("the detail scrolls with Up/Down PgUp/PgDn Home/End, within its length", "[ui][keys]") {
  World w = three_processes();
  Screen s(take(w.table, w.src, w.now, nullptr, 3));
  s.page = 4;  // a small screen, so the detail is longer than it
  for (int i = 0; i < 10 && s.selected() != "3"; ++i) s.key(kKeyDown);
  s.key(kKeyEnter);
  REQUIRE(s.view.mode == Mode::Detail);
  // what render_detail draws at this height, to know its length
  int height = s.page + kHeaderLines + 1;
  auto first_line = [&] {
    const Snapshot::Row* row = nullptr;
    for (const auto& r : s.snap.rows)
      if (r.key == 3) row = &r;
    return render_detail(s.snap, *row, s.view, s.width, height)[0];
  };
  std::string top = first_line();
  s.key(kKeyUp);
  CHECK(s.view.detail_scroll == 0);
  s.key(kKeyDown);
  CHECK(s.view.detail_scroll == 1);
  CHECK(first_line() != top);
  s.key(kKeyEnd);
  size_t end = s.view.detail_scroll;
  CHECK(end > 1);
  std::string last = first_line();
  s.key(kKeyDown);
  s.key(kKeyPageDown);
  CHECK(s.view.detail_scroll == end);  // no further than the last screen
  s.key(kKeyUp);
  CHECK(s.view.detail_scroll == end - 1);  // and Up moves at once
  s.key(kKeyPageUp);
  CHECK(s.view.detail_scroll == (end - 1 > size_t(height - 1) ? end - 1 - size_t(height - 1) : 0));
  s.key(kKeyHome);
  CHECK(s.view.detail_scroll == 0);
  CHECK(first_line() == top);
  s.key(kKeyEnd);
  CHECK(first_line() == last);
  // back, from the top next time
  for (int k : {int(kKeyEscape), int('q'), int(kKeyBackspace)}) {
    s.key(k);
    CHECK(s.view.mode == Mode::Table);
    CHECK(s.view.detail_scroll == 0);
    s.key(kKeyEnter);
    CHECK(s.view.mode == Mode::Detail);
    s.key(kKeyEnd);
  }
  CHECK(s.key('q') == Action::None);  // q leaves the detail, not the program
}

TEST_CASE("the tmux test's path: > sorts by REMOTE, / curl Enter filters, Enter opens the detail", "[ui][keys]") {
  Screen s = screen();
  for (int i = 0; i < 5; ++i) s.key('>');  // from the default order: PID, COMM, PRO, LOCAL, REMOTE
  CHECK(s.drawn(kHeaderLines - 1).find("REMOTE^") != std::string::npos);
  for (int k : {int('/'), int('c'), int('u'), int('r'), int('l'), int(kKeyEnter)}) s.key(k);
  CHECK(s.drawn(s.page + kHeaderLines).find("filter 'curl'") != std::string::npos);
  s.key(kKeyEnter);
  CHECK(s.view.mode == Mode::Detail);
  CHECK(s.view.selected_key == 2);
  s.key(kKeyEscape);
  CHECK(s.view.mode == Mode::Table);
  CHECK(s.key('q') == Action::Quit);
}

// Issue 16: after End then `/srv` Enter the footer said `6 of 73 sockets`
// but one row was shown until Up or Home.
TEST_CASE("a filter applied after End shows every matching row from the top", "[ui][keys]") {
  World w = three_processes();
  for (uint16_t i = 0; i < 30; ++i)
    w.sock(100 + i, task(600, "worker"), v4("127.0.0.1", uint16_t(52001 + i)), v4("127.0.0.1", 9000),
           {TcpState::Established});
  Screen s(take(w.table, w.src, w.now));
  s.page = 10;
  s.refresh();
  s.key(kKeyEnd);
  REQUIRE(s.view.scroll == s.lines.size() - 10);
  for (char c : std::string("/nginx")) s.key(c);
  s.key(kKeyEnter);
  REQUIRE(s.lines.size() == 2);
  CHECK(s.view.scroll == 0);
  CHECK(s.view.selected == 0);  // the old selection is filtered away: the first match
  std::vector<std::string> rows;
  for (int i = kHeaderLines; i < kHeaderLines + s.page; ++i)
    if (!s.drawn(i).empty()) rows.push_back(s.drawn(i));
  CHECK(rows.size() == 2);
  // a selection the filter keeps stays selected
  s.key(kKeyDown);
  uint64_t kept = s.view.selected_key;
  s.key('/');  // editing starts from "nginx"
  s.key(kKeyBackspace);  // "ngin": the same rows, another filter text
  s.key(kKeyEnter);
  REQUIRE(s.view.filter == "ngin");
  CHECK(s.view.selected_key == kept);
}

TEST_CASE("when the lines shrink under a scrolled view, the page is filled from above", "[ui][keys]") {
  World w = three_processes();
  for (uint16_t i = 0; i < 30; ++i)
    w.sock(100 + i, task(600, "worker"), v4("127.0.0.1", uint16_t(52001 + i)), v4("127.0.0.1", 9000),
           {TcpState::Established});
  Screen s(take(w.table, w.src, w.now));
  s.page = 10;
  s.key(kKeyEnd);
  s.key(kKeyUp);
  REQUIRE(s.view.scroll == s.lines.size() - 10);
  // a refresh where most sockets are gone (as a filter from the command line would leave)
  s.lines.resize(12);
  follow_selection(s.view, s.snap, s.lines, s.page);
  CHECK(s.view.scroll == 2);  // 12 lines, 10 a page: the last page, full
  CHECK(s.view.selected == 11);
}
