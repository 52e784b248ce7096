// Seeding existing sockets: sock_diag dump and the /proc owner scan.
// The live cases make their own loopback sockets and check each field against
// what the test did and what the kernel says through an independent path
// (getsockopt SO_COOKIE / SO_RCVBUF, fstat). They need no root.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "source/kernel/proc_owners.h"
#include "source/kernel/sockdiag.h"

using namespace sockscope;
namespace fs = std::filesystem;

namespace {

struct Sock {
  int fd = -1;
  explicit Sock(int f) : fd(f) { REQUIRE(fd >= 0); }
  Sock(const Sock&) = delete;
  Sock& operator=(const Sock&) = delete;
  ~Sock() { ::close(fd); }
};

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0);
  return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in&>(ss).sin_port)
                                 : ntohs(reinterpret_cast<sockaddr_in6&>(ss).sin6_port);
}

uint64_t so_cookie(int fd) {
  uint64_t c = 0;
  socklen_t len = sizeof(c);
  REQUIRE(::getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) == 0);
  return c;
}

int so_int(int fd, int opt) {
  int v = 0;
  socklen_t len = sizeof(v);
  REQUIRE(::getsockopt(fd, SOL_SOCKET, opt, &v, &len) == 0);
  return v;
}

uint32_t inode_of(const char* path_or_null, int fd = -1) {
  struct stat st {};
  REQUIRE((path_or_null ? ::stat(path_or_null, &st) : ::fstat(fd, &st)) == 0);
  return static_cast<uint32_t>(st.st_ino);
}

const DiagSocket* find(const std::vector<DiagSocket>& all, uint16_t family, uint16_t protocol,
                       uint16_t lport, uint16_t rport) {
  for (const auto& s : all)
    if (s.id.family == family && s.id.protocol == protocol && s.id.local.port == lport &&
        s.id.remote.port == rport)
      return &s;
  return nullptr;
}

Endpoint v4(uint16_t port) {
  Endpoint e;
  e.addr = {127, 0, 0, 1};
  e.port = port;
  return e;
}

// Checks what every live socket shares: cookie, inode, uid, netns, type.
void check_identity(const DiagSocket& s, int fd, uint8_t type) {
  CHECK(s.id.cookie != 0);
  CHECK(s.id.cookie == so_cookie(fd));
  CHECK(s.id.sk == 0);
  CHECK(s.id.type == type);
  CHECK(s.id.netns == inode_of("/proc/self/ns/net"));
  CHECK(s.inode == inode_of(nullptr, fd));
  CHECK(s.uid == ::getuid());
}

std::string self_comm() {
  std::ifstream f("/proc/self/comm");
  std::string s;
  std::getline(f, s);
  return s.substr(0, 15);
}

}  // namespace

