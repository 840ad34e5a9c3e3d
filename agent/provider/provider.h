// Providers publish variables. A context provider publishes one mapping under its name
// (`env`, `host`, `kubernetes_leaderelection`); a dynamic provider publishes many mappings, each
// with an id and processors (one input copy each: `local_dynamic`, later `kubernetes` pods).
// A provider writes only through its sink, and the sink writes only into the provider's own
// namespace.
#ifndef GATEHOUSE_AGENT_PROVIDER_PROVIDER_H_
#define GATEHOUSE_AGENT_PROVIDER_PROVIDER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/registry/options.h"
#include "common/clock.h"
#include "common/value.h"

namespace gatehouse {

// Where a provider publishes. Thread-safe: providers call it from their own threads.
// Publishing a value equal to the current one is not a change.
class ProviderSink {
 public:
  virtual ~ProviderSink() = default;

  // Context providers: replaces the provider's whole mapping (keys absent now are removed).
  virtual void Publish(Value::Map mapping) = 0;

  // Dynamic providers: adds or replaces the mapping with this id; `processors` (a list, or null)
  // go in front of the processors of every input copy rendered from it.
  virtual void UpsertMapping(absl::string_view id, Value::Map mapping, Value processors) = 0;
  virtual void RemoveMapping(absl::string_view id) = 0;

  // The provider failed after Start() returned: the agent stops it, reports `status`, and starts
  // a new instance after a back-off.
  virtual void Fail(absl::Status status) = 0;
};

// Start-up coordination with the agent (the cold-start lease pool uses it).
class StartupGate {
 public:
  virtual ~StartupGate() = default;
  // While any provider holds it, the agent starts no input.
  virtual void HoldInputStarts(absl::string_view holder, bool hold) = 0;
  // Calls `done` (on some agent thread) once every input that was on when the gate opened has
  // completed its first successful collection; at once when none is on.
  virtual void NotifyWhenFirstCollectionsDone(std::function<void()> done) = 0;
};

// What the agent hands a provider when it creates one.
struct ProviderContext {
  std::string agent_id;          // stable id of this agent (hostname-based unless configured)
  std::string data_path;         // the agent's data folder (path.data)
  Clock* clock = &Clock::Real();
  StartupGate* startup_gate = nullptr;  // may be null (one-shot rendering, tests)
};

class Provider {
 public:
  virtual ~Provider() = default;
  // Returns quickly; background work runs on the provider's own threads and publishes through
  // `sink`, which outlives the provider. An error here is reported and retried with back-off.
  virtual absl::Status Start(ProviderSink* sink) = 0;
  // Safe without Start and when called twice; waits for background work to end. Releases what
  // the provider holds (a leader lease is released here on a clean shutdown).
  virtual void Stop() = 0;
};

class ProviderFactory {
 public:
  static constexpr absl::string_view kCategory = "provider";
  enum class Kind { kContext, kDynamic };

  virtual ~ProviderFactory() = default;
  // The key under `providers:` in a policy, and the variable namespace it publishes.
  virtual absl::string_view name() const = 0;
  virtual Kind kind() const = 0;
  virtual absl::string_view description() const = 0;
  virtual const OptionTable& options() const = 0;
  // `options` has already been through ApplyOptions(options()): defaults filled, types checked.
  // Validation beyond types (lease timings) fails here with a message naming the option.
  virtual absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                           const ProviderContext& context) const = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PROVIDER_PROVIDER_H_
