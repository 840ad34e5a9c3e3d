// Controller: keeps the running inputs equal to what the policy's conditions say over the
// variables in the VariableStore. A dependency index maps each slot to the inputs that read it;
// on a change set only those inputs are evaluated and rendered again, then reconciled through the
// InputManager (untouched inputs keep running). Change sets arriving within `coalesce` of each
// other are handled together.
//
// Thread contract: one event loop (Run, or the caller of Apply) drives it; Statuses() and the
// counters are thread-safe and may be read from any thread (the /status handler, explain).
#ifndef GATEHOUSE_AGENT_CONTROLLER_CONTROLLER_H_
#define GATEHOUSE_AGENT_CONTROLLER_CONTROLLER_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/controller/input_manager.h"
#include "common/worker_pool.h"
#include "agent/policy/policy.h"
#include "agent/policy/render.h"
#include "agent/store/variable_store.h"
#include "common/clock.h"

namespace gatehouse::controller {

struct ControllerOptions {
  absl::Duration coalesce = absl::Milliseconds(20);
  Clock* clock = &Clock::Real();
  // Namespaces of dynamic providers (besides those with mappings in the store).
  std::function<bool(absl::string_view)> is_dynamic = [](absl::string_view) { return false; };
  // Called once the InputManager has acted on what an Apply wanted (on its worker, no lock
  // held): the start-up gate learns that held inputs were tried again.
  std::function<void()> applied;
  // Threads that render one large Apply (the caller's included): 0 takes the policy's
  // `agent.render.threads`, and when that is unset too WorkerPool::ThreadsFor(0, 2)
  // (min(2, cores)); 1 renders everything on the caller.
  int render_threads = 0;
  // An Apply is rendered on several threads only when its inputs outside gate groups have at
  // least this many copies between them (as last rendered; an input never rendered counts as
  // one) and there are two such inputs or more: a small change stays on the caller's thread.
  size_t parallel_min_copies = 256;
};

// One input copy as /status and `gatehouse explain` show it.
struct InputStatus {
  // kWaiting: on, but its start is held (the start-up gate; an Unavailable start error).
  // kStarting: on, and the InputManager has not started it yet.
  enum class State { kRunning, kStopped, kFailed, kWaiting, kStarting };
  std::string id;        // the copy's id
  std::string input_id;  // the policy input's id
  State state = State::kStopped;
  std::vector<std::string> conditions;  // condition texts of the input
  std::string reason;    // why it is stopped or failed
  std::vector<std::pair<std::string, Value>> variables;  // what its conditions read
  Value config;          // rendered config when on
};

absl::string_view StateName(InputStatus::State state);

class Controller {
 public:
  // Renders every input once and hands what is on to `manager`, whose worker starts it. `store`, `manager` outlive the controller;
  // the policy's slots must come from `store` (load it with the store as resolver).
  static absl::StatusOr<std::unique_ptr<Controller>> Create(
      std::shared_ptr<const policy::Policy> policy, VariableStore* store, InputManager* manager,
      ControllerOptions options = {});

  // Handles change sets: re-evaluates and re-renders only the inputs that read a changed slot or
  // a changed dynamic provider, and hands the desired instances to the InputManager, whose
  // worker starts and stops them (`ControllerOptions::applied` runs once it has). The event
  // loop's step.
  void Apply(const std::vector<ChangeSet>& changes) ABSL_LOCKS_EXCLUDED(mu_);

  // The event loop: waits for change sets, waits `coalesce` more for close followers, applies.
  // Returns when `stop` is notified.
  void Run(absl::Notification* stop);

  std::vector<InputStatus> Statuses() const ABSL_LOCKS_EXCLUDED(mu_);
  // Conditions evaluated since creation (tests count them).
  int64_t evaluations() const ABSL_LOCKS_EXCLUDED(mu_);
  // Inputs rendered again by Apply since creation.
  int64_t rerenders() const ABSL_LOCKS_EXCLUDED(mu_);
  // Inputs rendered on the render pool (Create and Apply) since creation.
  int64_t pooled_renders() const ABSL_LOCKS_EXCLUDED(mu_);
  // Threads that render a large Apply (ControllerOptions::render_threads).
  int render_threads() const { return pool_ != nullptr ? pool_->threads() : 1; }

