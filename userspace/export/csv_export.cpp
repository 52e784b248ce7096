// CSV: one row per socket at the end of the trace, the columns of `list`
// as raw numbers (bytes, seconds) plus the owner and the socket cookie.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "export/exporter.h"
#include "model/socket_facts.h"
#include "output/event_format.h"

namespace sockscope {
namespace {

constexpr const char* kHeader =
    "netid,state,age_s,recv_q,send_q,rcv_pct,snd_pct,rx_max,tx_max,local,peer,sent,rcvd,process,"
    "pid,comm,fd,cookie,drops,retransmits,rtt_us,gaps\n";

// RFC 4180: a field with a comma, a quote or a line break is quoted, its
// quotes doubled. Other bytes (a process name's) are kept as they are.
std::string field(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + '"';
}

// Empty where the tiers of the recording did not measure it.
std::string opt(std::optional<uint64_t> v) { return v ? std::to_string(*v) : std::string(); }

class CsvExporter : public Exporter {
 public:
  CsvExporter(std::ostream& out, const ExportContext& ctx) : out_(out), ctx_(ctx) {}

  // A gap (events lost) is marked on the rows of the sockets that lived
  // through it: events about them may be missing (their final state is
  // the passes', which heal gaps).
  void on_event(const Event& e, const Socket*) override {
    if (auto* l = std::get_if<Lost>(&e); l && gaps_.more(*l)) gap_ns_.push_back(l->ts_ns);
  }

  size_t gaps_during(const Socket& s, uint64_t now_ns) const {
    const uint64_t end = s.closed ? s.closed_ns : now_ns;
    auto first = std::lower_bound(gap_ns_.begin(), gap_ns_.end(), s.first_seen_ns);
    auto last = std::upper_bound(first, gap_ns_.end(), end);
    return size_t(last - first);
  }

  void finish(const SocketTable& table, uint64_t now_ns) override {
    std::vector<const Socket*> shown;
    for (const auto& [key, s] : table.sockets())
      if (!ctx_.filter || ctx_.filter->matches(s)) shown.push_back(&s);
    out_ << kHeader;
    for (const Socket* s : sorted_sockets(std::move(shown))) {
      SocketRow r = socket_row(*s, now_ns);
      out_ << fmt::format("{},{},{:.3f},{},{},{:.2f},{:.2f},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.netid,
                          field(r.state), r.age_ns / 1e9, r.recv_q, r.send_q, r.rcv_pct, r.snd_pct, r.rx_max,
                          r.tx_max, field(r.local), field(r.peer), opt(r.sent), opt(r.rcvd), field(r.process), s->owner.pid,
                          field(comm_view(s->owner.comm)), s->owner.fd, s->id.cookie, r.drops, r.retransmits,
                          s->metrics_ns ? std::to_string(s->metrics.srtt_us) : "",  // empty: never measured
                          gaps_during(*s, now_ns));
    }
    out_.flush();
  }

 private:
  std::ostream& out_;
  ExportContext ctx_;
  GapLines gaps_;
  std::vector<uint64_t> gap_ns_;  // in the order read: time order
};

}  // namespace

std::unique_ptr<Exporter> make_csv_exporter(std::ostream& out, const ExportContext& ctx) {
  return std::make_unique<CsvExporter>(out, ctx);
}

}  // namespace sockscope
