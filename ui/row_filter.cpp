#include "ui/row_filter.h"

#include <charconv>
#include <sstream>

#include "model/names.h"
#include "ui/cells.h"
#include "ui/text.h"

namespace sockscope::ui {
namespace {

std::optional<uint32_t> number(std::string_view s) {
  uint32_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Kernel and ss spellings side by side: "close-wait" finds CLOSE_WAIT.
std::string state_words(std::string_view s) {
  std::string out = lower(s);
  for (char& c : out)
    if (c == '-') c = '_';
  return out;
}

bool contains(std::string_view field, const std::string& lowered) {
  return lower(field).find(lowered) != std::string::npos;
}

}  // namespace

RowFilter::RowFilter(std::string_view text) {
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) {
    std::string w = lower(word);
    auto fail = [&](std::string why) {
      terms_.push_back({Kind::Never, w});
      if (error_.empty()) error_ = std::move(why);
    };
    auto after = [&](std::string_view prefix) -> std::optional<std::string> {
      if (w.size() >= prefix.size() && w.compare(0, prefix.size(), prefix) == 0) return w.substr(prefix.size());
      return std::nullopt;
    };
    if (auto p = w[0] == ':' ? std::optional(w.substr(1)) : after("port:")) {
      auto n = number(*p);
      if (!n || *n > 65535) fail(word + ": a port is a number from 0 to 65535");
      else terms_.push_back({Kind::Port, w, *n});
    } else if (auto p = after("pid:")) {
      auto n = number(*p);
      if (!n) fail(word + ": pid: wants a number");
      else terms_.push_back({Kind::Pid, w, *n});
    } else if (auto p = after("comm:")) {
      terms_.push_back({Kind::Comm, *p});
    } else if (auto p = after("state:")) {
      if (state_words(*p) == "closed") terms_.push_back({Kind::Closed, *p});
      else if (auto st = parse_state(*p)) terms_.push_back({Kind::State, *p, 0, st});
      else fail(word + ": not a state (estab, listen, close-wait, time-wait, unconn, closed, ...)");
    } else if (auto n = number(w)) {
      terms_.push_back({Kind::PidOrPort, w, *n});
    } else {
      terms_.push_back({Kind::Text, w});
    }
  }
}

bool RowFilter::matches(const Snapshot::Row& r) const {
  for (const Term& t : terms_) {
    bool ok = false;
    switch (t.kind) {
      case Kind::Port: ok = r.local_port == t.number || r.remote_port == t.number; break;
      case Kind::Pid: ok = r.pid == t.number; break;
      case Kind::PidOrPort: ok = r.pid == t.number || r.local_port == t.number || r.remote_port == t.number; break;
      case Kind::Comm: ok = lower(r.comm) == t.text; break;
      case Kind::State: ok = !r.closed && r.tcp_state == *t.state; break;
      case Kind::Closed: ok = r.closed; break;
      case Kind::Never: ok = false; break;
      case Kind::Text:
        // the endpoints as the model and as the table write them: "lo:8080" finds 127.0.0.1:8080
        ok = contains(r.comm, t.text) || contains(r.local, t.text) || contains(r.remote, t.text) ||
             contains(named_endpoint(r.local), t.text) || contains(named_endpoint(r.remote), t.text) ||
             contains(r.proto, t.text) || state_words(r.state).find(state_words(t.text)) != std::string::npos;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace sockscope::ui
