#include "inputs/kubernetes/metrics/stream_scraper.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/pipeline/event_fields.h"

namespace gatehouse::kubernetes {

StreamScraper::StreamScraper(StreamScraperConfig config) : config_(std::move(config)) {
  for (const StateMetricset* metricset : config_.metricsets) {
    metricset->AddFamilies(config_.collect, &filter_);
  }
}

absl::Status StreamScraper::Scrape(absl::string_view body, absl::string_view host,
                                   absl::Time started, absl::Duration fetch_duration,
                                   std::vector<Event>* events) {
  events->clear();
  if (workers_ == nullptr && config_.threads > 1 && body.size() >= 2 * config_.min_piece_bytes) {
    workers_ = std::make_unique<WorkerPool>(config_.threads);
  }
  if (workers_ != nullptr) {
    exposition_.Reparse(body, filter_, *workers_, config_.min_piece_bytes);
  } else {
    exposition_.Reparse(body, filter_);
  }
  if (exposition_.error_count() > 0 && exposition_.samples().empty()) {
    return absl::DataLossError(
        absl::StrCat(host, ": not a Prometheus exposition: ", exposition_.ErrorSummary()));
  }
  // The stamp is the same for every event of a metricset: built once, copied into each event
  // by the metricset as it builds the event.
  EventStamp stamp;
  stamp.timestamp = FormatEventTimestamp(started);
  stamp.service = {{"address", host}, {"type", "kubernetes"}};
  stamp.data_stream = Event::object();
  if (!config_.data_stream_dataset.empty()) {
    stamp.data_stream["dataset"] = config_.data_stream_dataset;
  }
  if (!config_.data_stream_type.empty()) stamp.data_stream["type"] = config_.data_stream_type;
  CollectOptions options = config_.collect;
  options.stamp = &stamp;
  options.workers = workers_.get();
  for (const StateMetricset* metricset : config_.metricsets) {
    stamp.event = {{"module", "kubernetes"},
                   {"dataset", absl::StrCat("kubernetes.", metricset->name())},
                   {"duration", absl::ToInt64Nanoseconds(fetch_duration)}};
    stamp.metricset = {{"name", metricset->name()},
                       {"period", absl::ToInt64Milliseconds(config_.period)}};
    metricset->Collect(exposition_, options, events);
  }
  return absl::OkStatus();
}

}  // namespace gatehouse::kubernetes
