// The live view's `/` filter (ui/row_filter.h): exact ports, pid:, comm:,
// state:, bare numbers, free text, and words that must all match.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/builders.h"
#include "tests/unit/table_world.h"
#include "ui/render.h"
#include "ui/row_filter.h"
#include "ui/snapshot.h"

using namespace sockscope;
using namespace sockscope::test;
using namespace sockscope::ui;

namespace {

// The usual three, plus a server on 7006 with a client from port 57006
// (issue 16: `7006` matched inside `57006`), and pid 7006 elsewhere.
TableWorld world() {
  TableWorld w = three_sockets();
  w.sock(10, task(500, "srv"), v4("10.0.0.1", 7006), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(11, task(501, "client"), v4("10.0.0.2", 57006), v4("10.0.0.1", 7007),
         {TcpState::SynSent, TcpState::Established});
  w.sock(12, task(7006, "sshd"), v4("10.0.0.3", 22), v4("10.0.0.4", 50000), {TcpState::Established});
  return w;
}

// The comms of the rows the filter lets through, in the model's order.
std::vector<std::string> comms(const Snapshot& s, const std::string& text) {
  ViewState v;
  v.filter = text;
  std::vector<std::string> out;
  for (const Line& l : visible_lines(s, v)) out.push_back(s.rows[l.row].comm);
  std::sort(out.begin(), out.end());
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("filter ':7006' and 'port:7006' match that port exactly, local or remote", "[ui][filter]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  CHECK(comms(s, ":7006") == Names{"srv"});  // not the client from 57006
  CHECK(comms(s, "port:7006") == Names{"srv"});
  CHECK(comms(s, ":8080") == Names{"curl", "nginx"});  // nginx's local, curl's remote
  CHECK(comms(s, ":7007") == Names{"client"});
  CHECK(comms(s, ":1").empty());
}

TEST_CASE("a bare number matches the pid or a port exactly", "[ui][filter]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  CHECK(comms(s, "7006") == Names{"srv", "sshd"});  // srv's port, sshd's pid; not 57006
  CHECK(comms(s, "300") == Names{"psql"});
  CHECK(comms(s, "5432") == Names{"psql"});
  CHECK(comms(s, "30").empty());  // not a part of 300
}

TEST_CASE("filter pid:, comm: and state: match exactly, state takes ss and kernel names", "[ui][filter]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  CHECK(comms(s, "pid:200") == Names{"nginx"});
  CHECK(comms(s, "pid:20").empty());
  CHECK(comms(s, "comm:NGINX") == Names{"nginx"});
  CHECK(comms(s, "comm:ngin").empty());
  CHECK(comms(s, "state:listen") == Names{"nginx", "srv"});
  CHECK(comms(s, "state:listening") == Names{"nginx", "srv"});
  CHECK(comms(s, "state:close-wait") == Names{"psql"});
  CHECK(comms(s, "state:CLOSE_WAIT") == Names{"psql"});
  CHECK(comms(s, "state:estab") == Names{"client", "curl", "sshd"});
  CHECK(comms(s, "state:close").empty());  // CLOSE, not a part of CLOSE_WAIT
}

TEST_CASE("filter words must all match, other text is found inside fields", "[ui][filter]") {
  TableWorld w = world();
  Snapshot s = w.snap();
  CHECK(comms(s, "state:estab :8080") == Names{"curl"});
  CHECK(comms(s, "comm:srv :7006") == Names{"srv"});
  CHECK(comms(s, "comm:srv :7007").empty());
  CHECK(comms(s, "10.0.0.") == Names{"client", "psql", "srv", "sshd"});
  CHECK(comms(s, "close-wait") == Names{"psql"});  // the table's spelling finds the kernel's
  CHECK(comms(s, "Ngi") == Names{"nginx"});
  CHECK(comms(s, "  ").size() == s.rows.size());
}

TEST_CASE("a filter word that can match nothing says why", "[ui][filter]") {
  CHECK(RowFilter("pid:abc").error() == "pid:abc: pid: wants a number");
  CHECK(RowFilter(":99999").error() == ":99999: a port is a number from 0 to 65535");
  CHECK(RowFilter("state:stuck").error().find("not a state") != std::string::npos);
  CHECK(RowFilter("pid:1 :80 comm:x state:closed nginx").error().empty());
  TableWorld w = world();
  Snapshot s = w.snap();
  ViewState v;
  v.filter = "state:stuck";
  auto lines = render_table(s, v, 120, 24);
  CHECK(lines[kHeaderLines].find("no sockets match the filter 'state:stuck': state:stuck: not a state") !=
        std::string::npos);
}
