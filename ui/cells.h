// What a cell of the socket table says in the room it has: endpoints
// shortened so the port is never cut and the address stays readable, and
// state names no cut can make ambiguous.
#pragma once

#include <string>
#include <string_view>

namespace sockscope::ui {

// An endpoint as the model writes it ("127.0.0.1:8080", "[2001:db8::1]:443",
// "0.0.0.0:*") in at most width cells:
// - 127.0.0.1 is "lo" and 0.0.0.0 "*" (IPv6 keeps "[::1]" and "[::]": the
//   brackets tell the family, and they are short already);
// - the port is whole, always;
// - a longer address loses its middle, whole octets or groups at a time
//   where it can, marked '~': "192~1.100:5432", "[2001:db8~eeee:1234]:443";
// - narrower still, its end: "~0.5:51000".
// Below ":PORT" and one cell, nothing is left but the end.
std::string short_endpoint(std::string_view full, int width);
// The short names alone, never elided: what the table shows when it has
// room ("lo:8080", "*:*"), for the filter to find.
std::string named_endpoint(std::string_view full);
// ss's state names where the kernel's differ ("ESTAB", "CLOSE-WAIT",
// "TIME-WAIT", "FIN-WAIT-1", "SYN-RECV"): at most 10 cells, and distinct
// from each other whole, so they are never cut.
std::string_view table_state(std::string_view kernel_name);
inline constexpr int kStateCells = 10;

}  // namespace sockscope::ui
