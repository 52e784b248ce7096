// churn PORT RATE SECONDS: connect/accept/close on loopback at a fixed rate,
// the server closing first. Prints how many connections it made and how
// long it took. A workload for tests and benchmarks; bounded in time.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "tests/helpers/net.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: churn PORT RATE SECONDS\n");
    return 2;
  }
  uint16_t port = static_cast<uint16_t>(std::atoi(argv[1]));
  const int rate = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  const int total = static_cast<int>(rate * seconds);
  testing::Fd l = testing::tcp_listen(AF_INET, port, 4096);
  std::atomic<int> accepted{0};
  std::thread server([&] {
    while (accepted < total) {
      int fd = accept(l, nullptr, nullptr);
      if (fd < 0) break;
      close(fd);
      ++accepted;
    }
  });
  auto start = std::chrono::steady_clock::now();
  int made = 0;
  for (int i = 0; i < total; ++i) {
    if (rate > 0) std::this_thread::sleep_until(start + std::chrono::microseconds(int64_t(i) * 1'000'000 / rate));
    testing::Fd c = testing::tcp_connect(AF_INET, port);
    char b;
    (void)!read(c, &b, 1);  // the server's FIN
    ++made;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  server.join();
  std::printf("connections=%d seconds=%.3f rate=%.0f\n", made, secs, made / secs);
  return 0;
}
