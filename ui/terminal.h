// The ncurses screen: the only file pair here that includes curses.
// Construction takes over the terminal; destruction (normal return, an
// exception unwinding, or the loop ending on a stop signal) gives it back.
#pragma once

#include <string>
#include <vector>

#include "ui/keys.h"
#include "ui/render.h"

namespace sockscope::ui {

class Terminal {
 public:
  // Throws UserError when stdin/stdout is not a terminal ncurses can drive.
  explicit Terminal(bool color);
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // A Key (keys.h) or a printable character; kKeyNone after timeout_ms.
  KeyInput read_key(int timeout_ms);
  // tones: one per line, or empty for plain text.
  void draw(const std::vector<std::string>& lines, const std::vector<Tone>& tones);
  int width() const;
  int height() const;

 private:
  bool color_ = false;
  void* screen_ = nullptr;  // SCREEN*, kept out of this header
};

}  // namespace sockscope::ui
