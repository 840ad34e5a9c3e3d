#include "agent/controller/controller.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace gatehouse::controller {

absl::string_view StateName(InputStatus::State state) {
  switch (state) {
    case InputStatus::State::kRunning:
      return "running";
    case InputStatus::State::kStopped:
      return "stopped";
    case InputStatus::State::kFailed:
      return "failed";
    case InputStatus::State::kWaiting:
      return "waiting";
    case InputStatus::State::kStarting:
      return "starting";
  }
  return "unknown";
}

namespace {

// The controller's series in /metrics (one set per process: every controller shares them).
struct ControllerMetrics {
  Counter* evaluations;
  Histogram* reconcile_seconds;
};
const ControllerMetrics& Metrics() {
  static const ControllerMetrics metrics = [] {
    MetricsRegistry& registry = MetricsRegistry::Global();
    return ControllerMetrics{
        registry.GetCounter("gatehouse_condition_evaluations_total",
                            "Conditions evaluated by the controller"),
        registry.GetHistogram("gatehouse_reconcile_duration_seconds",
                              "Time from a batch of variable changes to the reconciled inputs",
                              {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1})};
  }();
  return metrics;
}

// "`${kubernetes_leaderelection.leader} == true` is true" (or "no condition").
std::string DescribeConditions(const policy::InputSpec& input) {
  if (input.conditions.empty()) return "no condition";
  std::vector<std::string> texts;
  for (const policy::ConditionSpec& c : input.conditions) texts.push_back(absl::StrCat("`", c.text, "`"));
  return absl::StrCat(absl::StrJoin(texts, " and "), " true");
}

// " (kubernetes_leaderelection.leader=true)": the values the conditions read.
std::string DescribeVariables(const std::vector<std::pair<std::string, Value>>& variables) {
  if (variables.empty()) return "";
  std::vector<std::string> parts;
  for (const auto& [path, value] : variables) {
    parts.push_back(absl::StrCat(path, "=", value.is_null() ? "<missing>" : value.ToJson()));
  }
  return absl::StrCat(" (", absl::StrJoin(parts, ", "), ")");
}

// One condition around a fixed config with a fixed string id: what it renders to is the
// condition's verdict and nothing else.
bool IsGatedConstant(const policy::InputSpec& input) {
  if (input.conditions.size() != 1 || input.body.kind != policy::TemplateNode::Kind::kMap ||
      input.body.condition != 0 || !input.body.constant_when_on.is_map()) {
    return false;
  }
  const Value* id = input.body.constant_when_on.Find("id");
  return id != nullptr && id->is_string();
}

}  // namespace

Controller::Controller(std::shared_ptr<const policy::Policy> policy, VariableStore* store,
                       InputManager* manager, ControllerOptions options)
    : policy_(std::move(policy)), store_(store), options_(std::move(options)), manager_(manager) {
  absl::flat_hash_map<absl::string_view, int32_t> gate_by_text;
  for (size_t i = 0; i < policy_->inputs.size(); ++i) {
    const policy::InputSpec& input = policy_->inputs[i];
    for (Slot slot : input.slots) dependents_[slot].push_back(i);
    declared_dynamic_.emplace_back();
    bool dynamic = false;
    for (const std::string& ns : input.namespaces) {
      by_namespace_[ns].push_back(i);
      declared_dynamic_.back().push_back(options_.is_dynamic(ns));
      dynamic = dynamic || declared_dynamic_.back().back();
    }
    gate_of_.push_back(-1);
    if (!dynamic && IsGatedConstant(input)) {
      auto [it, added] = gate_by_text.try_emplace(input.conditions[0].text,
                                                  static_cast<int32_t>(gate_by_text.size()));
      gate_of_.back() = it->second;
    }
  }
  const int threads =
      options_.render_threads > 0 ? options_.render_threads
      : policy_->render_threads > 0 ? policy_->render_threads
                                    : WorkerPool::ThreadsFor(0, /*cap=*/2);  // min(2, cores)
  if (threads > 1) pool_ = std::make_unique<WorkerPool>(threads);
  absl::MutexLock lock(&mu_);
  gates_.resize(gate_by_text.size());
}

