// Replay pacing for `top -r`: which recording time the view should have
// reached by now, given pause, speed, steps and seeks. Pure, so tested
// without a file or a clock. (placeholder; filled in this change)
#pragma once
