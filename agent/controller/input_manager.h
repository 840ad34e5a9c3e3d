// InputManager: keeps the running input instances equal to the desired set. An instance whose
// rendered config is unchanged keeps running; a changed config means a new instance (stop the old,
// start the new); an id no longer desired is stopped.
//
// Thread contract: thread-compatible; the controller's event loop is its only caller.
#ifndef GATEHOUSE_AGENT_CONTROLLER_INPUT_MANAGER_H_
#define GATEHOUSE_AGENT_CONTROLLER_INPUT_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/input/input.h"
#include "agent/registry/registry.h"
#include "common/value.h"

namespace gatehouse::controller {

struct DesiredInput {
  std::string type;
  Value config;
};

class InputManager {
 public:
  struct Stats {
    int started = 0;
    int stopped = 0;
  };

  // What the agent gives one input instance: its own pipeline (processors, metadata, the queue of
  // its output), owned by the instance and destroyed after the input stops, and an observer that
  // knows the instance's id.
  struct InstanceWiring {
    std::unique_ptr<EventPublisher> publisher;
    InputObserver* observer = nullptr;  // null: the manager's default
  };
  using WiringFactory = std::function<absl::StatusOr<InstanceWiring>(const std::string& id,
                                                                      const DesiredInput& input)>;

  // Consulted before an instance starts (the agent's start-up gate, which the cold-start lease
  // pool holds): an error holds the start, and the copy is tried again at the next reconcile.
  // Told of every start and stop. Thread-safe (the gate's own threads read it too).
  class StartGate {
   public:
    virtual ~StartGate() = default;
    virtual absl::Status MayStart(const std::string& id) = 0;
    virtual void Started(const std::string& id) = 0;
    virtual void Stopped(const std::string& id) = 0;
  };

  // Every instance gets its wiring from `wiring` (the agent's pipelines).
  InputManager(const Registry<InputFactory>* factories, WiringFactory wiring);

  // `factories` outlives the manager (Registry<InputFactory>::Global() by default).
  explicit InputManager(const Registry<InputFactory>* factories = &Registry<InputFactory>::Global(),
                        EventPublisher* publisher = nullptr, InputObserver* observer = nullptr);
  ~InputManager();  // stops every instance

  // Makes `id` run `config` as an input of `type`. Nothing happens when it already runs an
  // equal config (an `Identical` config is recognised without comparing); otherwise the old
  // instance (if any) stops and a new one starts. A start error leaves `id` stopped.
  absl::Status Ensure(const std::string& id, absl::string_view type, const Value& config);
  // Stops `id` if it runs (each Stop waits for the instance's in-flight work).
  void Stop(const std::string& id);

  // Stops every running instance whose id is not in `keep` (a reload drops removed inputs).
  void RetainOnly(const std::set<std::string>& keep);
  // Stops every instance (shutdown); each Stop waits for in-flight work.
  void StopAll();

  // `gate` (may be null) outlives the manager.
  void set_start_gate(StartGate* gate) { gate_ = gate; }

  bool IsRunning(const std::string& id) const { return running_.count(id) > 0; }
  size_t running_count() const { return running_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Running {
    Value config;
    std::unique_ptr<Input> input;
    std::unique_ptr<EventPublisher> publisher;  // outlives `input` (members die in reverse)
  };

  const Registry<InputFactory>* factories_;
  WiringFactory wiring_;
  EventPublisher* publisher_;
  InputObserver* observer_;
  StartGate* gate_ = nullptr;
  absl::flat_hash_map<std::string, Running> running_;
  Stats stats_;
};

}  // namespace gatehouse::controller

#endif  // GATEHOUSE_AGENT_CONTROLLER_INPUT_MANAGER_H_
