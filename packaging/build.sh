#!/usr/bin/env bash
# Configures and builds sockscope into build/ (or $SOCKSCOPE_BUILD_DIR): the
# development build, warnings as errors (SOCKSCOPE_WERROR=OFF to relax).
#   SOCKSCOPE_TESTS=OFF        configure without the tests (no Catch2 needed)
#   SOCKSCOPE_TARGET=sockscope build just that target (default: everything)
# The configure step runs only when the build directory has none yet or
# its options changed: CMake itself re-runs it when a CMakeLists.txt does.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${SOCKSCOPE_BUILD_DIR:-$top/build}"
options=(-G Ninja "-DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo}"
  "-DSOCKSCOPE_WERROR=${SOCKSCOPE_WERROR:-ON}" "-DBUILD_TESTING=${SOCKSCOPE_TESTS:-ON}")
stamp="$build/.sockscope-configured-with"
if [ ! -f "$build/CMakeCache.txt" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${options[*]}" ]; then
  rm -f "$stamp"
  cmake -S "$top" -B "$build" "${options[@]}" >/dev/null
  printf '%s' "${options[*]}" >"$stamp"
fi
cmake --build "$build" -j "$(nproc)" ${SOCKSCOPE_TARGET:+--target "$SOCKSCOPE_TARGET"}
