#include "agent/controller/input_manager.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status_macros.h"

namespace gatehouse::controller {
namespace {

// Used when the agent gives no observer: collections are only logged at debug level.
class NullObserver final : public InputObserver {
 public:
  void CollectionSucceeded(absl::string_view, int64_t) override {}
  void CollectionFailed(absl::string_view stream, const absl::Status& error) override {
    GH_LOG_DEBUG("input stream {} failed: {}", std::string(stream), error.ToString());
  }
};

NullObserver* DefaultObserver() {
  static NullObserver* const observer = new NullObserver();
  return observer;
}

Gauge* InputsRunning() {
  static Gauge* const gauge =
      MetricsRegistry::Global().GetGauge("gatehouse_inputs_running", "Input instances running");
  return gauge;
}

}  // namespace

InputManager::InputManager(const Registry<InputFactory>* factories, EventPublisher* publisher,
                           InputObserver* observer)
    : factories_(factories),
      publisher_(publisher),
      observer_(observer != nullptr ? observer : DefaultObserver()),
      worker_([this] { WorkerLoop(); }) {}

InputManager::InputManager(const Registry<InputFactory>* factories, WiringFactory wiring)
    : factories_(factories),
      wiring_(std::move(wiring)),
      publisher_(nullptr),
      observer_(DefaultObserver()),
      worker_([this] { WorkerLoop(); }) {}

InputManager::~InputManager() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  worker_.join();
  StopAll();
}

std::shared_ptr<DesiredInstance> InputManager::Track(std::string id, std::string type) {
  return std::make_shared<DesiredInstance>(this, std::move(id), std::move(type));
}

InputManager::Batch::Batch(InputManager* manager) : manager_(manager) { manager_->mu_.Lock(); }

InputManager::Batch::~Batch() {
  manager_->mu_.Unlock();  // the worker waits on a condition over `dirty_` and `done_`
}

void InputManager::MarkDirty(const std::shared_ptr<DesiredInstance>& desired) {
  desired->manager_->mu_.AssertHeld();
  if (desired->dirty_) return;
  desired->dirty_ = true;
  dirty_.push_back(desired);
}

void InputManager::Batch::Want(const std::shared_ptr<DesiredInstance>& desired, const Value& config) {
  DesiredInstance& d = *desired;
  manager_->mu_.AssertHeld();  // this batch holds it (and `d` is this manager's)
  d.manager_->mu_.AssertHeld();
  if (d.run_ && d.config_.Identical(config)) {
    // Already wanted so: hand it over again only to retry a start that did not happen.
    const State state = d.outcome_.state;
    if (d.dirty_ || state == State::kRunning || state == State::kPending) return;
  }
  d.run_ = true;
  if (!d.config_.Identical(config)) d.config_ = config;
  manager_->MarkDirty(desired);
}

void InputManager::Batch::Drop(const std::shared_ptr<DesiredInstance>& desired) {
  DesiredInstance& d = *desired;
  manager_->mu_.AssertHeld();
  d.manager_->mu_.AssertHeld();
  if (!d.run_ && (d.dirty_ || d.outcome_.state == State::kStopped ||
                  d.outcome_.state == State::kPending)) {
    return;
  }
  d.run_ = false;
  manager_->MarkDirty(desired);
}

void InputManager::Batch::OnActuated(std::function<void()> done) {
  manager_->mu_.AssertHeld();
  manager_->done_.push_back(std::move(done));
}

InputManager::Outcome InputManager::OutcomeOf(const DesiredInstance& desired) const {
  absl::MutexLock lock(&mu_);
  desired.manager_->mu_.AssertHeld();
  if (desired.dirty_) return Outcome{};  // a newer want is not acted on yet
  return desired.outcome_;
}

void InputManager::WaitIdle() {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return dirty_.empty() && done_.empty() && !worker_busy_;
  };
  mu_.Await(absl::Condition(&idle));
}

