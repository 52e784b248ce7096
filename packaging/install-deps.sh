#!/usr/bin/env bash
# Installs, from Debian (bookworm) packages, what sockscope needs for one
# purpose, and only what is missing (safe to run again):
#   install-deps.sh run     build and run sockscope
#   install-deps.sh test    the above, and what the tests run (the default)
#   install-deps.sh bench   the above, and bench/run.py's load and peers
#   install-deps.sh kernels the test set, and what tests/kernels/matrix.py
#                           needs to boot other kernels under qemu
set -euo pipefail

purpose="${1:-test}"
case "$purpose" in
  run | test | bench | kernels) ;;
  *)
    echo "install-deps: unknown purpose '$purpose': give run, test, bench or kernels" >&2
    exit 2
    ;;
esac

# Debian's default clang (14 on bookworm); its runtime package is versioned.
clang_major() {
  local v
  v=$(apt-cache policy clang 2>/dev/null | awk '/Candidate:/ {print $2}' | sed -E 's/^[0-9]+://; s/^([0-9]+).*/\1/')
  echo "${v:-14}"
}

PACKAGES=(
  # build
  g++ cmake ninja-build pkg-config make
  # BPF: compiler, skeleton generator, library
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
  # libraries: CLI, JSON, formatting, compression, terminal
  libcli11-dev nlohmann-json3-dev libfmt-dev libzstd-dev libncurses-dev
)
if [ "$purpose" != run ]; then
  PACKAGES+=(
    # the trace reader's fuzz target: libFuzzer and the sanitizers of that clang
    "libclang-rt-$(clang_major)-dev"
    # tests: Catch2, and the independent observers / tools they run
    catch2 iproute2 util-linux procps nftables ethtool tmux python3
  )
fi
if [ "$purpose" = kernels ]; then
  # the kernel matrix: qemu, the guest's shell and tools, the initramfs
  # archiver, depmod for the kernel packages' modules.dep
  PACKAGES+=(qemu-system-x86 busybox-static cpio kmod dash)
fi
if [ "$purpose" = bench ]; then
  # benchmarks (bench/run.py): load generator, the peers compared against
  PACKAGES+=(iperf3 bpftrace libbpf-tools)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
