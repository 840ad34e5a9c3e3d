#include "agent/pipeline/pipeline.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/pipeline/event_fields.h"
#include "common/status_macros.h"

namespace gatehouse {
namespace {

std::string StringAt(const Value& config, absl::string_view path, absl::string_view fallback) {
  const Value* v = config.FindPath(path);
  if (v != nullptr && v->is_string() && !v->as_string().empty()) return v->as_string();
  return std::string(fallback);
}

void PutIfMissing(Event* event, absl::string_view path, const std::string& value) {
  if (value.empty() || FindField(*event, path) != nullptr) return;
  PutField(event, path, value);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(PipelineConfig config) {
  if (config.queue == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("pipeline for input '", config.input_id, "': no output queue"));
  }
  if (config.clock == nullptr) config.clock = &Clock::Real();
  auto chain = ProcessorChain::Create({config.provider_processors, config.input_processors});
  if (!chain.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", config.input_id, "': ", chain.status().message()));
  }
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(config), *std::move(chain)));
}

Pipeline::Pipeline(PipelineConfig config, ProcessorChain chain)
    : config_(std::move(config)),
      chain_(std::move(chain)),
      published_(MetricsRegistry::Global().GetCounter(
          "gatehouse_pipeline_events_published_total", "Events an input published into the queue.",
          {{"input", config_.input_id}})),
      dropped_(MetricsRegistry::Global().GetCounter(
          "gatehouse_pipeline_events_dropped_total",
          "Events refused because the input or the queue was shutting down.",
          {{"input", config_.input_id}})) {
  data_stream_type_ = StringAt(config_.input_config, "data_stream.type", "metrics");
  data_stream_namespace_ = StringAt(config_.input_config, "data_stream.namespace", "default");
  data_stream_dataset_ = StringAt(config_.input_config, "data_stream.dataset", "");
}

void Pipeline::AddMetadata(Event* event) const {
  if (!event->is_object()) *event = Event::object();
  if (event->find("@timestamp") == event->end()) {
    (*event)["@timestamp"] = FormatEventTimestamp(config_.clock->Now());
  }
  // data_stream.dataset: the stream's (set by the input), the input's, else event.dataset.
  std::string dataset = data_stream_dataset_;
  if (const Event* d = FindField(*event, "event.dataset"); dataset.empty() && d && d->is_string()) {
    dataset = d->get<std::string>();
  }
  PutIfMissing(event, "data_stream.type", data_stream_type_);
  PutIfMissing(event, "data_stream.dataset", dataset.empty() ? "generic" : dataset);
  PutIfMissing(event, "data_stream.namespace", data_stream_namespace_);
  if (const Event* d = FindField(*event, "data_stream.dataset"); d && d->is_string()) {
    PutIfMissing(event, "event.dataset", d->get<std::string>());
  }
  PutIfMissing(event, "agent.id", config_.agent.id);
  PutIfMissing(event, "agent.version", config_.agent.version);
  PutIfMissing(event, "agent.type", "gatehouse");
  PutIfMissing(event, "agent.name", config_.agent.host_name);
  PutIfMissing(event, "host.name", config_.agent.host_name);
  PutIfMissing(event, "input.id", config_.input_id);
  PutIfMissing(event, "input.type", StringAt(config_.input_config, "type", ""));
}

bool Pipeline::Publish(Event event) {
  if (closed_.load()) {
    dropped_->Increment();
    return false;
  }
  AddMetadata(&event);
  chain_.Run(&event);
  if (!config_.queue->Push(std::move(event))) {
    dropped_->Increment();
    return false;
  }
  published_->Increment();
  return true;
}

}  // namespace gatehouse
