#!/bin/busybox sh
# /init of the kernel matrix's guest (tests/kernels/matrix.py): sets up
# the few filesystems sockscope needs, runs the smoke suite as root, and
# writes the results to the second serial port (ttyS1), which the host
# reads after the guest powers off. The console (ttyS0) carries the log.
#
# Results, one per line, tab-separated (the host parses them):
#   kernel  RELEASE
#   meta    JSON of a trace's header: which probes attached, with reasons
#   junit-begin / XML lines / junit-end: the integration tests' report
#   leftover N: BPF programs named ss_* still loaded after the suite
#   end     RC
# Nothing here talks to any network: the guest has no NIC, only loopback
# and the namespaces the tests create.
/bin/busybox --install -s /bin
# iproute2 and the other real tools before busybox's applets of the same name
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs shm /dev/shm
# /tmp stays a directory of the initramfs (in memory, writable already):
# a mount over it would hide the built binaries when the build is under /tmp
mkdir -p /tmp && chmod 1777 /tmp
mount -t tmpfs run /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
ip link set lo up
hostname kmatrix
# the guest's modules are only those the tests use (veth, nftables), in
# dependency order
for m in $(cat /etc/kmatrix-modules); do insmod "$m" || echo "kmatrix: insmod $m failed"; done

out=/dev/ttyS1
tests="$(cat /etc/kmatrix-tests)"
build="$(cat /etc/kmatrix-build)"
rc=0
printf 'kernel\t%s\n' "$(uname -r)" > $out

# Which probes attach on this kernel, every tier asked for: the header of
# a one-second trace lists each probe with its tier and, when it did not
# attach, the reason.
echo "kmatrix: probes"
# --detail syscalls replaces the cgroup hooks, so it is asked apart
for detail in packets syscalls; do
  if "$build/sockscope" record -w /tmp/probes.ssc --duration 1 --detail $detail 2>/tmp/probes.err; then
    cat /tmp/probes.err
    # what the loader does differently on this kernel (its notes)
    if [ $detail = packets ]; then
      grep '^sockscope: ' /tmp/probes.err | grep -v 'probe \|probes attached\|events=\|recorded \|recording to' |
        sed 's/^sockscope: //' | while IFS= read -r n; do printf 'note\t%s\n' "$n"; done > $out
    fi
    # -o: the header's length bytes before the JSON may be printable too
    printf 'meta\t%s\n' "$(strings -n 8 /tmp/probes.ssc | grep -m1 -o '{"command".*')" > $out
  else
    echo "kmatrix: record --detail $detail for the probe list failed"
    rc=1
  fi
done

# Tests that need the syscalls tier ([syscalls-tier]) are left out where
# this kernel cannot run it (before 6.2: no bpf_rdonly_cast), and said so
why=$("$build/sockscope" record -w /tmp/tier.ssc --duration 1 --detail syscalls 2>&1 |
  grep -m1 "probe ss_sys_enter .*not attached" | sed 's/.*not attached: //')
if [ -n "$why" ]; then
  printf 'skipped\t[syscalls-tier]\t%s\n' "$why" > $out
  tests="$tests~[syscalls-tier]"
fi
echo "kmatrix: smoke suite: $tests"
SOCKSCOPE_REQUIRE_BPF=1 "$build/tests/integration_tests" "$tests" -r junit -o /tmp/junit.xml
trc=$?
echo "kmatrix: integration_tests exit $trc"
[ $trc -eq 0 ] || rc=1
printf 'junit-begin\n' > $out
cat /tmp/junit.xml > $out
printf 'junit-end\n' > $out

# programs of the last run go after an RCU grace period: wait for it
for i in $(seq 50); do
  left=$(bpftool prog show 2>/dev/null | grep -c ' name ss_')
  [ "$left" -eq 0 ] && break
  sleep 0.2
done
printf 'leftover\t%s\n' "$left" > $out
[ "$left" -eq 0 ] || rc=1
printf 'end\t%s\n' "$rc" > $out
echo "kmatrix: done, rc=$rc"
sync
poweroff -f
