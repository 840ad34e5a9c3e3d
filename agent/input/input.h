// Inputs collect data and publish events (after the OpenTelemetry Collector's receivers):
// Start returns quickly and runs background work under the input's own cancellation; Stop is safe
// without Start and twice, waits for in-flight work, and loses no event already produced. A changed
// configuration means a new instance.
#ifndef GATEHOUSE_AGENT_INPUT_INPUT_H_
#define GATEHOUSE_AGENT_INPUT_INPUT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/input/event.h"
#include "agent/registry/options.h"
#include "common/clock.h"
#include "common/value.h"

namespace gatehouse {

// Where an input sends its events: the agent's pipeline (processors, metadata) and, behind it, a
// bounded queue to the output. Thread-safe. Publish blocks while the queue is full
// (back-pressure); it returns false only when the agent is shutting the input down and the event
// could not be accepted.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  virtual bool Publish(Event event) = 0;
};

// How an input tells the agent about its health (shown in /status and `gatehouse explain`).
// Thread-safe.
class InputObserver {
 public:
  virtual ~InputObserver() = default;
  // One collection (a scrape of one stream) finished; `events` were published.
  virtual void CollectionSucceeded(absl::string_view stream_id, int64_t events) = 0;
  // One collection failed; the input keeps its schedule and tries again next period.
  virtual void CollectionFailed(absl::string_view stream_id, const absl::Status& error) = 0;
};

struct InputContext {
  std::string id;  // the rendered input copy's id (`<id>-<provider>-<mapping id>` for copies)
  // The rendered input after ApplyOptions: `streams` (each rendered, conditions removed), and
  // the input's own keys. Processors are not here: the pipeline applies them.
  Value config;
  EventPublisher* publisher = nullptr;  // outlives the input
  InputObserver* observer = nullptr;    // outlives the input; never null
  Clock* clock = &Clock::Real();
};

class Input {
 public:
  virtual ~Input() = default;
  virtual absl::Status Start() = 0;
  virtual void Stop() = 0;
};

class InputFactory {
 public:
  static constexpr absl::string_view kCategory = "input";

  virtual ~InputFactory() = default;
  // The policy's `type:` (`kubernetes/metrics`).
  virtual absl::string_view name() const = 0;
  virtual absl::string_view description() const = 0;
  // Options of the input and of each of its streams (keys under `streams:` entries).
  virtual const OptionTable& options() const = 0;
  virtual const OptionTable& stream_options() const = 0;
  virtual absl::StatusOr<std::unique_ptr<Input>> Create(InputContext context) const = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_INPUT_INPUT_H_
