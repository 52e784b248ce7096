#include "ui/replay.h"

#include <algorithm>
#include <limits>

namespace sockscope::ui {
namespace {

constexpr uint64_t kFar = std::numeric_limits<uint64_t>::max();

// a + b, stopping at kFar rather than wrapping
uint64_t add(uint64_t a, uint64_t b) { return a > kFar - b ? kFar : a + b; }

}  // namespace

ReplayClock::ReplayClock(uint64_t start_ns, double speed, uint64_t wall_ns)
    : start_(start_ns), base_pos_(start_ns), base_wall_(wall_ns),
      speed_(std::clamp(speed, kMinSpeed, kMaxSpeed)) {}

uint64_t ReplayClock::position(uint64_t wall_ns) const {
  uint64_t pos = base_pos_;
  if (!paused_ && wall_ns > base_wall_) {
    double ahead = double(wall_ns - base_wall_) * speed_;
    // in double, far beyond any recording: saturate instead of overflowing
    pos = ahead >= double(kFar - base_pos_) ? kFar : add(base_pos_, uint64_t(ahead));
  }
  return end_ ? std::min(pos, end_) : pos;
}

void ReplayClock::rebase(uint64_t wall_ns) {
  base_pos_ = position(wall_ns);
  base_wall_ = wall_ns;
}

void ReplayClock::toggle_pause(uint64_t wall_ns) {
  rebase(wall_ns);
  paused_ = !paused_;
}

void ReplayClock::slower(uint64_t wall_ns) {
  rebase(wall_ns);
  speed_ = std::max(speed_ / 2, kMinSpeed);
}

void ReplayClock::faster(uint64_t wall_ns) {
  rebase(wall_ns);
  speed_ = std::min(speed_ * 2, kMaxSpeed);
}

void ReplayClock::step(uint64_t wall_ns) {
  rebase(wall_ns);
  base_pos_ = add(base_pos_, kStepNs);
  if (end_) base_pos_ = std::min(base_pos_, end_);
  paused_ = true;
}

void ReplayClock::seek_start(uint64_t wall_ns) {
  base_pos_ = start_;
  base_wall_ = wall_ns;
}

void ReplayClock::seek_end(uint64_t wall_ns) {
  base_pos_ = end_ ? end_ : kFar;
  base_wall_ = wall_ns;
  paused_ = true;
}

}  // namespace sockscope::ui
