// state_container scrape-to-events after the body arrives: parse + one event per container.
//   bazel run -c opt //benchmarks:state_container_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "inputs/common/prometheus/exposition.h"
#include "inputs/kubernetes/state_container/state_container.h"
#include "testing/ksm_server/synthetic_cluster.h"

namespace {

using gatehouse::prometheus::Exposition;

// range(0) containers (2 per pod).
void BM_StateContainerScrapeToEvents(benchmark::State& state) {
  const int containers = static_cast<int>(state.range(0));
  const std::string body = gatehouse::testing::SyntheticClusterExposition(containers / 2, 2);
  gatehouse::kubernetes::StateContainer metricset;
  size_t events = 0;
  Exposition e;  // reused between scrapes, as the input does
  for (auto _ : state) {
    e.Reparse(body);
    auto out = metricset.Collect(e);
    events = out.size();
    benchmark::DoNotOptimize(out);
    // In the agent the events move on to the queue and are freed by the output thread after
    // they are written: freeing them is not part of the scrape.
    state.PauseTiming();
    out.clear();
    out.shrink_to_fit();
    state.ResumeTiming();
  }
  state.counters["events"] = events;
  state.counters["body_MB"] = body.size() / 1e6;
}
BENCHMARK(BM_StateContainerScrapeToEvents)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The same, freeing the events inside the timed loop (the whole cost to the process).
void BM_StateContainerScrapeToEventsAndFree(benchmark::State& state) {
  const int containers = static_cast<int>(state.range(0));
  const std::string body = gatehouse::testing::SyntheticClusterExposition(containers / 2, 2);
  gatehouse::kubernetes::StateContainer metricset;
  for (auto _ : state) {
    Exposition e = Exposition::Parse(body);
    benchmark::DoNotOptimize(metricset.Collect(e));
  }
}
BENCHMARK(BM_StateContainerScrapeToEventsAndFree)->Arg(10000)->Unit(benchmark::kMillisecond);

// The metricset alone on an already parsed scrape (where the time goes).
void BM_StateContainerCollectOnly(benchmark::State& state) {
  const std::string body = gatehouse::testing::SyntheticClusterExposition(5000, 2);
  const Exposition e = Exposition::Parse(body);
  gatehouse::kubernetes::StateContainer metricset;
  for (auto _ : state) benchmark::DoNotOptimize(metricset.Collect(e));
}
BENCHMARK(BM_StateContainerCollectOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