TEST_CASE("sock_diag dump finds this process's loopback sockets", "[sockdiag]") {
  Sock listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(listener.fd, 16) == 0);
  const uint16_t lport = local_port(listener.fd);
  addr.sin_port = htons(lport);

  Sock client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(::connect(client.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  Sock server(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
  const uint16_t cport = local_port(client.fd);

  const std::vector<char> payload(1000, 'x');
  REQUIRE(::write(client.fd, payload.data(), payload.size()) == 1000);

  Sock udp6(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 a6{};
  a6.sin6_family = AF_INET6;
  a6.sin6_addr = in6addr_loopback;
  REQUIRE(::bind(udp6.fd, reinterpret_cast<sockaddr*>(&a6), sizeof(a6)) == 0);
  const uint16_t uport = local_port(udp6.fd);
  a6.sin6_port = htons(uport);
  Sock udp6_sender(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  REQUIRE(::sendto(udp6_sender.fd, payload.data(), 100, 0, reinterpret_cast<sockaddr*>(&a6),
                   sizeof(a6)) == 100);

  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto all = dump_inet_sockets();

  SECTION("listener") {
    const DiagSocket* s = find(all, kAfInet, kProtoTcp, lport, 0);
    REQUIRE(s);
    check_identity(*s, listener.fd, SOCK_STREAM);
    CHECK(s->id.state == 10);
    CHECK(s->id.local == v4(lport));
    CHECK(s->id.remote == Endpoint{});
    // ss shows a listener's accept queue and backlog as Recv-Q / Send-Q.
    CHECK(s->occ.rx_queue == 0);
    CHECK(s->occ.tx_queue == 16);
    CHECK(s->occ.ack_backlog == 0);
    CHECK(s->occ.max_ack_backlog == 16);
  }
  SECTION("client") {
    const DiagSocket* s = find(all, kAfInet, kProtoTcp, cport, lport);
    REQUIRE(s);
    check_identity(*s, client.fd, SOCK_STREAM);
    CHECK(s->id.state == 1);
    CHECK(s->id.local == v4(cport));
    CHECK(s->id.remote == v4(lport));
    CHECK(s->occ.rx_queue == 0);
    CHECK(s->occ.tx_queue == 0);  // loopback acked it long ago
    CHECK(s->occ.sndbuf == static_cast<uint32_t>(so_int(client.fd, SO_SNDBUF)));
    CHECK(s->occ.max_ack_backlog == 0);
  }
  SECTION("accepted socket holds the unread bytes") {
    const DiagSocket* s = find(all, kAfInet, kProtoTcp, lport, cport);
    REQUIRE(s);
    check_identity(*s, server.fd, SOCK_STREAM);
    CHECK(s->id.state == 1);
    CHECK(s->occ.rx_queue == 1000);
    CHECK(s->occ.tx_queue == 0);
    CHECK(s->occ.rmem_alloc >= 1000);  // truesize, not payload
    CHECK(s->occ.rcvbuf == static_cast<uint32_t>(so_int(server.fd, SO_RCVBUF)));
    CHECK(s->occ.sndbuf == static_cast<uint32_t>(so_int(server.fd, SO_SNDBUF)));
  }
  SECTION("IPv6 UDP bound to ::1") {
    const DiagSocket* s = find(all, kAfInet6, kProtoUdp, uport, 0);
    REQUIRE(s);
    check_identity(*s, udp6.fd, SOCK_DGRAM);
    CHECK(s->id.state == 7);  // unconnected UDP sits in TCP_CLOSE
    CHECK(std::memcmp(s->id.local.addr.data(), &in6addr_loopback, 16) == 0);
    CHECK(s->occ.rx_queue >= 100);  // UDP reports sk_rmem_alloc as its Recv-Q
    CHECK(s->occ.rcvbuf == static_cast<uint32_t>(so_int(udp6.fd, SO_RCVBUF)));
  }
  SECTION("each cookie once") {
    std::vector<uint64_t> cookies;
    for (const auto& s : all) cookies.push_back(s.id.cookie);
    std::sort(cookies.begin(), cookies.end());
    CHECK(std::adjacent_find(cookies.begin(), cookies.end()) == cookies.end());
  }
  SECTION("owners from /proc") {
    const auto owners = scan_socket_owners();
    for (int fd : {listener.fd, client.fd, server.fd, udp6.fd}) {
      INFO("fd " << fd);
      const auto it = owners.find(inode_of(nullptr, fd));
      REQUIRE(it != owners.end());
      CHECK(it->second.pid == static_cast<uint32_t>(::getpid()));
      CHECK(it->second.fd == fd);
      CHECK(comm_view(it->second.comm) == self_comm());
    }
  }
}

TEST_CASE("sock_diag dump spans many netlink datagrams without losing sockets", "[sockdiag]") {
  // ~120 bytes per socket and at most 32 KiB per datagram: 600 sockets need
  // several parts, so NLMSG_DONE handling and the resume are exercised.
  std::vector<std::unique_ptr<Sock>> socks;
  std::vector<uint64_t> want;
  for (int i = 0; i < 600; ++i) {
    socks.push_back(std::make_unique<Sock>(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(socks.back()->fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    want.push_back(so_cookie(socks.back()->fd));
  }
  std::vector<uint64_t> got;
  for (const auto& s : dump_inet_sockets())
    if (s.id.protocol == kProtoUdp) got.push_back(s.id.cookie);
  std::sort(got.begin(), got.end());
  size_t found = 0;
  for (uint64_t c : want) found += std::binary_search(got.begin(), got.end(), c);
  CHECK(found == want.size());
}

// ---- decoder on synthetic bytes ----

namespace {

std::vector<uint8_t> diag_payload(const inet_diag_msg& m, const std::vector<uint32_t>& meminfo,
                                  uint16_t nla_len_override = 0) {
  std::vector<uint8_t> out(sizeof(m));
  std::memcpy(out.data(), &m, sizeof(m));
  nlattr a{};
  a.nla_len = nla_len_override ? nla_len_override
                               : static_cast<uint16_t>(NLA_HDRLEN + meminfo.size() * 4);
  a.nla_type = INET_DIAG_SKMEMINFO;
  const size_t at = out.size();
  out.resize(at + NLA_HDRLEN + meminfo.size() * 4);
  std::memcpy(out.data() + at, &a, sizeof(a));
  if (!meminfo.empty()) std::memcpy(out.data() + at + NLA_HDRLEN, meminfo.data(), meminfo.size() * 4);
  return out;
}

inet_diag_msg sample_msg() {
  inet_diag_msg m{};
  m.idiag_family = AF_INET6;
  m.idiag_state = 10;
  m.id.idiag_sport = htons(8080);
  m.id.idiag_dport = htons(0);
  m.id.idiag_src[3] = htonl(1);  // ::1
  m.id.idiag_cookie[0] = 0x11223344;
  m.id.idiag_cookie[1] = 0x55667788;
  m.idiag_rqueue = 3;
  m.idiag_wqueue = 128;
  m.idiag_uid = 1000;
  m.idiag_inode = 4242;
  return m;
}

}  // namespace

TEST_CASE("decode_inet_diag_msg reads the kernel's layout", "[sockdiag]") {
  std::vector<uint32_t> mem(SK_MEMINFO_VARS, 0);
  mem[SK_MEMINFO_RMEM_ALLOC] = 11;
  mem[SK_MEMINFO_RCVBUF] = 22;
  mem[SK_MEMINFO_SNDBUF] = 33;
  mem[SK_MEMINFO_WMEM_QUEUED] = 44;
  const auto bytes = diag_payload(sample_msg(), mem);
  const auto s = decode_inet_diag_msg(bytes, kProtoTcp, 77);
  REQUIRE(s);
  CHECK(s->id.cookie == 0x5566778811223344ull);  // low word first
  CHECK(s->id.family == kAfInet6);
  CHECK(s->id.protocol == kProtoTcp);
  CHECK(s->id.type == SOCK_STREAM);
  CHECK(s->id.state == 10);
  CHECK(s->id.netns == 77);
  CHECK(s->id.local.port == 8080);
  CHECK(s->id.local.addr[15] == 1);
  CHECK(s->inode == 4242);
  CHECK(s->uid == 1000);
  CHECK(s->occ == Occupancy{3, 128, 11, 44, 22, 33, 3, 128});
}

TEST_CASE("decode_inet_diag_msg trusts no byte", "[sockdiag]") {
  const std::vector<uint32_t> mem(SK_MEMINFO_VARS, 9);
  const auto good = diag_payload(sample_msg(), mem);

  SECTION("every truncation is safe; without the full header there is no socket") {
    for (size_t n = 0; n < good.size(); ++n) {
      const auto s = decode_inet_diag_msg(std::span(good.data(), n), kProtoUdp, 0);
      CHECK(s.has_value() == (n >= sizeof(inet_diag_msg)));
      if (s && n < good.size()) CHECK(s->occ.rcvbuf == 0);  // attribute cut: ignored
    }
  }
  SECTION("an attribute claiming more than is there is ignored") {
    const auto bad = diag_payload(sample_msg(), mem, 0xffff);
    const auto s = decode_inet_diag_msg(bad, kProtoTcp, 0);
    REQUIRE(s);
    CHECK(s->occ.rmem_alloc == 0);
  }
  SECTION("an attribute shorter than its header stops the walk") {
    const auto bad = diag_payload(sample_msg(), mem, 2);
    REQUIRE(decode_inet_diag_msg(bad, kProtoTcp, 0));
  }
  SECTION("an old kernel's shorter meminfo fills what it has") {
    const auto s = decode_inet_diag_msg(diag_payload(sample_msg(), {5, 6}), kProtoTcp, 0);
    REQUIRE(s);
    CHECK(s->occ.rmem_alloc == 5);
    CHECK(s->occ.rcvbuf == 6);
    CHECK(s->occ.sndbuf == 0);
    CHECK(s->occ.wmem_queued == 0);
  }
  SECTION("not an inet family") {
    auto m = sample_msg();
    m.idiag_family = AF_UNIX;
    CHECK_FALSE(decode_inet_diag_msg(diag_payload(m, mem), kProtoTcp, 0));
  }
  SECTION("only TCP listeners report a backlog") {
    const auto s = decode_inet_diag_msg(good, kProtoUdp, 0);
    REQUIRE(s);
    CHECK(s->id.type == SOCK_DGRAM);
    CHECK(s->occ.ack_backlog == 0);
    CHECK(s->occ.max_ack_backlog == 0);
  }
}

// ---- /proc scan on a fake tree ----

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sockscope-proc-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void fake_fd(const fs::path& proc, const std::string& pid, int fd, const std::string& target) {
  fs::create_directories(proc / pid / "fd");
  fs::create_symlink(target, proc / pid / "fd" / std::to_string(fd));
}

void fake_comm(const fs::path& proc, const std::string& pid, const std::string& comm) {
  std::ofstream(proc / pid / "comm") << comm << '\n';
}

}  // namespace

TEST_CASE("scan_socket_owners on a fake /proc", "[sockdiag]") {
  TempDir tmp;
  const fs::path& p = tmp.path;

  fake_fd(p, "100", 3, "socket:[123]");
  fake_fd(p, "100", 4, "/dev/null");
  fake_fd(p, "100", 5, "pipe:[77]");
  fake_fd(p, "100", 6, "socket:[789]");
  fake_comm(p, "100", "nginx");
  fake_fd(p, "42", 9, "socket:[456]");
  fake_fd(p, "42", 7, "socket:[456]");  // lower fd of the same process wins
  fake_fd(p, "42", 8, "socket:[123]");  // lower pid wins over 100
  fake_comm(p, "42", "a-very-long-command-name");
  fake_fd(p, "7", 1, "socket:[999]");   // no comm file: owner kept, comm empty
  fs::create_directories(p / "8");      // exited: no fd dir
  fake_fd(p, "self", 3, "socket:[555]");  // not a pid
  fake_fd(p, "12ab", 3, "socket:[556]");  // not a pid
  fake_fd(p, "50", 3, "socket:[12");      // malformed links
  fake_fd(p, "50", 4, "socket:[]");
  fake_fd(p, "50", 5, "socket:[99999999999]");  // does not fit 32 bits
  fake_fd(p, "50", 6, "socket:[-1]");
  fake_fd(p, "51", 0, "socket:[321]");
  fs::create_symlink("socket:[654]", p / "51" / "fd" / "notanfd");
  std::ofstream(p / "status") << "not a dir\n";

  const auto owners = scan_socket_owners(p.string());
  REQUIRE(owners.size() == 5);
  auto check = [&](uint32_t inode, uint32_t pid, int32_t fd, std::string_view comm) {
    INFO("inode " << inode);
    const auto it = owners.find(inode);
    REQUIRE(it != owners.end());
    CHECK(it->second.pid == pid);
    CHECK(it->second.fd == fd);
    CHECK(comm_view(it->second.comm) == comm);
  };
  check(123, 42, 8, "a-very-long-com");  // 15 chars, as the kernel keeps
  check(456, 42, 7, "a-very-long-com");
  check(789, 100, 6, "nginx");
  check(999, 7, 1, "");
  check(321, 51, 0, "");
}

TEST_CASE("scan_socket_owners says so when proc_root is missing", "[sockdiag]") {
  CHECK_THROWS_WITH(scan_socket_owners("/nonexistent-proc-root"),
                    Catch::Contains("/nonexistent-proc-root"));
}
