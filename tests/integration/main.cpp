// Kernel tests need root and BPF. Where they are missing the tests skip
// (exit 77, which ctest reports as skipped) with the reason, unless
// SOCKSCOPE_REQUIRE_BPF=1, as CI sets: then they fail.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "tests/helpers/observers.h"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing |= std::strncmp(argv[i], "--list", 6) == 0;
  if (!listing) {
    std::string why = testing::kernel_test_blocker();
    if (!why.empty()) {
      const char* req = std::getenv("SOCKSCOPE_REQUIRE_BPF");
      if (req && std::string(req) == "1") {
        std::cerr << "FAIL: kernel test cannot run (" << why << ") and SOCKSCOPE_REQUIRE_BPF=1\n";
        return 1;
      }
      std::cerr << "SKIP: " << why << " (set SOCKSCOPE_REQUIRE_BPF=1 to make this a failure)\n";
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
