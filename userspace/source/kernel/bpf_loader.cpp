#include "source/kernel/bpf_loader.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>

#include <fmt/format.h>

#include "bpf/abi/sockscope_abi.h"
#include "sockscope.skel.h"
#include "source/kernel/preflight.h"
#include "source/kernel/probe_targets.h"
#include "util/user_error.h"

namespace sockscope {
namespace {

// The BPF side's syscall hooks see every syscall by number; which numbers
// are socket calls is this build's <sys/syscall.h> (bpf/hooks/syscalls.bpf.h).
template <size_t N>
void fill_syscall_calls(volatile uint8_t (&call_of)[N]) {
  constexpr std::pair<long, uint8_t> kCalls[] = {
      {SYS_socket, SS_CALL_SOCKET},     {SYS_bind, SS_CALL_BIND},         {SYS_listen, SS_CALL_LISTEN},
      {SYS_accept, SS_CALL_ACCEPT},     {SYS_accept4, SS_CALL_ACCEPT4},   {SYS_connect, SS_CALL_CONNECT},
      {SYS_shutdown, SS_CALL_SHUTDOWN}, {SYS_close, SS_CALL_CLOSE},       {SYS_setsockopt, SS_CALL_SETSOCKOPT},
      {SYS_sendto, SS_CALL_SENDTO},     {SYS_sendmsg, SS_CALL_SENDMSG},   {SYS_sendmmsg, SS_CALL_SENDMMSG},
      {SYS_recvfrom, SS_CALL_RECVFROM}, {SYS_recvmsg, SS_CALL_RECVMSG},   {SYS_recvmmsg, SS_CALL_RECVMMSG},
      {SYS_read, SS_CALL_READ},         {SYS_write, SS_CALL_WRITE},       {SYS_readv, SS_CALL_READV},
      {SYS_writev, SS_CALL_WRITEV},
  };
  static_assert(std::size(kCalls) == SS_CALL_MAX);
  for (auto [nr, call] : kCalls)
    if (nr >= 0 && size_t(nr) < N) call_of[nr] = call;
}

// libbpf's messages are kept, not printed: they are shown only when
// loading fails, as the tail of the verifier's log.
std::string g_libbpf_log;

int keep_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  // the verifier's log is one message of many kilobytes
  va_list again;
  va_copy(again, args);
  int n = vsnprintf(nullptr, 0, fmt, args);
  if (n > 0) {
    std::string buf(size_t(n) + 1, '\0');
    vsnprintf(buf.data(), buf.size(), fmt, again);
    buf.resize(size_t(n));
    g_libbpf_log += buf;
  }
  va_end(again);
  if (g_libbpf_log.size() > 64 * 1024) g_libbpf_log.erase(0, g_libbpf_log.size() - 32 * 1024);
  return n;
}

std::string load_error(int err) {
  // EPERM: not allowed to load at all. (EACCES is the verifier's refusal,
  // reported below with its log.)
  if (err == -EPERM)
    return "the kernel refused to load sockscope's BPF programs (permission denied): run as root, "
           "and check that kernel.unprivileged_bpf_disabled or a security module does not block BPF";
  std::string tail = g_libbpf_log.size() > 20000 ? g_libbpf_log.substr(g_libbpf_log.size() - 20000) : g_libbpf_log;
  return fmt::format("loading sockscope's BPF programs failed ({}). libbpf said:\n{}", std::strerror(-err), tail);
}

}  // namespace

