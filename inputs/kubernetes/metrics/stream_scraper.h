// What one collection of a `kubernetes/metrics` stream does once the body has arrived: parse
// only the families the stream's metricsets read, let each metricset build its events, and
// stamp every event with the fields the input adds (@timestamp, event.*, metricset.*,
// service.*, data_stream.*). The input and the benchmark both run exactly this.
//
// Thread contract: thread-compatible; one per stream, used by that stream's scrape thread (and,
// within one Scrape, by its worker threads).
#ifndef GATEHOUSE_INPUTS_KUBERNETES_METRICS_STREAM_SCRAPER_H_
#define GATEHOUSE_INPUTS_KUBERNETES_METRICS_STREAM_SCRAPER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/input/event.h"
#include "common/worker_pool.h"
#include "inputs/common/prometheus/exposition.h"
#include "inputs/kubernetes/common/state_metricset.h"

namespace gatehouse::kubernetes {

struct StreamScraperConfig {
  std::vector<const StateMetricset*> metricsets;
  CollectOptions collect;
  absl::Duration period = absl::Seconds(10);
  std::string data_stream_dataset;  // empty: not set
  std::string data_stream_type;     // empty: not set
  // Threads that parse a large body and build its events (the stream's own thread included):
  // `scrape_threads`. Helpers start with the first body of at least two parse pieces.
  int threads = 1;
  size_t min_piece_bytes = prometheus::Exposition::kMinPieceBytes;
};

class StreamScraper {
 public:
  explicit StreamScraper(StreamScraperConfig config);

  // Replaces `*events` with the events of `body` scraped from `host` (the caller reuses the
  // vector). `started` is the fetch's start (@timestamp), `fetch_duration` goes to
  // event.duration. DataLoss when the body has malformed lines and no sample at all; with
  // some samples the malformed lines are only in exposition().ErrorSummary().
  absl::Status Scrape(absl::string_view body, absl::string_view host, absl::Time started,
                      absl::Duration fetch_duration, std::vector<Event>* events);

  // The last scrape (refers to the last body).
  const prometheus::Exposition& exposition() const { return exposition_; }
  const prometheus::FamilyFilter& filter() const { return filter_; }

 private:
  const StreamScraperConfig config_;
  prometheus::FamilyFilter filter_;
  prometheus::Exposition exposition_;  // reused: no fresh pages per scrape
  std::unique_ptr<WorkerPool> workers_;  // null until a body is large enough to share
};

}  // namespace gatehouse::kubernetes

#endif  // GATEHOUSE_INPUTS_KUBERNETES_METRICS_STREAM_SCRAPER_H_
