#!/usr/bin/env bash
# Builds sockscope in the configurations a user or a packager may pick, with
# warnings as errors, so that none of them fails for anyone: CMake's four
# build types with g++ and with clang++, and Debian's hardening flags
# (dpkg-buildflags with hardening=+all) as a package build passes them.
#
#   packaging/check-builds.sh            every configuration below
#   packaging/check-builds.sh ci         what .ci/run adds to the tested build:
#                                        g++ Release with the hardening flags
#   packaging/check-builds.sh NAME ...   just these, e.g. clang-Debug gcc-hardened
#
# Configurations: {gcc,clang}-{Debug,Release,RelWithDebInfo,MinSizeRel},
# gcc-hardened (build type None, as debhelper configures a package) and
# gcc-Release-hardened. Each builds every target (tests and benchmarks too;
# not the fuzz target, a clang project of its own that the test build makes)
# in build-check/NAME/ (or $SOCKSCOPE_CHECK_DIR/NAME/). Exits non-zero if
# any fails, after trying all, and says which.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
out="${SOCKSCOPE_CHECK_DIR:-$top/build-check}"
"$top/packaging/install-deps.sh" test

all=()
for cc in gcc clang; do
  for type in Debug Release RelWithDebInfo MinSizeRel; do all+=("$cc-$type"); done
done
all+=(gcc-hardened gcc-Release-hardened)

case "${1:-}" in
  "") names=("${all[@]}") ;;
  ci) names=(gcc-Release-hardened) ;;
  *) names=("$@") ;;
esac

# Debian's flags for a package build, hardening all on; CMake reads CFLAGS,
# CXXFLAGS and LDFLAGS from the environment at the first configure, and has
# no CPPFLAGS of its own, so those go with the compiler flags.
hardened_env() {
  local f
  f="$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
  eval "$f"
  export CFLAGS="$CFLAGS $CPPFLAGS" CXXFLAGS="$CXXFLAGS $CPPFLAGS" LDFLAGS
}

failed=()
for name in "${names[@]}"; do
  cc="${name%%-*}"
  rest="${name#*-}"
  type="${rest%-hardened}"
  [ "$rest" = hardened ] && type=None
  case "$cc" in
    gcc) c=gcc cxx=g++ ;;
    clang) c=clang cxx=clang++ ;;
    *) echo "check-builds: unknown configuration '$name' (known: ${all[*]})" >&2; exit 2 ;;
  esac
  case "$type" in
    Debug|Release|RelWithDebInfo|MinSizeRel|None) ;;
    *) echo "check-builds: unknown configuration '$name' (known: ${all[*]})" >&2; exit 2 ;;
  esac
  dir="$out/$name"
  rm -rf "$dir"
  flags=""
  case "$name" in *hardened) flags=", dpkg-buildflags hardening=+all" ;; esac
  mkdir -p "$out"
  echo "check-builds: $name ($cxx, CMAKE_BUILD_TYPE=$type$flags) in $dir" >&2
  start=$SECONDS
  if (
    unset CFLAGS CXXFLAGS CPPFLAGS LDFLAGS
    case "$name" in *hardened) hardened_env ;; esac
    cmake -S "$top" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DCMAKE_C_COMPILER="$c" \
      -DCMAKE_CXX_COMPILER="$cxx" -DSOCKSCOPE_WERROR=ON -DSOCKSCOPE_FUZZ=OFF >"$dir.log" 2>&1 &&
      cmake --build "$dir" -j "$(nproc)" -- -k 0 >>"$dir.log" 2>&1  # every error, not the first
  ); then
    echo "check-builds: $name: built clean in $((SECONDS - start)) s" >&2
  else
    echo "check-builds: $name: FAILED; the first errors ($dir.log):" >&2
    grep -m 20 -E "error|warning" "$dir.log" >&2 || tail -n 20 "$dir.log" >&2 || true
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "check-builds: ${#failed[@]} of ${#names[@]} configurations failed: ${failed[*]}" >&2
  exit 1
fi
echo "check-builds: all ${#names[@]} configurations built clean: ${names[*]}" >&2
