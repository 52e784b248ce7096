// Writes the hostile trace files of docs/soak.md ("Hostile files"): each is
// small or plain, and each once made a reader spend far more memory or CPU
// than its size asked for. The unit tests hold the same cases; these are
// for measuring the whole command (`/usr/bin/time -v sockscope list -r …`).
//   make_hostile DIR [NAME]   (NAME: one file of the four, e.g. seeds-1m.ssc)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "record/raw_record.h"
#include "trace/format.h"
#include "trace/writer.h"

using namespace sockscope;

namespace {

trace::Meta meta() {
  trace::Meta m;
  m.host = "hostile";
  m.kernel = "6.18";
  m.start_ns = 1'000'000'000;
  return m;
}

trace::WriterOptions opts(const std::string& path) {
  trace::WriterOptions o;
  o.path = path;
  o.flush_interval_ns = 0;
  return o;
}

SockSeed seed(uint64_t i) {
  SockSeed s;
  s.ts_ns = 1'000'000'000 + i;  // a nanosecond apart: the clock never reaches a second
  s.sock.cookie = i + 1;
  s.sock.family = kAfInet;
  s.sock.protocol = kProtoTcp;
  s.sock.type = 1;
  s.sock.state = uint8_t(TcpState::Established);
  s.sock.local.port = uint16_t(1024 + i % 60000);
  s.pid = 100;
  s.fd = int32_t(3 + i % 1000);
  std::memcpy(s.comm.data(), "hostile", 8);
  return s;
}

void sockets(const std::string& path, uint64_t n) {
  trace::TraceWriter w(opts(path), meta());
  std::vector<uint8_t> b;
  for (uint64_t i = 0; i < n; ++i) {
    encode_seed(b, seed(i));
    w.write(RawKind::Seed, b);
  }
  w.close(1'000'000'000 + n);
}

void devices(const std::string& path, uint32_t n) {
  trace::TraceWriter w(opts(path), meta());
  std::vector<uint8_t> b;
  ss_dev_stats one{};
  one.rx_packets = 1;
  for (uint32_t i = 1; i <= n; ++i) {
    encode_dev_stats(b, 1'000'000'000 + i, ss_dev_key{4026531840u, i}, nullptr, {&one, 1});
    w.write(RawKind::DevStats, b);
  }
  w.close(1'000'000'000 + n);
}

// A header the writer would never make: 1 MB of empty probe entries.
void empty_probes(const std::string& path) {
  std::string json = R"({"host":"hostile","probes":[)";
  while (json.size() + 8 < trace::kMaxMetaLen) json += "{},";
  json.back() = ']';
  json += "}";
  trace::FileHeader h{};
  std::memcpy(h.magic, trace::kFileMagic.data(), sizeof(h.magic));
  h.format_version = trace::kFormatVersion;
  h.abi_version = SS_ABI_VERSION;
  h.meta_len = uint32_t(json.size());
  h.meta_crc = trace::crc32_of(json.data(), json.size());
  h.header_crc = trace::crc32_of(&h, offsetof(trace::FileHeader, header_crc));
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(&h, sizeof(h), 1, f) != 1 || std::fwrite(json.data(), json.size(), 1, f) != 1) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: make_hostile DIR [NAME]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::string only = argc == 3 ? argv[2] : "";
  bool made = false;
  auto want = [&](const char* name) {
    const bool yes = only.empty() || only == name;
    made = made || yes;
    return yes;
  };
  if (want("seeds-1m.ssc")) sockets(dir + "/seeds-1m.ssc", 1'000'000);      // list -r --max-sockets 1000
  if (want("sockets-262k.ssc")) sockets(dir + "/sockets-262k.ssc", 262'144);  // list -r --json
  if (want("devices-1m.ssc")) devices(dir + "/devices-1m.ssc", 1'000'000);    // nic -r
  if (want("probes-250k.ssc")) empty_probes(dir + "/probes-250k.ssc");        // any -r
  if (!made) {
    std::fprintf(stderr, "make_hostile: no file named %s\n", only.c_str());
    return 2;
  }
  return 0;
}
