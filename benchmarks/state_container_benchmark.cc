// state_container scrape-to-events after the body arrives, through the input's own code path
// (StreamScraper: parse the families the metricset reads, group by container, build and stamp
// the events the pipeline ships).
//   bazel run -c opt //benchmarks:state_container_benchmark
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "agent/input/event_allocator.h"
#include "common/malloc_tuning.h"
#include "common/worker_pool.h"
#include "inputs/common/prometheus/exposition.h"
#include "inputs/kubernetes/metrics/stream_scraper.h"
#include "inputs/kubernetes/state_container/state_container.h"
#include "testing/ksm_server/synthetic_cluster.h"

namespace {

using gatehouse::Event;
using gatehouse::kubernetes::StateContainer;
using gatehouse::kubernetes::StreamScraper;
using gatehouse::kubernetes::StreamScraperConfig;
using gatehouse::prometheus::Exposition;

StreamScraperConfig StateContainerStream(bool add_metadata, int threads = 1) {
  static const StateContainer* const metricset = new StateContainer();
  gatehouse::TuneMallocForEventBursts();  // as `gatehouse run` does at start
  StreamScraperConfig config;
  config.metricsets = {metricset};
  config.collect.add_metadata = add_metadata;
  config.threads = threads;  // the stream's `scrape_threads`
  return config;
}

// range(0) containers (2 per pod); range(1) add_metadata; range(2) how the previous scrape's
// events were freed (see below); range(3) the stream's threads (`scrape_threads`).
//
// Time is wall time (with 2 threads the scrape is done when both are); the CPU column is the
// whole process's CPU time, every thread's.
void BM_StateContainerScrapeToEvents(benchmark::State& state) {
  const int containers = static_cast<int>(state.range(0));
  const std::string body = gatehouse::testing::SyntheticClusterExposition(containers / 2, 2);
  StreamScraper scraper(
      StateContainerStream(state.range(1) != 0, static_cast<int>(state.range(3))));
  std::vector<Event> events;  // reused between scrapes, as the input does
  // Stands for the agent's queue and output thread, which take the events and free them after
  // writing them (not part of the scrape, so not timed). How they are freed changes the heap the
  // next scrape allocates from: with free_mode 0 the consumer's storage goes too (a free of
  // 64 KiB or more makes glibc consolidate the freed small chunks into large free blocks, which
  // the next scrape splits in address order); with free_mode 1 it keeps its storage and glibc
  // hands the freed chunks back last-in first-out, scattered over the old events' pages.
  const bool keep_storage = state.range(2) != 0;
  std::vector<Event> shipped;
  size_t count = 0;
  int64_t chunks = 0;
  for (auto _ : state) {
    auto status = scraper.Scrape(body, "http://kube-state-metrics:8080/metrics",
                                 absl::UnixEpoch(), absl::Milliseconds(20), &events);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    count = events.size();
    chunks = gatehouse::event_arena::GetStats().chunks_live;
    // In the agent the events move on to the queue and the output thread frees them after
    // writing: that is not part of the scrape.
    state.PauseTiming();
    for (Event& e : events) shipped.push_back(std::move(e));
    events.clear();
    shipped.clear();
    if (!keep_storage) shipped.shrink_to_fit();
    state.ResumeTiming();
  }
  state.counters["events"] = count;
  state.counters["body_MB"] = body.size() / 1e6;
  // The events' nodes: 64 KiB arena chunks in use right after the scrape.
  state.counters["event_MiB"] = chunks * gatehouse::event_arena::kChunkBytes / 1048576.0;
}
BENCHMARK(BM_StateContainerScrapeToEvents)
    ->ArgNames({"containers", "add_metadata", "free_mode", "threads"})
    ->Args({1000, 0, 0, 1})
    ->Args({10000, 0, 0, 1})
    ->Args({10000, 0, 0, 2})
    ->Args({10000, 1, 0, 1})
    ->Args({10000, 1, 0, 2})
    ->Args({10000, 0, 1, 1})
    ->Args({10000, 0, 1, 2})
    ->Args({10000, 1, 1, 1})
    ->Args({10000, 1, 1, 2})
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// The same, freeing the events inside the timed loop (the whole cost to the process).
void BM_StateContainerScrapeToEventsAndFree(benchmark::State& state) {
  const std::string body = gatehouse::testing::SyntheticClusterExposition(5000, 2);
  StreamScraper scraper(StateContainerStream(false));
  std::vector<Event> events;
  for (auto _ : state) {
    auto status = scraper.Scrape(body, "http://kube-state-metrics:8080/metrics",
                                 absl::UnixEpoch(), absl::Milliseconds(20), &events);
    benchmark::DoNotOptimize(status);
    events.clear();
  }
}
BENCHMARK(BM_StateContainerScrapeToEventsAndFree)->Unit(benchmark::kMillisecond);

// The parse alone with the metricset's family filter (how much of the body it skips), on
// range(0) threads (pieces of at least 1 MiB, as a stream cuts them).
void BM_StateContainerParseOnly(benchmark::State& state) {
  const std::string body = gatehouse::testing::SyntheticClusterExposition(5000, 2);
  StreamScraper scraper(StateContainerStream(false));
  gatehouse::WorkerPool workers(static_cast<int>(state.range(0)));
  Exposition e;
  for (auto _ : state) {
    e.Reparse(body, scraper.filter(), workers);
    benchmark::DoNotOptimize(e.samples().data());
  }
  state.counters["samples_kept"] = e.samples().size();
  // Pieces parsed by the helper thread(s) per parse.
  state.counters["helper_pieces"] =
      static_cast<double>(workers.helper_tasks()) / static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
}
BENCHMARK(BM_StateContainerParseOnly)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// The cost of getting past a body whose families are all filtered out: a line-end search and a
// name compare per line (the floor under BM_StateContainerParseOnly).
void BM_ParseSkippingEveryFamily(benchmark::State& state) {
  const std::string body = gatehouse::testing::SyntheticClusterExposition(5000, 2);
  gatehouse::prometheus::FamilyFilter nothing;
  nothing.AddName("no_such_family");
  Exposition e;
  for (auto _ : state) {
    e.Reparse(body, nothing);
    benchmark::DoNotOptimize(e.line_count());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
}
BENCHMARK(BM_ParseSkippingEveryFamily)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
