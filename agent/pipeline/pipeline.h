// The pipeline between one input copy and the output queue: it adds the agent's metadata
// (`@timestamp`, `data_stream.*`, `event.dataset`, `agent.*`, `host.name`), runs the copy's
// provider processors then the input's own, and pushes the event into the bounded queue
// (waiting while it is full).
//
// Inputs set the stream-specific fields themselves (`event.module`, `event.dataset`,
// `metricset.name`, `metricset.period`, `service.address`, and `data_stream.dataset` when the
// stream configures one); the pipeline fills in what is missing.
//
// Thread contract: thread-safe; an input may publish from several threads.
#ifndef GATEHOUSE_AGENT_PIPELINE_PIPELINE_H_
#define GATEHOUSE_AGENT_PIPELINE_PIPELINE_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/input/input.h"
#include "agent/output/event_queue.h"
#include "agent/pipeline/processors.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/value.h"

namespace gatehouse {

struct AgentInfo {
  std::string id;
  std::string version;
  std::string host_name;
};

struct PipelineConfig {
  std::string input_id;      // the rendered input copy's id
  // The rendered input (type, data_stream.{type,dataset,namespace}, streams, ...). Only
  // `data_stream` and `type` are read here.
  Value input_config;
  Value provider_processors;  // the copy's processors from its dynamic provider (list or null)
  Value input_processors;     // the input's own `processors` (list or null)
  AgentInfo agent;
  EventQueue* queue = nullptr;  // outlives the pipeline
  Clock* clock = &Clock::Real();
};

class Pipeline final : public EventPublisher {
 public:
  // Fails (InvalidArgument) on a bad processor list or a null queue.
  static absl::StatusOr<std::unique_ptr<Pipeline>> Create(PipelineConfig config);

  // Adds metadata, runs the processors and pushes into the queue (blocking while it is full).
  // False when the queue is closed or Close() was called.
  bool Publish(Event event) override;

  // Makes later Publish calls fail fast (the input is being shut down for good).
  void Close() { closed_.store(true); }

  int64_t published() const { return published_->value(); }

 private:
  Pipeline(PipelineConfig config, ProcessorChain chain);
  void AddMetadata(Event* event) const;

  const PipelineConfig config_;
  const ProcessorChain chain_;
  std::string data_stream_type_;
  std::string data_stream_namespace_;
  std::string data_stream_dataset_;  // empty: taken from event.dataset
  Counter* const published_;
  Counter* const dropped_;
  std::atomic<bool> closed_{false};
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PIPELINE_PIPELINE_H_