void InputManager::WorkerLoop() {
  // The wants' lock is taken a chunk at a time, so a reconcile waits at most one chunk for it.
  constexpr size_t kChunk = 256;
  std::vector<std::shared_ptr<DesiredInstance>> taken;
  std::vector<std::function<void()>> done;
  std::vector<Intent> intents;
  std::vector<Outcome> outcomes;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      worker_busy_ = false;
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !dirty_.empty() || !done_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      worker_busy_ = true;
      taken.swap(dirty_);
      done.swap(done_);
    }
    for (size_t begin = 0; begin < taken.size(); begin += kChunk) {
      const size_t end = std::min(taken.size(), begin + kChunk);
      intents.clear();
      {
        // Each want as it is now: a want changed since it was handed over is read as it last is.
        absl::MutexLock lock(&mu_);
        for (size_t i = begin; i < end; ++i) {
          DesiredInstance& desired = *taken[i];
          desired.manager_->mu_.AssertHeld();
          desired.dirty_ = false;
          intents.push_back(
              Intent{std::move(taken[i]), desired.run_, desired.run_ ? desired.config_ : Value()});
        }
      }
      // Act outside the wants' lock: a slow Start or Stop does not hold up the next batch.
      outcomes.assign(intents.size(), Outcome{});
      {
        absl::MutexLock lock(&actuate_mu_);
        for (size_t i = 0; i < intents.size(); ++i) {
          const Intent& intent = intents[i];
          const std::string& id = intent.desired->id();
          if (!intent.run) {
            StopLocked(id);
            outcomes[i].state = State::kStopped;
            continue;
          }
          absl::Status started = EnsureLocked(id, intent.desired->type(), intent.config);
          if (started.ok()) {
            outcomes[i].state = State::kRunning;
          } else {
            outcomes[i].state = absl::IsUnavailable(started) ? State::kWaiting : State::kFailed;
            outcomes[i].error = std::move(started);
          }
        }
      }
      absl::MutexLock lock(&mu_);
      for (size_t i = 0; i < intents.size(); ++i) {
        DesiredInstance& desired = *intents[i].desired;
        desired.manager_->mu_.AssertHeld();
        desired.outcome_ = std::move(outcomes[i]);
      }
    }
    taken.clear();
    intents.clear();
    InputsRunning()->Set(static_cast<double>(running_count()));
    for (std::function<void()>& f : done) f();
    done.clear();
  }
}

void InputManager::StopAll() {
  {
    absl::MutexLock lock(&mu_);
    for (const std::shared_ptr<DesiredInstance>& desired : dirty_) {  // dropped: nothing will run
      desired->manager_->mu_.AssertHeld();
      desired->dirty_ = false;
      desired->run_ = false;
      desired->outcome_ = Outcome{State::kStopped, absl::OkStatus()};
    }
    dirty_.clear();
    auto worker_idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !worker_busy_ || stopping_;
    };
    mu_.Await(absl::Condition(&worker_idle));
  }
  absl::MutexLock lock(&actuate_mu_);
  while (!running_.empty()) StopLocked(running_.begin()->first);
  InputsRunning()->Set(0);
}

void InputManager::RetainOnly(const std::set<std::string>& keep) {
  WaitIdle();
  absl::MutexLock lock(&actuate_mu_);
  std::vector<std::string> drop;
  for (const auto& [id, unused] : running_) {
    if (keep.count(id) == 0) drop.push_back(id);
  }
  for (const auto& id : drop) StopLocked(id);
  InputsRunning()->Set(static_cast<double>(running_count()));
}

void InputManager::Stop(const std::string& id) {
  absl::MutexLock lock(&actuate_mu_);
  StopLocked(id);
}

absl::Status InputManager::Ensure(const std::string& id, absl::string_view type,
                                  const Value& config) {
  absl::MutexLock lock(&actuate_mu_);
  return EnsureLocked(id, type, config);
}

bool InputManager::IsRunning(const std::string& id) const {
  absl::MutexLock lock(&actuate_mu_);
  return running_.contains(id);
}

InputManager::Stats InputManager::stats() const {
  absl::MutexLock lock(&actuate_mu_);
  return stats_;
}

void InputManager::StopLocked(const std::string& id_ref) {
  const std::string id = id_ref;  // id_ref may be the key erased below
  auto it = running_.find(id);
  if (it == running_.end()) return;
  it->second.input->Stop();
  running_.erase(it);
  running_count_.store(running_.size(), std::memory_order_relaxed);
  ++stats_.stopped;
  if (gate_ != nullptr) gate_->Stopped(id);
  GH_LOG_INFO("input {} stopped", id);
}

absl::Status InputManager::EnsureLocked(const std::string& id, absl::string_view type,
                                        const Value& config) {
  auto it = running_.find(id);
  if (it != running_.end()) {
    if (it->second.config.Identical(config) || it->second.config == config) {
      return absl::OkStatus();  // untouched: keeps running
    }
    StopLocked(id);
  }
  if (gate_ != nullptr) RETURN_IF_ERROR(gate_->MayStart(id));
  const InputFactory* factory = factories_->Find(type);
  if (factory == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("input type '", type, "' is not supported by this build"));
  }
  InputContext context;
  context.id = id;
  context.config = config;
  context.publisher = publisher_;
  context.observer = observer_;
  std::unique_ptr<EventPublisher> owned_publisher;
  if (wiring_) {
    ASSIGN_OR_RETURN(InstanceWiring wiring,
                     wiring_(id, DesiredInput{std::string(type), config}));
    owned_publisher = std::move(wiring.publisher);
    context.publisher = owned_publisher.get();
    if (wiring.observer != nullptr) context.observer = wiring.observer;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Input> input, factory->Create(std::move(context)));
  if (absl::Status s = input->Start(); !s.ok()) {
    input->Stop();
    return s;
  }
  running_.emplace(id, Running{config, std::move(input), std::move(owned_publisher)});
  running_count_.store(running_.size(), std::memory_order_relaxed);
  ++stats_.started;
  if (gate_ != nullptr) gate_->Started(id);
  GH_LOG_INFO("input {} started", id);
  return absl::OkStatus();
}

}  // namespace gatehouse::controller
