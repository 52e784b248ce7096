#!/usr/bin/env bash
# Install what is needed, build, and run every test through ctest.
# Kernel tests need root; without it they skip, unless
# SOCKSCOPE_REQUIRE_BPF=1 (as CI sets), which makes them fail instead.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
# the kernel matrix boots other kernels under qemu: its tools too
"$top/packaging/install-deps.sh" kernels
"$top/packaging/build.sh"
build="${SOCKSCOPE_BUILD_DIR:-$top/build}"
# the kernel tests attach to tracepoints: make sure tracefs is there
if [ "$(id -u)" -eq 0 ] && [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing || true
fi
ctest --test-dir "$build" --output-on-failure "$@"
