// Replay pacing for `top -r`: which moment of the recording the view
// should have reached at a given wall time, through pause, speed changes,
// steps and seeks. Pure: the caller passes the wall time (ns on a steady
// clock), so it is tested without a file or a clock.
#pragma once

#include <cstdint>

namespace sockscope::ui {

class ReplayClock {
 public:
  static constexpr double kMinSpeed = 1.0 / 16, kMaxSpeed = 1024;  // `[` and `]` stop here
  static constexpr uint64_t kStepNs = 1'000'000'000;               // `.`

  // Playing from start_ns (the recording's start) at speed, from wall_ns on.
  ReplayClock(uint64_t start_ns, double speed, uint64_t wall_ns);

  // The recording time the view should have reached at wall_ns: where it
  // started + elapsed wall time x speed, never past the end once known.
  uint64_t position(uint64_t wall_ns) const;
  bool paused() const { return paused_; }
  double speed() const { return speed_; }
  uint64_t start_ns() const { return start_; }
  uint64_t end_ns() const { return end_; }  // 0: not known yet
  // Playing at the end, or paused there.
  bool at_end(uint64_t wall_ns) const { return end_ && position(wall_ns) >= end_; }

  void toggle_pause(uint64_t wall_ns);
  void slower(uint64_t wall_ns);  // halves the speed, down to kMinSpeed
  void faster(uint64_t wall_ns);  // doubles it, up to kMaxSpeed
  // kStepNs further than now, then paused.
  void step(uint64_t wall_ns);
  // Back to the recording's start; playing or paused as before.
  void seek_start(uint64_t wall_ns);
  // As far as the recording goes, paused: the reader then reads to the end
  // at full speed, and the position is the end once set_end() tells it.
  void seek_end(uint64_t wall_ns);
  // The recording's end, once read: the position stops there.
  void set_end(uint64_t end_ns) { end_ = end_ns; }

 private:
  // Makes wall_ns the new reference point, at the position reached by then.
  void rebase(uint64_t wall_ns);

  uint64_t start_;
  uint64_t end_ = 0;
  uint64_t base_pos_;   // the position at base_wall_
  uint64_t base_wall_;  // when the speed or the pause last changed
  double speed_;
  bool paused_ = false;
};

}  // namespace sockscope::ui
