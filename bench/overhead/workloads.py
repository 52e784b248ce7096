"""The workloads: each runs pinned to CPU 0 for a bounded time and returns its
figure of merit."""
import os
import time

from .procs import Proc, run_json

WORKLOAD_CPU = "0"


class Workload:
    name = "?"
    unit = "?"
    higher_is_better = True

    def __init__(self, build, seconds):
        self.build = build
        self.seconds = seconds

    def bin(self, name):
        return os.path.join(self.build, "bench/workloads", name)

    def run(self):
        """Returns (value, the workload's own JSON)."""
        raise NotImplementedError


class Pair(Workload):
    name, unit, higher_is_better = "pair", "ns per send+recv pair", False

    def run(self):
        j = run_json([self.bin("bench_pair"), "--seconds", str(self.seconds), "--cpu", WORKLOAD_CPU],
                     self.seconds + 30)
        return j["ns_per_pair"], j


class Stream(Workload):
    name, unit = "stream", "Gbit/s (iperf3, one stream)"
    port = "47010"

    def run(self):
        server = Proc(["taskset", "-c", WORKLOAD_CPU, "iperf3", "-s", "-1", "--forceflush", "-p", self.port],
                      "iperf3 server",
                      ready=r"Server listening", ready_stream="stdout")
        try:
            j = run_json(["taskset", "-c", WORKLOAD_CPU, "iperf3", "-c", "127.0.0.1", "-p", self.port, "-t",
                          str(self.seconds), "-J"], self.seconds + 30)
        finally:
            server.stop()
        return j["end"]["sum_received"]["bits_per_second"] / 1e9, {"iperf3_end": j["end"]["sum_received"]}


class Churn(Workload):
    name, unit = "churn", "connections per second"

    def __init__(self, build, seconds, rate=0):
        super().__init__(build, seconds)
        self.rate = rate
        if rate:
            # unpinned: one CPU alone does not reach 20k connections/s here
            self.name = f"churn@{rate // 1000}k, unpinned"

    def run(self):
        argv = [self.bin("bench_churn"), "--seconds", str(self.seconds)]
        if not self.rate:
            argv += ["--cpu", WORKLOAD_CPU]
        if self.rate:
            argv += ["--rate", str(self.rate)]
        j = run_json(argv, self.seconds + 30)
        # let the closes finish so the next condition starts from a quiet host
        time.sleep(0.5)
        return j["conns_per_s"], j


class Udp(Workload):
    name, unit = "udp", "datagrams received per second"

    def run(self):
        j = run_json([self.bin("bench_udp"), "--seconds", str(self.seconds), "--cpu", WORKLOAD_CPU],
                     self.seconds + 30)
        return j["received_per_s"], j


ALL = {"pair": Pair, "stream": Stream, "churn": Churn, "udp": Udp}
