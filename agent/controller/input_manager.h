// InputManager: keeps the running input instances equal to the desired set. An instance whose
// rendered config is unchanged keeps running; a changed config means a new instance (stop the old,
// start the new); an id no longer desired is stopped.
//
// The controller says what it wants through a Batch (one lock for a whole reconcile) and goes
// on: the manager's own worker thread starts and stops the instances. An input's Start or Stop
// (which waits for its in-flight collection) never holds up the evaluation of the next change,
// and wants that change again before the worker reaches them are acted on once, as they are
// last (a flip and a flip back start and stop nothing).
//
// Thread contract: thread-safe. Batches come from one thread (the controller's event loop);
// Ensure/Stop/RetainOnly/StopAll act at once, serialised with the worker.
#ifndef GATEHOUSE_AGENT_CONTROLLER_INPUT_MANAGER_H_
#define GATEHOUSE_AGENT_CONTROLLER_INPUT_MANAGER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/input/input.h"
#include "agent/registry/registry.h"
#include "common/value.h"

namespace gatehouse::controller {

class DesiredInstance;

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
  // Told of every start and stop. Thread-safe (called on the worker; the gate's threads too).
  class StartGate {
   public:
    virtual ~StartGate() = default;
    virtual absl::Status MayStart(const std::string& id) = 0;
    virtual void Started(const std::string& id) = 0;
    virtual void Stopped(const std::string& id) = 0;
  };

  // What became of a want.
  enum class State {
    kPending,  // not acted on yet
    kRunning,
    kWaiting,  // its start is held (an Unavailable start error, e.g. the start-up gate)
    kFailed,   // its start failed
    kStopped,
  };
  struct Outcome {
    State state = State::kPending;
    absl::Status error;  // kWaiting, kFailed
  };

  // Wants handed to the worker together when the batch ends. Holds the manager's lock: build it
  // (`InputManager::Batch batch(&manager);`), fill it, let it go.
  class ABSL_SCOPED_LOCKABLE Batch {
   public:
    explicit Batch(InputManager* manager) ABSL_EXCLUSIVE_LOCK_FUNCTION(manager->mu_);
    ~Batch() ABSL_UNLOCK_FUNCTION();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    // Wants `desired` running `config`. Nothing is handed over when it already runs an
    // `Identical` config or is about to; a held or failed start is tried again.
    void Want(const std::shared_ptr<DesiredInstance>& desired, const Value& config);
    // Wants it stopped.
    void Drop(const std::shared_ptr<DesiredInstance>& desired);
    // `done` runs on the worker once everything this batch handed over has been acted on (at
    // once, on the worker, when nothing was).
    void OnActuated(std::function<void()> done);

   private:
    InputManager* const manager_;
  };

  // Every instance gets its wiring from `wiring` (the agent's pipelines).
  InputManager(const Registry<InputFactory>* factories, WiringFactory wiring);

  // `factories` outlives the manager (Registry<InputFactory>::Global() by default).
  explicit InputManager(const Registry<InputFactory>* factories = &Registry<InputFactory>::Global(),
                        EventPublisher* publisher = nullptr, InputObserver* observer = nullptr);
  ~InputManager();  // drops what is pending and stops every instance

  // The handle one input copy's wants go through, for instance id `id` of input type `type`.
  std::shared_ptr<DesiredInstance> Track(std::string id, std::string type);
  Outcome OutcomeOf(const DesiredInstance& desired) const ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until every want handed over so far has been acted on.
  void WaitIdle() ABSL_LOCKS_EXCLUDED(mu_);

  // Acting at once, on the caller's thread (serialised with the worker).
  // Makes `id` run `config` as an input of `type`. Nothing happens when it already runs an
  // equal config (an `Identical` config is recognised without comparing); otherwise the old
  // instance (if any) stops and a new one starts. A start error leaves `id` stopped.
  absl::Status Ensure(const std::string& id, absl::string_view type, const Value& config)
      ABSL_LOCKS_EXCLUDED(actuate_mu_);
  // Stops `id` if it runs (each Stop waits for the instance's in-flight work).
  void Stop(const std::string& id) ABSL_LOCKS_EXCLUDED(actuate_mu_);
  // Waits for the pending wants, then stops every running instance whose id is not in `keep`
  // (a reload drops removed inputs).
  void RetainOnly(const std::set<std::string>& keep) ABSL_LOCKS_EXCLUDED(mu_, actuate_mu_);
  // Drops the pending wants and stops every instance (shutdown; new outputs, after which a new
  // controller tracks its copies afresh: the outcomes of earlier wants are not updated).
  void StopAll() ABSL_LOCKS_EXCLUDED(mu_, actuate_mu_);

  // `gate` (may be null) outlives the manager. Set before the first want.
  void set_start_gate(StartGate* gate) { gate_ = gate; }

  bool IsRunning(const std::string& id) const ABSL_LOCKS_EXCLUDED(actuate_mu_);
  size_t running_count() const { return running_count_.load(std::memory_order_relaxed); }
  Stats stats() const ABSL_LOCKS_EXCLUDED(actuate_mu_);

 private:
  struct Running {
    Value config;
    std::unique_ptr<Input> input;
    std::unique_ptr<EventPublisher> publisher;  // outlives `input` (members die in reverse)
  };
  // One want as the worker takes it.
  struct Intent {
    std::shared_ptr<DesiredInstance> desired;
    bool run;
    Value config;
  };

  void WorkerLoop() ABSL_LOCKS_EXCLUDED(mu_, actuate_mu_);
  absl::Status EnsureLocked(const std::string& id, absl::string_view type, const Value& config)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(actuate_mu_);
  void StopLocked(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(actuate_mu_);
  void MarkDirty(const std::shared_ptr<DesiredInstance>& desired) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Registry<InputFactory>* factories_;
  WiringFactory wiring_;
  EventPublisher* publisher_;
  InputObserver* observer_;
  StartGate* gate_ = nullptr;

  // The wants (and every Desired's fields): one lock for a whole batch.
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<DesiredInstance>> dirty_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> done_ ABSL_GUARDED_BY(mu_);
  bool worker_busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // The instances: held while starting or stopping them.
  mutable absl::Mutex actuate_mu_ ABSL_ACQUIRED_AFTER(mu_);
  absl::flat_hash_map<std::string, Running> running_ ABSL_GUARDED_BY(actuate_mu_);
  Stats stats_ ABSL_GUARDED_BY(actuate_mu_);
  std::atomic<size_t> running_count_{0};

  std::thread worker_;  // last: starts after everything above exists

  friend class DesiredInstance;  // its fields are guarded by mu_
};

// One input copy's desired instance: what the controller wants of it and what became of it.
// Its fields belong to the manager that made it and are guarded by that manager's lock.
class DesiredInstance {
 public:
  DesiredInstance(InputManager* manager, std::string id, std::string type)
      : manager_(manager), id_(std::move(id)), type_(std::move(type)) {}
  const std::string& id() const { return id_; }
  const std::string& type() const { return type_; }

 private:
  friend class InputManager;
  InputManager* const manager_;
  const std::string id_;
  const std::string type_;
  bool run_ ABSL_GUARDED_BY(manager_->mu_) = false;
  Value config_ ABSL_GUARDED_BY(manager_->mu_);
  bool dirty_ ABSL_GUARDED_BY(manager_->mu_) = false;  // in the manager's list of wants to act on
  InputManager::Outcome outcome_ ABSL_GUARDED_BY(manager_->mu_);
};

}  // namespace gatehouse::controller

#endif  // GATEHOUSE_AGENT_CONTROLLER_INPUT_MANAGER_H_
