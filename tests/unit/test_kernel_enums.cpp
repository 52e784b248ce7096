// reason_names_from_btf: drop and reset reason names from a kernel's BTF,
// tested on BTF built in memory and on this machine's own kernel.
#include <catch2/catch.hpp>

#include <bpf/btf.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "source/kernel/kernel_enums.h"

using namespace sockscope;

namespace {

struct BtfFree {
  void operator()(btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<btf, BtfFree>;

BtfPtr empty_btf() {
  BtfPtr b(btf__new_empty());
  REQUIRE(b);
  REQUIRE(btf__add_int(b.get(), "int", 4, BTF_INT_SIGNED) > 0);  // unrelated types around the enums
  return b;
}

void add_enum(btf* b, const char* name, std::initializer_list<std::pair<const char*, int64_t>> values) {
  REQUIRE(btf__add_enum(b, name, 4) > 0);
  for (auto [n, v] : values) REQUIRE(btf__add_enum_value(b, n, v) == 0);
}

bool any_name_starts_with(const std::unordered_map<uint32_t, std::string>& m, const std::string& prefix) {
  for (const auto& [code, name] : m)
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("drop and reset reasons are read from BTF enums, prefixes stripped", "[kernel_enums]") {
  auto b = empty_btf();
  add_enum(b.get(), "skb_drop_reason",
           {{"SKB_NOT_DROPPED_YET", 0},
            {"SKB_CONSUMED", 1},
            {"SKB_DROP_REASON_NOT_SPECIFIED", 2},
            {"SKB_DROP_REASON_NETFILTER_DROP", 11},
            {"SKB_DROP_REASON_MAX", 12},
            {"SKB_DROP_REASON_SUBSYS_MASK", 0xffff0000}});
  add_enum(b.get(), "sk_rst_reason", {{"SK_RST_REASON_NOT_SPECIFIED", 0}, {"SK_RST_REASON_NO_SOCKET", 1}});
  auto r = reason_names_from_btf(b.get());
  CHECK(r.warning.empty());
  CHECK(r.names.drop.at(0) == "SKB_NOT_DROPPED_YET");  // not a drop reason: kept whole
  CHECK(r.names.drop.at(1) == "SKB_CONSUMED");
  CHECK(r.names.drop.at(2) == "NOT_SPECIFIED");
  CHECK(r.names.drop.at(11) == "NETFILTER_DROP");
  CHECK(r.names.drop_name(11) == "NETFILTER_DROP");
  // sentinels are not reasons
  CHECK(r.names.drop.count(12) == 0);
  CHECK(r.names.drop.count(0xffff0000) == 0);
  CHECK(r.names.drop.size() == 4);
  CHECK(r.names.reset.at(0) == "NOT_SPECIFIED");
  CHECK(r.names.reset.at(1) == "NO_SOCKET");
  CHECK(r.names.reset_name(1) == "NO_SOCKET");
  CHECK(r.names.reset.size() == 2);
}

TEST_CASE("an ENUM64 enum is read too", "[kernel_enums]") {
  auto b = empty_btf();
  add_enum(b.get(), "skb_drop_reason", {{"SKB_DROP_REASON_NO_SOCKET", 3}});
  REQUIRE(btf__add_enum64(b.get(), "sk_rst_reason", 8, false) > 0);
  REQUIRE(btf__add_enum64_value(b.get(), "SK_RST_REASON_TCP_FLAGS", 6) == 0);
  REQUIRE(btf__add_enum64_value(b.get(), "SK_RST_REASON_HUGE", 1ull << 40) == 0);  // not a u32 code: left out
  auto r = reason_names_from_btf(b.get());
  CHECK(r.warning.empty());
  CHECK(r.names.drop.at(3) == "NO_SOCKET");
  CHECK(r.names.reset.at(6) == "TCP_FLAGS");
  CHECK(r.names.reset.size() == 1);
}

TEST_CASE("an unsigned 32-bit value stored as negative in BTF keeps its code", "[kernel_enums]") {
  auto b = empty_btf();
  add_enum(b.get(), "skb_drop_reason", {{"SKB_DROP_REASON_HIGH", 0x80000001}});
  add_enum(b.get(), "sk_rst_reason", {{"SK_RST_REASON_ERROR", 24}});
  auto r = reason_names_from_btf(b.get());
  CHECK(r.names.drop.at(0x80000001u) == "HIGH");
}

TEST_CASE("a declared but empty enum is passed over for the full one", "[kernel_enums]") {
  auto b = empty_btf();
  REQUIRE(btf__add_enum(b.get(), "skb_drop_reason", 4) > 0);  // forward declaration: no values
  add_enum(b.get(), "skb_drop_reason", {{"SKB_DROP_REASON_TCP_CSUM", 7}});
  add_enum(b.get(), "sk_rst_reason", {{"SK_RST_REASON_ERROR", 24}});
  auto r = reason_names_from_btf(b.get());
  CHECK(r.warning.empty());
  CHECK(r.names.drop.at(7) == "TCP_CSUM");
}

TEST_CASE("a missing enum leaves its table empty and warns, never fatal", "[kernel_enums]") {
  SECTION("no sk_rst_reason (kernels before 6.10)") {
    auto b = empty_btf();
    add_enum(b.get(), "skb_drop_reason", {{"SKB_DROP_REASON_NO_SOCKET", 3}});
    add_enum(b.get(), "other_enum", {{"SK_RST_REASON_NO_SOCKET", 1}});  // right values, wrong enum
    auto r = reason_names_from_btf(b.get());
    CHECK(r.names.drop.size() == 1);
    CHECK(r.names.reset.empty());
    CHECK(r.warning.find("sk_rst_reason") != std::string::npos);
    CHECK(r.warning.find("skb_drop_reason") == std::string::npos);
    CHECK(r.names.reset_name(1) == "reason_1");
  }
  SECTION("neither enum") {
    auto b = empty_btf();
    auto r = reason_names_from_btf(b.get());
    CHECK(r.names.drop.empty());
    CHECK(r.names.reset.empty());
    CHECK(r.warning.find("skb_drop_reason") != std::string::npos);
    CHECK(r.warning.find("sk_rst_reason") != std::string::npos);
    CHECK(r.names.drop_name(2) == "reason_2");
  }
  SECTION("no BTF at all") {
    auto r = reason_names_from_btf(nullptr);
    CHECK(r.names.drop.empty());
    CHECK(r.names.reset.empty());
    CHECK_FALSE(r.warning.empty());
  }
}

TEST_CASE("this kernel's BTF names its drop and reset reasons", "[kernel_enums]") {
  const char* path = "/sys/kernel/btf/vmlinux";
  if (access(path, R_OK) != 0) {
    WARN("skipped: " << path << " is not readable on this machine");
    return;
  }
  BtfPtr b(btf__parse(path, nullptr));
  REQUIRE(b);
  auto r = reason_names_from_btf(b.get());
  INFO(r.warning);
  auto has = [](const auto& m, const std::string& name) {
    for (const auto& [code, n] : m)
      if (n == name) return true;
    return false;
  };
  CHECK(has(r.names.drop, "NETFILTER_DROP"));
  CHECK(has(r.names.drop, "NOT_SPECIFIED"));
  CHECK(has(r.names.drop, "SOCKET_RCVBUFF"));
  CHECK(has(r.names.drop, "SKB_CONSUMED"));
  CHECK_FALSE(any_name_starts_with(r.names.drop, "SKB_DROP_REASON_"));
  CHECK_FALSE(any_name_starts_with(r.names.reset, "SK_RST_REASON_"));
  // sk_rst_reason exists from Linux 6.10; this machine is newer
  CHECK(r.warning.empty());
  CHECK(has(r.names.reset, "NO_SOCKET"));
  // load_kernel_reasons reads the same file
  auto live = load_kernel_reasons();
  CHECK(live.names.drop == r.names.drop);
  CHECK(live.names.reset == r.names.reset);
}
