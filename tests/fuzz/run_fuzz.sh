#!/usr/bin/env bash
# A short, bounded fuzz run for the test suite: the seed corpus plus what
# libFuzzer finds in RUNS executions (at most SECONDS). New inputs go to a
# temporary directory, removed after; a crash leaves its input in the
# current directory and fails the test, and so does a run stopped by
# SECONDS before RUNS inputs (the test's name says how many it runs).
#   run_fuzz.sh FUZZER SEED_DIR RUNS SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 runs=$3 secs=$4
work=$(mktemp -d /tmp/sockscope-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$fuzzer" -runs="$runs" -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -dict="$(dirname "$0")/trace.dict" \
  -print_final_stats=1 "$work" "$seeds" 2>&1 | tee "$work/log"
done=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ -z "$done" ] || [ "$done" -lt "$runs" ]; then
  echo "run_fuzz: ${done:-no} inputs run in ${secs} s, fewer than the ${runs} asked" >&2
  exit 1
fi
