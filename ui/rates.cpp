#include "rates.h"

namespace sockscope::ui {

void RateTracker::update(Snapshot&) {}  // TODO(helper)
void RateTracker::reset() { *this = RateTracker(); }

}  // namespace sockscope::ui
