#!/usr/bin/env bash
# Configures and builds sockscope into build/ (or $SOCKSCOPE_BUILD_DIR): the
# development build, warnings as errors (SOCKSCOPE_WERROR=OFF to relax).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${SOCKSCOPE_BUILD_DIR:-$top/build}"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
  -DSOCKSCOPE_WERROR="${SOCKSCOPE_WERROR:-ON}" >/dev/null
cmake --build "$build" -j "$(nproc)"