absl::StatusOr<std::unique_ptr<Controller>> Controller::Create(
    std::shared_ptr<const policy::Policy> policy, VariableStore* store, InputManager* manager,
    ControllerOptions options) {
  if (policy == nullptr || store == nullptr || manager == nullptr) {
    return absl::InvalidArgumentError("Controller::Create: policy, store and manager are required");
  }
  std::unique_ptr<Controller> controller(
      new Controller(std::move(policy), store, manager, std::move(options)));
  std::shared_ptr<const StoreSnapshot> snapshot = store->Snapshot();
  absl::MutexLock lock(&controller->mu_);
  controller->inputs_.resize(controller->policy_->inputs.size());
  controller->generation_ = snapshot->generation();
  int64_t evaluations = 0;
  std::vector<size_t> all(controller->inputs_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  {
    InputManager::Batch batch(controller->manager_);
    evaluations = controller->RenderInputs(all, *snapshot, batch);
  }
  Metrics().evaluations->Increment(evaluations);
  return controller;
}


void Controller::LogSwitch(const policy::InputSpec& input, const policy::RenderResult& copy,
                           bool first_render) const {
  // A new copy logs when it is on (or on the input's first render, off too); an old one when it
  // switched. The descriptions are built only when the line is written.
  const bool switched =
      copy.renders == 1 ? (first_render || copy.on) : copy.was_on != copy.on;
  if (!switched) return;
  spdlog::logger& log = logging::Logger();
  if (copy.on) {
    if (!log.should_log(spdlog::level::info)) return;
    GH_LOG_INFO("input {} on: {}{}", copy.id, DescribeConditions(input),
                DescribeVariables(copy.variables));
  } else if (copy.failed) {
    if (!log.should_log(spdlog::level::warn)) return;
    GH_LOG_WARN("input {} failed: {}{}", copy.id, copy.reason, DescribeVariables(copy.variables));
  } else {
    if (!log.should_log(spdlog::level::info)) return;
    GH_LOG_INFO("input {} off: {}{}", copy.id, copy.reason, DescribeVariables(copy.variables));
  }
}

std::vector<std::string> Controller::ProvidersWithMappings(const StoreSnapshot& snapshot) {
  std::vector<std::string> names;
  for (std::string& name : snapshot.DynamicProviders()) {
    if (!snapshot.Mappings(name).empty()) names.push_back(std::move(name));
  }
  return names;  // sorted, as DynamicProviders gives them
}

void Controller::RenderCopies(size_t index, InputState& state, const StoreSnapshot& snapshot,
                              const std::vector<std::string>& with_mappings,
                              std::vector<policy::RenderResult>* removed) const {
  const policy::InputSpec& input = policy_->inputs[index];
  // The first namespace that is dynamic: declared so, or with mappings now.
  absl::string_view provider;
  for (size_t n = 0; n < input.namespaces.size() && provider.empty(); ++n) {
    const std::string& ns = input.namespaces[n];
    if (declared_dynamic_[index][n] ||
        std::binary_search(with_mappings.begin(), with_mappings.end(), ns)) {
      provider = ns;
    }
  }
  std::vector<StoreSnapshot::MappingReader> readers;
  std::vector<policy::MappingView> views;
  if (!provider.empty()) {
    const std::vector<DynamicMappingPtr>& mappings = snapshot.Mappings(provider);
    readers.reserve(mappings.size());  // views point into it: no reallocation
    views.reserve(mappings.size());
    for (const DynamicMappingPtr& mapping : mappings) {
      readers.emplace_back(snapshot, *mapping);
      views.push_back(policy::MappingView{mapping->id, &readers.back(), &mapping->processors});
    }
  }
  policy::RenderInputCopiesInto(input, snapshot, provider, views, policy_->strict, &state.copies,
                                removed);
  state.copied = !provider.empty();
}

int64_t Controller::ReconcileCopies(size_t index, std::vector<policy::RenderResult>& removed,
                                    InputManager::Batch& batch) {
  const policy::InputSpec& input = policy_->inputs[index];
  InputState& state = inputs_[index];
  const bool first_render = !state.rendered;
  state.rendered = true;
  for (const policy::RenderResult& gone : removed) {
    if (gone.instance != nullptr) batch.Drop(gone.instance);
  }
  int64_t evaluations = 0;
  for (policy::RenderResult& copy : state.copies) {
    evaluations += copy.evaluations;
    LogSwitch(input, copy, first_render);
    Reconcile(input, copy, batch);
  }
  evaluations_ += evaluations;
  // The first member of a gate group rendered in this Apply gives the others its verdict.
  if (gate_of_[index] >= 0 && !state.copied && state.copies.size() == 1) {
    const policy::RenderResult& copy = state.copies.front();
    GateGroup& gate = gates_[gate_of_[index]];
    gate.apply = applies_;
    gate.shareable = !copy.failed && copy.evaluations == 1;
    gate.on = copy.on;
    gate.reason = copy.reason;
    gate.variables = copy.variables;
  }
  return evaluations;
}

int64_t Controller::RenderInputs(const std::vector<size_t>& inputs, const StoreSnapshot& snapshot,
                                 InputManager::Batch& batch) {
  const std::vector<std::string> with_mappings = ProvidersWithMappings(snapshot);
  // The inputs rendered on the pool first: those outside gate groups, when they are many.
  // Their states are taken here, under `mu_`: the pool's tasks are not known to hold it.
  std::vector<size_t> pooled;
  std::vector<InputState*> pooled_states;
  if (pool_ != nullptr) {
    size_t copies = 0;
    for (size_t i : inputs) {
      if (gate_of_[i] >= 0) continue;
      pooled.push_back(i);
      pooled_states.push_back(&inputs_[i]);
      copies += std::max<size_t>(1, inputs_[i].copies.size());
    }
    if (pooled.size() < 2 || copies < options_.parallel_min_copies) {
      pooled.clear();
      pooled_states.clear();
    }
  }
  std::vector<std::vector<policy::RenderResult>> pooled_removed(pooled.size());
  // Each task owns its input's state and list of removed copies.
  if (!pooled.empty()) {
    pooled_renders_ += static_cast<int64_t>(pooled.size());
    pool_->Run(pooled.size(), [&](size_t k) {
      RenderCopies(pooled[k], *pooled_states[k], snapshot, with_mappings, &pooled_removed[k]);
    });
  }
  int64_t evaluations = 0;
  size_t next_pooled = 0;
  std::vector<policy::RenderResult> removed;
  for (size_t i : inputs) {
    if (next_pooled < pooled.size() && pooled[next_pooled] == i) {
      evaluations += ReconcileCopies(i, pooled_removed[next_pooled++], batch);
      continue;
    }
    if (gate_of_[i] >= 0 && TakeGateVerdict(i, batch)) continue;
    removed.clear();
    RenderCopies(i, inputs_[i], snapshot, with_mappings, &removed);
    evaluations += ReconcileCopies(i, removed, batch);
  }
  return evaluations;
}

void Controller::Reconcile(const policy::InputSpec& input, policy::RenderResult& copy,
                           InputManager::Batch& batch) {
  const bool want = copy.on && input.supported;
  // A replayed copy has the id it had when it was last reconciled.
  if (copy.instance != nullptr && (!want || (!copy.replayed && copy.instance->id() != copy.id))) {
    batch.Drop(copy.instance);
    // Kept while off (its next start needs no new handle) unless its id changed.
    if (want) copy.instance.reset();
  }
  if (!want) return;
  if (copy.instance == nullptr) copy.instance = manager_->Track(copy.id, input.type);
  batch.Want(copy.instance, copy.config);
}

bool Controller::TakeGateVerdict(size_t index, InputManager::Batch& batch) {
  const GateGroup& gate = gates_[gate_of_[index]];
  InputState& state = inputs_[index];
  if (gate.apply != applies_ || !gate.shareable || !state.rendered ||
      state.copies.size() != 1 || !state.copies.front().mapping_id.empty()) {
    return false;
  }
  const policy::InputSpec& input = policy_->inputs[index];
  policy::RenderResult& copy = state.copies.front();
  // What RenderInputInto would do, knowing the verdict: the config is the fixed one, the id
  // does not change, the condition read the same variables.
  copy.was_on = copy.on;
  ++copy.renders;
  copy.on = gate.on;
  copy.failed = false;
  copy.evaluations = 0;
  copy.replayed = false;
  copy.replay_plan = 0;  // the next render of its own records again
  if (copy.reason != gate.reason) copy.reason.assign(gate.reason);
  if (copy.variables.size() != gate.variables.size()) {
    copy.variables = gate.variables;
  } else {
    for (size_t v = 0; v < gate.variables.size(); ++v) {
      if (copy.variables[v].first != gate.variables[v].first) {
        copy.variables[v].first.assign(gate.variables[v].first);
      }
      if (!copy.variables[v].second.Identical(gate.variables[v].second)) {
        copy.variables[v].second = gate.variables[v].second;
      }
    }
  }
  if (copy.on && !copy.config.Identical(input.body.constant_when_on)) {
    copy.config = input.body.constant_when_on;
  }
  LogSwitch(input, copy, /*first_render=*/false);
  Reconcile(input, copy, batch);
  return true;
}

void Controller::Apply(const std::vector<ChangeSet>& changes) {
  if (changes.empty()) return;
  std::vector<size_t> affected;
  bool everything = false;
  for (const ChangeSet& change : changes) {
    everything = everything || change.everything;
    for (Slot slot : change.changed_slots) {
      auto it = dependents_.find(slot);
      if (it != dependents_.end()) affected.insert(affected.end(), it->second.begin(), it->second.end());
    }
    for (const DynamicChange& dynamic : change.dynamic) {
      auto it = by_namespace_.find(dynamic.provider);
      if (it != by_namespace_.end()) affected.insert(affected.end(), it->second.begin(), it->second.end());
    }
  }
  if (everything) {
    affected.clear();
    for (size_t i = 0; i < policy_->inputs.size(); ++i) affected.push_back(i);
  }
  // One changed slot gives its dependents already sorted (most change sets).
  if (!std::is_sorted(affected.begin(), affected.end())) {
    std::sort(affected.begin(), affected.end());
  }
  affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
  const absl::Time started = absl::Now();
  std::shared_ptr<const StoreSnapshot> snapshot = store_->Snapshot();
  absl::MutexLock lock(&mu_);
  generation_ = snapshot->generation();
  ++applies_;
  rerenders_ += static_cast<int64_t>(affected.size());
  int64_t evaluations;
  {
    InputManager::Batch batch(manager_);
    evaluations = RenderInputs(affected, *snapshot, batch);
    if (options_.applied) batch.OnActuated(options_.applied);
  }
  Metrics().evaluations->Increment(evaluations);
  Metrics().reconcile_seconds->Observe(absl::ToDoubleSeconds(absl::Now() - started));
}

void Controller::Run(absl::Notification* stop) {
  while (!stop->HasBeenNotified()) {
    uint64_t after;
    {
      absl::MutexLock lock(&mu_);
      after = generation_;
    }
    std::vector<ChangeSet> changes = store_->WaitForChanges(after, absl::Milliseconds(200));
    if (changes.empty()) continue;
    // Close followers join this batch.
    if (options_.coalesce > absl::ZeroDuration()) options_.clock->SleepFor(options_.coalesce, stop);
    std::vector<ChangeSet> more = store_->DrainChanges();
    changes.insert(changes.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
    Apply(changes);
  }
}

std::vector<InputStatus> Controller::Statuses() const {
  absl::MutexLock lock(&mu_);
  std::vector<InputStatus> out;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const policy::InputSpec& input = policy_->inputs[i];
    for (const policy::RenderResult& copy : inputs_[i].copies) {
      InputStatus status;
      status.id = copy.id;
      status.input_id = input.id;
      for (const policy::ConditionSpec& c : input.conditions) status.conditions.push_back(c.text);
      status.variables = copy.variables;
      if (copy.on) status.config = copy.config;
      status.reason = copy.reason;
      if (copy.on) {
        const InputManager::Outcome outcome =
            copy.instance != nullptr ? manager_->OutcomeOf(*copy.instance)
                                     : InputManager::Outcome{};
        if (!input.supported) {
          status.state = InputStatus::State::kFailed;
          status.reason = absl::StrCat("input type '", input.type, "' is not supported");
        } else if (outcome.state == InputManager::State::kRunning) {
          status.state = InputStatus::State::kRunning;
        } else if (outcome.state == InputManager::State::kWaiting) {
          status.state = InputStatus::State::kWaiting;
          status.reason = std::string(outcome.error.message());
        } else if (outcome.state == InputManager::State::kFailed) {
          status.state = InputStatus::State::kFailed;
          status.reason = outcome.error.ToString();
        } else {
          status.state = InputStatus::State::kStarting;
        }
      } else {
        status.state = copy.failed ? InputStatus::State::kFailed : InputStatus::State::kStopped;
      }
      out.push_back(std::move(status));
    }
  }
  return out;
}

int64_t Controller::evaluations() const {
  absl::MutexLock lock(&mu_);
  return evaluations_;
}

int64_t Controller::rerenders() const {
  absl::MutexLock lock(&mu_);
  return rerenders_;
}

int64_t Controller::pooled_renders() const {
  absl::MutexLock lock(&mu_);
  return pooled_renders_;
}

}  // namespace gatehouse::controller