 private:
  // Inputs that are one condition around a fixed config (the leader gate on a cluster-wide
  // input, typically), not copied over a dynamic provider, grouped by the condition's text.
  // Within one Apply a group's condition is evaluated once, for its first member rendered; the
  // others take its verdict (their configs cannot differ from what they were).
  struct GateGroup {
    uint64_t apply = 0;      // the Apply whose verdict `on`, `reason`, `variables` hold
    bool shareable = false;  // that verdict is a plain true or false (not a failure)
    bool on = false;
    std::string reason;
    std::vector<std::pair<std::string, Value>> variables;
  };

  struct InputState {
    // The copies' latest renders (each remembers the instance it runs as).
    std::vector<policy::RenderResult> copies;
    bool rendered = false;
    bool copied = false;  // last rendered over a dynamic provider
  };

  Controller(std::shared_ptr<const policy::Policy> policy, VariableStore* store,
             InputManager* manager, ControllerOptions options);
  // Renders `inputs` (sorted indices) again and tells `batch` what their instances should be,
  // in the order of `inputs`; returns the conditions evaluated. The inputs outside gate groups
  // may render on the pool first (each one's copies depend only on its own previous copies and
  // the snapshot); everything else (gate groups, reconciling, logging, counting) runs here in
  // order, so the outcome is the same with any number of threads.
  int64_t RenderInputs(const std::vector<size_t>& inputs, const StoreSnapshot& snapshot,
                       InputManager::Batch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Renders input `input`'s copies again into `state` (its InputState, which the caller owns
  // for the call: Apply holds `mu_` while the pool runs), the copies that are gone into
  // `removed`. Reads only what is immutable after construction: safe on any thread.
  // `with_mappings`: the dynamic providers that have mappings in `snapshot` (sorted).
  void RenderCopies(size_t input, InputState& state, const StoreSnapshot& snapshot,
                    const std::vector<std::string>& with_mappings,
                    std::vector<policy::RenderResult>* removed) const;
  // Tells `batch` what the instances of input `input`'s copies (just rendered) should be, and
  // of the `removed` ones; returns the conditions its render evaluated.
  int64_t ReconcileCopies(size_t input, std::vector<policy::RenderResult>& removed,
                          InputManager::Batch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Input `input` (in a gate group) takes its group's verdict of this Apply; false when the
  // group has none to share (then it is rendered as usual).
  bool TakeGateVerdict(size_t input, InputManager::Batch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Tells `batch` what the instance of `copy` should be.
  void Reconcile(const policy::InputSpec& input, policy::RenderResult& copy,
                 InputManager::Batch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static std::vector<std::string> ProvidersWithMappings(const StoreSnapshot& snapshot);
  void LogSwitch(const policy::InputSpec& input, const policy::RenderResult& copy,
                 bool first_render) const;

  const std::shared_ptr<const policy::Policy> policy_;
  VariableStore* const store_;
  const ControllerOptions options_;
  // Dependency index: slot → inputs whose values or conditions read it.
  absl::flat_hash_map<Slot, std::vector<size_t>> dependents_;
  // Namespace → inputs that read it (for dynamic provider changes).
  absl::flat_hash_map<std::string, std::vector<size_t>> by_namespace_;
  // By input, parallel to its `namespaces`: declared dynamic (ControllerOptions::is_dynamic).
  std::vector<std::vector<bool>> declared_dynamic_;

  // By input: its gate group, or -1.
  std::vector<int32_t> gate_of_;
  // Renders large Applies on several threads; null with one thread.
  std::unique_ptr<WorkerPool> pool_;

  mutable absl::Mutex mu_;
  InputManager* const manager_ ABSL_PT_GUARDED_BY(mu_);
  std::vector<InputState> inputs_ ABSL_GUARDED_BY(mu_);
  std::vector<GateGroup> gates_ ABSL_GUARDED_BY(mu_);
  uint64_t applies_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t evaluations_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t rerenders_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t pooled_renders_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gatehouse::controller

#endif  // GATEHOUSE_AGENT_CONTROLLER_CONTROLLER_H_
