// Waiting in tests: sleeps, and polling a condition with a bound.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace testing {

inline void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// Polls cond every 50 ms for at most timeout_s; whether it became true.
inline bool eventually(const std::function<bool()>& cond, double timeout_s) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    sleep_s(0.05);
  }
}

}  // namespace testing
