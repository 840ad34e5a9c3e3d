// The `kubernetes/metrics` input: each stream scrapes kube-state-metrics (`hosts`) every
// `period` and turns the exposition into events with its `metricsets` (`state_container`,
// `state_pod`, `state_node`). Streams whose metricsets this build lacks (apiserver, event, ...)
// are reported as failed collections once at Start; the others run.
//
// Thread contract: Start/Stop from one thread (the input manager); one scrape thread per stream.
#ifndef GATEHOUSE_INPUTS_KUBERNETES_METRICS_KUBERNETES_METRICS_INPUT_H_
#define GATEHOUSE_INPUTS_KUBERNETES_METRICS_KUBERNETES_METRICS_INPUT_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/input/input.h"
#include "common/metrics.h"
#include "inputs/common/http/http_fetcher.h"
#include "inputs/common/prometheus/exposition.h"
#include "inputs/common/scheduler/periodic_runner.h"
#include "inputs/kubernetes/common/state_metricset.h"
#include "inputs/kubernetes/metrics/stream_scraper.h"

namespace gatehouse::kubernetes {

// One stream, checked and resolved from the rendered config.
struct StreamSpec {
  std::string id;  // the stream's `id`, else "<input id>/streams[<index>]"
  std::vector<const StateMetricset*> metricsets;
  std::vector<std::string> unsupported_metricsets;
  std::vector<std::string> hosts;  // as URLs ("http://ksm:8080/metrics")
  absl::Duration period = absl::Seconds(10);
  http::HttpFetcherOptions fetch;
  std::string data_stream_dataset;  // empty: event.dataset
  std::string data_stream_type;     // empty: the pipeline's default
  bool add_metadata = true;         // enrich from the scrape's pod/node families
  int scrape_threads = 0;           // 0: one per core, at most kMaxAutoScrapeThreads
};

// `scrape_threads: 0` uses this many threads at most (fewer on a smaller machine).
inline constexpr int kMaxAutoScrapeThreads = 2;

// Resolves one entry of `streams` (input-level keys act as defaults). InvalidArgument names the
// stream and the key.
absl::StatusOr<StreamSpec> ParseStream(const Value& stream, const Value& input, size_t index,
                                       const std::string& input_id);

const OptionTable& KubernetesMetricsStreamOptions();
const OptionTable& KubernetesMetricsInputOptions();

class KubernetesMetricsInput final : public Input {
 public:
  static absl::StatusOr<std::unique_ptr<KubernetesMetricsInput>> Create(InputContext context);
  ~KubernetesMetricsInput() override;  // Stop()

  absl::Status Start() override;
  void Stop() override;

  // One collection of one stream, synchronously (the scheduler calls it, from one thread per
  // stream). Returns the number of events published.
  absl::StatusOr<int64_t> CollectOnce(size_t stream_index, http::HttpFetcher* fetcher);
  const std::vector<StreamSpec>& streams() const { return streams_; }

 private:
  struct Running {
    std::unique_ptr<http::HttpFetcher> fetcher;
    std::unique_ptr<PeriodicRunner> runner;
  };
  KubernetesMetricsInput(InputContext context, std::vector<StreamSpec> streams);
  void RunStream(size_t index, http::HttpFetcher* fetcher);

  const InputContext context_;
  std::vector<StreamSpec> streams_;
  // Per stream, reused between collections (only that stream's thread uses them): the parsed
  // scrape and the vector the events are built in.
  struct Scratch {
    explicit Scratch(StreamScraperConfig config) : scraper(std::move(config)) {}
    StreamScraper scraper;
    std::vector<Event> events;
  };
  std::vector<std::unique_ptr<Scratch>> scratch_;
  std::atomic<bool> cancel_{false};
  std::vector<Running> running_;  // Start/Stop thread only
  bool started_ = false;
  bool stopped_ = false;
  Counter* const skipped_;
};

}  // namespace gatehouse::kubernetes

#endif  // GATEHOUSE_INPUTS_KUBERNETES_METRICS_KUBERNETES_METRICS_INPUT_H_
