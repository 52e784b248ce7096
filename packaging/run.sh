#!/usr/bin/env bash
# Quick start: install what is needed, build, and start sockscope (as root).
# Arguments go to sockscope, e.g. `packaging/run.sh list --duration 2`.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
"$top/packaging/install-deps.sh"
"$top/packaging/build.sh"
build="${SOCKSCOPE_BUILD_DIR:-$top/build}"
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$build/sockscope" "$@"
fi
exec "$build/sockscope" "$@"