BpfObject::BpfObject(const LoaderOptions& opts) {
  libbpf_set_print(keep_libbpf_log);
  skel_ = sockscope_bpf__open();
  if (!skel_) throw UserError(fmt::format("opening the BPF object failed: {}", std::strerror(errno)));

  skel_->rodata->cfg_wakeup_bytes = opts.wakeup_bytes;
  skel_->rodata->cfg_urgent_bytes = std::max<uint64_t>(opts.ringbuf_bytes / 2, opts.wakeup_bytes);
  skel_->rodata->cfg_sample_interval_ns = opts.sample_interval_ns;
  skel_->rodata->cfg_detail_calls = opts.detail_calls;
  skel_->rodata->cfg_journey = opts.journey;
  // the kernel counts per millisecond; a rate below 1000/s still times one
  skel_->rodata->cfg_journey_per_ms = opts.journey_rate ? std::max(1u, opts.journey_rate / 1000) : 0;
  skel_->rodata->cfg_metrics_interval_ns = opts.metrics_interval_ns;
  fill_syscall_calls(skel_->rodata->cfg_syscall_call);
  bpf_map__set_max_entries(skel_->maps.events, opts.ringbuf_bytes);
  bpf_map__set_max_entries(skel_->maps.sock_stats, opts.stats_entries);

  std::vector<std::string> sections;
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) sections.push_back(bpf_program__section_name(prog));
  std::vector<std::string> skip = skip_reasons(sections);
  size_t k = 0;
  bpf_object__for_each_program(prog, skel_->obj) {
    const std::string& why = skip[k];
    probes_.push_back({bpf_program__name(prog), sections[k++], false, why});
    if (!why.empty()) bpf_program__set_autoload(prog, false);
  }

  if (int err = sockscope_bpf__load(skel_); err) {
    sockscope_bpf__destroy(skel_);
    skel_ = nullptr;
    throw UserError(load_error(err));
  }

  size_t i = 0;
  bpf_object__for_each_program(prog, skel_->obj) {
    ProbeStatus& p = probes_[i++];
    if (!p.reason.empty()) continue;
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      p.reason = fmt::format("attach failed: {}", std::strerror(errno));
      continue;
    }
    links_.push_back(link);
    p.attached = true;
    if (prog == skel_->progs.ss_iter_tcp) iter_tcp_ = bpf_link__fd(link);
    if (prog == skel_->progs.ss_iter_udp) iter_udp_ = bpf_link__fd(link);
    if (prog == skel_->progs.ss_iter_files) iter_files_ = bpf_link__fd(link);
  }
  if (attached_count() == 0) {
    std::string report = probe_report(probes_);
    release();
    throw UserError("no probe could be attached:\n" + report);
  }
}

BpfObject::~BpfObject() { release(); }

void BpfObject::release() {
  for (auto* l : links_) bpf_link__destroy(l);
  links_.clear();
  iter_tcp_ = iter_udp_ = iter_files_ = -1;
  if (skel_) sockscope_bpf__destroy(skel_);
  skel_ = nullptr;
}

int BpfObject::events_fd() const { return bpf_map__fd(skel_->maps.events); }
int BpfObject::stats_fd() const { return bpf_map__fd(skel_->maps.sock_stats); }
int BpfObject::lost_fd() const { return bpf_map__fd(skel_->maps.lost_counts); }
int BpfObject::sock_drops_fd() const { return bpf_map__fd(skel_->maps.sock_drops); }
int BpfObject::sock_journey_fd() const { return bpf_map__fd(skel_->maps.sock_journey); }
int BpfObject::dev_stats_fd() const { return bpf_map__fd(skel_->maps.dev_stats); }
int BpfObject::dev_names_fd() const { return bpf_map__fd(skel_->maps.dev_names); }
int BpfObject::dev_drops_fd() const { return bpf_map__fd(skel_->maps.dev_drops); }

size_t BpfObject::attached_count() const {
  size_t n = 0;
  for (const auto& p : probes_) n += p.attached;
  return n;
}

std::string probe_report(const std::vector<ProbeStatus>& probes) {
  std::string out;
  size_t ok = 0;
  for (const auto& p : probes) {
    if (p.attached) {
      ++ok;
      continue;
    }
    out += fmt::format("sockscope: probe {} ({}) not attached: {}\n", p.program, p.target, p.reason);
  }
  out += fmt::format("sockscope: {} of {} probes attached\n", ok, probes.size());
  return out;
}

}  // namespace sockscope
