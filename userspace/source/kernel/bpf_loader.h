// Loads and attaches sockscope's BPF object. A probe whose hook this kernel
// lacks is turned off before load and reported, never fatal; everything is
// detached and unloaded when the BpfObject is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "record/probe_status.h"
#include "record/tiers.h"

struct sockscope_bpf;
struct bpf_link;
struct bpf_program;

namespace sockscope {

// The reader is woken each time this many bytes of records pile up (and
// drains on its own timer besides). A wakeup is an irq_work on the
// writing CPU, a self-IPI: on a VM an exit to the host, some 15 us in the
// middle of the application's own work. A sixteenth of the ring wakes the
// reader long before the ring fills, and at most ~100 times a second at
// the highest rates measured (45 MB/s of records into 8 MiB).
constexpr uint64_t wakeup_bytes_for(uint64_t ringbuf_bytes) {
  return ringbuf_bytes / 16 > 64 * 1024 ? ringbuf_bytes / 16 : 64 * 1024;
}

struct LoaderOptions {
  uint32_t ringbuf_bytes = 8u << 20;
  uint32_t stats_entries = 65536;
  uint64_t sample_interval_ns = 10'000'000;
  uint64_t wakeup_bytes = wakeup_bytes_for(8u << 20);
  // Detail tiers (docs/architecture.md): off by default, the default tier
  // runs nothing per packet, per send/recv or per syscall.
  bool detail_syscalls = false;  // sys_enter/sys_exit: fds, blocking time, every socket call
  bool detail_packets = false;   // per-packet: occupancy at each send/recv, the journey, device hooks
  bool detail_calls = false;     // one record per data syscall (implies detail_syscalls)
  uint32_t detail_pid = 0;       // the detail tiers for this process only; 0: every process
  uint16_t detail_port = 0;      // the packets tier's per-socket programs for this port only; 0: any
  bool journey = true;                         // time received data on its way to the app
  uint32_t journey_rate = 20000;               // most received skbs timed per second per CPU; 0: all
  uint64_t metrics_interval_ns = 100'000'000;  // TCP metrics records: at most one per socket per interval
};

class BpfObject {
 public:
  // Throws UserError with what to do when loading fails.
  explicit BpfObject(const LoaderOptions& opts);
  ~BpfObject();
  BpfObject(const BpfObject&) = delete;
  BpfObject& operator=(const BpfObject&) = delete;

  int events_fd() const;
  int stats_fd() const;
  int lost_fd() const;
  // Runs of the loaded programs the kernel skipped because the program was
  // already running on that CPU (bpf_prog_info's recursion_misses, summed):
  // tracing programs do not nest, so a probe interrupted by a softirq that
  // hits the same hook misses that run, and only the kernel counts it.
  uint64_t skipped_runs() const;
  int sock_drops_fd() const;    // LRU_HASH ss_sock_drop_key -> u64
  int sock_journey_fd() const;  // LRU_HASH u64 cookie -> ss_journey
  int dev_stats_fd() const;     // PERCPU_HASH ss_dev_key -> ss_dev_stats
  int dev_names_fd() const;     // HASH ss_dev_key -> ss_dev_name
  int dev_drops_fd() const;     // PERCPU_HASH ss_dev_drop_key -> u64
  // The iterators' links (iter/tcp, iter/udp, iter/task_file), from which
  // each pass creates its fd; -1 when this kernel lacks the iterator.
  int iter_tcp_link() const { return iter_tcp_; }
  int iter_udp_link() const { return iter_udp_; }
  int iter_files_link() const { return iter_files_; }
  const std::vector<ProbeStatus>& probes() const { return probes_; }
  size_t attached_count() const;

  // Attaches or detaches a detail tier while running (top's detail key);
  // returns "" or why it could not. The default tier stays as it is.
  std::string set_tier(Tier t, bool on);
  bool tier_on(Tier t) const;
  // TIME_WAIT sockets with less than this left go by cookie alone in the
  // next TCP passes (0: all in full); see iter_tw_brief_ms in the BPF config.
  void set_pass_tw_brief(uint32_t ms_left);
  // The detail tiers for one process only (0: every process).
  void set_detail_pid(uint32_t pid);
  uint32_t detail_pid() const;
  // Whether socket lifecycle comes from the cgroup socket hooks (else from
  // the syscall hooks: asked for, or the fallback) and, if not, why.
  bool cgroup_lifecycle() const { return cgroup_lifecycle_; }
  const std::string& cgroup_note() const { return cgroup_note_; }
  // Whether a socket's state changes travel together (else one record
  // each), and if not, why: for the start-up report.
  bool state_runs() const { return state_runs_note_.empty(); }
  const std::string& state_runs_note() const { return state_runs_note_; }
  // What this kernel made the loader do differently, for the start-up
  // report: the object built for kernels before 6.2, a tick rate measured
  // for want of the kernel's config file.
  const std::vector<std::string>& kernel_notes() const { return kernel_notes_; }

 private:
  void release();
  // Attaches program i (cgroup programs to the cgroup v2 root); false with
  // the probe's reason set when it fails.
  bool attach(size_t i);
  void detach(size_t i);
  void attach_cgroup_lifecycle(bool wanted);
  bool cgroup_hooks_run();

  sockscope_bpf* skel_ = nullptr;
  std::vector<bpf_program*> progs_;  // parallel to probes_
  std::vector<bpf_link*> links_;     // parallel to probes_; nullptr: not attached
  std::vector<ProbeStatus> probes_;
  int cgroup_fd_ = -1;
  bool cgroup_lifecycle_ = false;
  bool syscalls_fallback_ = false;  // the syscall hooks stand in for the cgroup hooks
  std::string state_runs_note_;     // empty: state changes travel in runs
  std::vector<std::string> kernel_notes_;
  int open_and_load(const LoaderOptions& opts, bool state_runs);
  std::string cgroup_note_;
  int iter_tcp_ = -1, iter_udp_ = -1, iter_files_ = -1;
};

// One line per problem plus a summary, for stderr at start-up.
std::string probe_report(const std::vector<ProbeStatus>& probes);

}  // namespace sockscope
