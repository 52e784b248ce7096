#include "run/recording.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "trace/format.h"

namespace sockscope {
namespace {

trace::Meta meta_of(const Source& src, const std::string& command) {
  trace::Meta m;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) m.host = host;
  utsname u{};
  if (uname(&u) == 0) m.kernel = u.release;
  m.sockscope_version = SOCKSCOPE_VERSION;
  m.command = command;
  m.wall_offset_ns = src.wall_offset_ns();
  m.start_ns = src.now_ns();
  m.probes = src.probes();
  m.sample_interval_ns = src.sample_interval_ns();
  m.reasons = src.reason_names();
  return m;
}

// What a new file of a rotation needs to know of a socket it did not see
// being made: identity, owner and queues, as a start-up seed would.
SockSeed seed_of(const Socket& s, uint64_t now) {
  SockSeed d;
  d.ts_ns = now;
  d.sock = s.id;
  d.sock.state = uint8_t(s.state);
  d.occ = s.occ;
  d.inode = s.id.inode;
  d.pid = s.owner.pid;
  d.fd = s.owner.fd;
  d.comm = s.owner.comm;
  return d;
}

}  // namespace

Recording::Recording(trace::WriterOptions opts, Source& src, const SocketTable& table, const Filter& filter,
                     const std::string& command)
    : src_(src), table_(table), filter_(filter), writer_(opts, meta_of(src, command)), first_path_(opts.path),
      start_ns_(src.now_ns()) {
  writer_.on_new_file([this] { write_snapshot(); });
}

// What a socket that matched late did before is kept this long at most.
constexpr size_t kMaxHeldPerSocket = 64 * 1024;
constexpr size_t kMaxHeld = 32u << 20;

void Recording::on_event(const Event& e, const Socket* s) {
  const RawRecord& raw = src_.current_raw();
  if (raw.bytes.empty()) return;
  if (filter_.empty()) {
    writer_.write(raw.kind, raw.bytes);
    return;
  }
  if (!s) {
    // a packet that reached no socket, by its addresses, as watch does; map
    // entries not yet tied to a socket are kept
    if (const SockId* p = packet_sock(e); p && !filter_.matches_packet(*p)) return;
    writer_.write(raw.kind, raw.bytes);
    return;
  }
  if (matched_.count(s->serial) || filter_.matches(*s)) {
    if (matched_.insert(s->serial).second) release(s->serial);
    writer_.write(raw.kind, raw.bytes);
  } else {
    hold(s->serial, raw);
  }
  if (s->closed) {  // no more records will make it match
    if (auto it = held_.find(s->serial); it != held_.end()) {
      held_bytes_ -= it->second.size();
      held_.erase(it);
    }
    matched_.erase(s->serial);
  }
}

// Held records are kept as a trace block's payload is: a RecordHeader, then
// the bytes.
void Recording::hold(uint64_t serial, const RawRecord& raw) {
  auto& buf = held_[serial];
  size_t need = sizeof(trace::RecordHeader) + raw.bytes.size();
  if (buf.size() + need > kMaxHeldPerSocket || held_bytes_ + need > kMaxHeld) {
    ++held_dropped_;
    return;
  }
  trace::RecordHeader h{uint16_t(raw.kind), 0, uint32_t(raw.bytes.size())};
  size_t at = buf.size();
  buf.resize(at + need);
  std::memcpy(buf.data() + at, &h, sizeof(h));
  std::memcpy(buf.data() + at + sizeof(h), raw.bytes.data(), raw.bytes.size());
  held_bytes_ += need;
}

void Recording::release(uint64_t serial) {
  auto it = held_.find(serial);
  if (it == held_.end()) return;
  const auto& buf = it->second;
  for (size_t off = 0; off < buf.size();) {
    trace::RecordHeader h;
    std::memcpy(&h, buf.data() + off, sizeof(h));
    off += sizeof(h);
    writer_.write(RawKind(h.kind), std::span<const uint8_t>(buf.data() + off, h.len));
    off += h.len;
  }
  held_bytes_ -= buf.size();
  held_.erase(it);
}

// A new file of a rotation starts with the live sockets. Not the
// timewait and request sockets, nine in ten of them under churn (2,000
// connections a second keep 120,000 in TIME_WAIT): they have no owner and
// no queues to carry over, and the full pass that resend_maps() makes
// next shows each of them, within one sample interval.
void Recording::write_snapshot() {
  uint64_t now = src_.now_ns();
  std::vector<uint8_t> buf;
  for (const auto& [key, s] : table_.sockets()) {
    if (s.closed || !s.has_cookie() || is_provisional(key)) continue;
    if (s.request || (s.is_tcp() && s.state == TcpState::TimeWait)) continue;
    if (!filter_.empty() && !matched_.count(s.serial) && !filter_.matches(s)) continue;
    encode_seed(buf, seed_of(s, now));
    writer_.write(RawKind::Seed, buf);
  }
  // and every map entry again at the next read, changed or not, and a full
  // pass. The file is not ended before those are in it: a rotation each
  // time would ask for them again, without end. tick() lets go.
  src_.resend_maps();
  writer_.hold_rotation(src_.resending());
}

std::string Recording::summary(uint64_t lost_in_kernel, uint64_t end_ns) const {
  const auto& st = writer_.stats();
  std::string files = st.files > 1 ? fmt::format(" and {} more files ({} removed by --keep)", st.files - 1, st.removed)
                                   : std::string();
  double secs = end_ns > start_ns_ ? double(end_ns - start_ns_) / 1e9 : 0;
  std::string held = held_dropped_ ? fmt::format("; {} records of sockets that matched the filter late were not "
                                                 "kept (over {} KiB per socket)",
                                                 held_dropped_, kMaxHeldPerSocket / 1024)
                                   : std::string();
  return fmt::format("recorded {} events to {}{} in {:.1f} s: {} bytes in {} blocks; {} events lost in the kernel{}",
                     st.records, first_path_, files, secs, st.bytes, st.blocks, lost_in_kernel, held);
}

}  // namespace sockscope
