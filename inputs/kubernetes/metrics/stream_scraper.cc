#include "inputs/kubernetes/metrics/stream_scraper.h"

#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/pipeline/event_fields.h"

namespace gatehouse::kubernetes {
namespace {

// Inserts `key` into `event` (an object) without a temporary key string.
void Put(Event::object_t& event, absl::string_view key, Event value) {
  event.emplace(key, std::move(value));
}

}  // namespace

StreamScraper::StreamScraper(StreamScraperConfig config) : config_(std::move(config)) {
  for (const StateMetricset* metricset : config_.metricsets) {
    metricset->AddFamilies(config_.collect, &filter_);
  }
}

absl::Status StreamScraper::Scrape(absl::string_view body, absl::string_view host,
                                   absl::Time started, absl::Duration fetch_duration,
                                   std::vector<Event>* events) {
  events->clear();
  exposition_.Reparse(body, filter_);
  if (exposition_.error_count() > 0 && exposition_.samples().empty()) {
    return absl::DataLossError(
        absl::StrCat(host, ": not a Prometheus exposition: ", exposition_.ErrorSummary()));
  }
  // The stamp is the same for every event of a metricset: built once, copied into each.
  const Event timestamp = FormatEventTimestamp(started);
  const Event service = {{"address", host}, {"type", "kubernetes"}};
  Event data_stream = Event::object();
  if (!config_.data_stream_dataset.empty()) data_stream["dataset"] = config_.data_stream_dataset;
  if (!config_.data_stream_type.empty()) data_stream["type"] = config_.data_stream_type;
  for (const StateMetricset* metricset : config_.metricsets) {
    const size_t first = events->size();
    metricset->Collect(exposition_, config_.collect, events);
    const Event event_fields = {{"module", "kubernetes"},
                                {"dataset", absl::StrCat("kubernetes.", metricset->name())},
                                {"duration", absl::ToInt64Nanoseconds(fetch_duration)}};
    const Event metricset_fields = {{"name", metricset->name()},
                                    {"period", absl::ToInt64Milliseconds(config_.period)}};
    for (size_t i = first; i < events->size(); ++i) {
      Event::object_t& event = (*events)[i].get_ref<Event::object_t&>();
      // '@' sorts before every other key: the hint makes it a constant-time insertion.
      event.emplace_hint(event.begin(), "@timestamp", timestamp);
      Put(event, "event", event_fields);
      Put(event, "metricset", metricset_fields);
      Put(event, "service", service);
      if (!data_stream.empty()) Put(event, "data_stream", data_stream);
    }
  }
  return absl::OkStatus();
}

}  // namespace gatehouse::kubernetes
