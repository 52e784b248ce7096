// The `/` filter of the live view: words that must all match a row.
// Parsed once per redraw, not per row: a table can hold 100,000 rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/event.h"
#include "ui/snapshot.h"

namespace sockscope::ui {

// Each word is one of (all must match, case-insensitive):
//   :7006  port:7006   the local or the remote port is exactly 7006
//   pid:300            the owner's pid is exactly 300
//   comm:nginx         the owner's comm is exactly nginx
//   state:close-wait   the state, as ss or the kernel spell it
//                      (estab, time_wait, unconn, ...); closed: gone sockets
//   300                a bare number: the pid or either port exactly
//   anything else      text within comm, an endpoint (as the model or as
//                      the table writes it: "lo:80"), the state or protocol
// A number inside another ("7006" in "57006") matches only as text, never
// as a port or pid.
class RowFilter {
 public:
  explicit RowFilter(std::string_view text);
  bool matches(const Snapshot::Row& r) const;
  bool empty() const { return terms_.empty() && error_.empty(); }
  // Why a word can match nothing ("pid: wants a number"); empty when none.
  const std::string& error() const { return error_; }

 private:
  enum class Kind { Text, Port, Pid, PidOrPort, Comm, State, Closed, Never };
  struct Term {
    Kind kind;
    std::string text;  // lower case
    uint32_t number = 0;
    std::optional<TcpState> state;
    Term(Kind k, std::string t, uint32_t n = 0, std::optional<TcpState> st = std::nullopt)
        : kind(k), text(std::move(t)), number(n), state(st) {}
  };
  std::vector<Term> terms_;
  std::string error_;
};

}  // namespace sockscope::ui
