// Prometheus text exposition parsing throughput (MB/s) on realistic kube-state-metrics bodies.
//   bazel run -c opt //benchmarks:prometheus_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "inputs/common/prometheus/exposition.h"
#include "testing/ksm_server/synthetic_cluster.h"

namespace {

using gatehouse::prometheus::Exposition;

// A cluster of `pods` pods with 2 containers each (~5 KB of exposition per pod).
void BM_ParseClusterExposition(benchmark::State& state) {
  const std::string body =
      gatehouse::testing::SyntheticClusterExposition(static_cast<int>(state.range(0)), 2);
  size_t samples = 0;
  for (auto _ : state) {
    Exposition e = Exposition::Parse(body);
    samples = e.samples().size();
    benchmark::DoNotOptimize(e);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
  state.counters["body_MB"] = body.size() / 1e6;
  state.counters["samples"] = samples;
}
BENCHMARK(BM_ParseClusterExposition)->Arg(500)->Arg(5000)->Unit(benchmark::kMillisecond);

// The same, reusing one Exposition between scrapes (the input's steady state).
void BM_ReparseClusterExposition(benchmark::State& state) {
  const std::string body =
      gatehouse::testing::SyntheticClusterExposition(static_cast<int>(state.range(0)), 2);
  Exposition e;
  for (auto _ : state) {
    e.Reparse(body);
    benchmark::DoNotOptimize(e);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
}
BENCHMARK(BM_ReparseClusterExposition)->Arg(5000)->Unit(benchmark::kMillisecond);

// Many label values with escapes (the slow path that unescapes into owned storage).
void BM_ParseEscapedLabels(benchmark::State& state) {
  std::string body;
  for (int i = 0; i < 100000; ++i) {
    body += "m{path=\"C:\\\\dir\\\\f" + std::to_string(i) + "\",q=\"say \\\"hi\\\"\"} 1\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(Exposition::Parse(body));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
}
BENCHMARK(BM_ParseEscapedLabels)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
