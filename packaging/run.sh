#!/usr/bin/env bash
# Quick start: install what running needs, build sockscope, and start it (as
# root). Arguments go to sockscope, e.g. `packaging/run.sh list --duration 2`;
# with none, sockscope starts `top` on a terminal and `watch` otherwise.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
"$top/packaging/install-deps.sh" run
build="${SOCKSCOPE_BUILD_DIR:-$top/build}"
# A build directory already configured (with its tests, say) is kept as it
# is; a new one is made without the tests, which need more packages.
if [ -f "$build/CMakeCache.txt" ]; then
  SOCKSCOPE_TARGET=sockscope SOCKSCOPE_TESTS="$(sed -n 's/^BUILD_TESTING:BOOL=//p' "$build/CMakeCache.txt")" \
    "$top/packaging/build.sh"
else
  SOCKSCOPE_TARGET=sockscope SOCKSCOPE_TESTS=OFF "$top/packaging/build.sh"
fi
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$build/sockscope" "$@"
fi
exec "$build/sockscope" "$@"
