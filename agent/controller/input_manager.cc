#include "agent/controller/input_manager.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

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

}  // namespace

InputManager::InputManager(const Registry<InputFactory>* factories, EventPublisher* publisher,
                           InputObserver* observer)
    : factories_(factories),
      publisher_(publisher),
      observer_(observer != nullptr ? observer : DefaultObserver()) {}

InputManager::InputManager(const Registry<InputFactory>* factories, WiringFactory wiring)
    : factories_(factories),
      wiring_(std::move(wiring)),
      publisher_(nullptr),
      observer_(DefaultObserver()) {}

InputManager::~InputManager() { StopAll(); }

void InputManager::StopAll() {
  while (!running_.empty()) StopOne(running_.begin()->first);
}

void InputManager::RetainOnly(const std::set<std::string>& keep) {
  std::vector<std::string> drop;
  for (const auto& [id, unused] : running_) {
    if (keep.count(id) == 0) drop.push_back(id);
  }
  for (const auto& id : drop) StopOne(id);
}

void InputManager::StopOne(const std::string& id_ref) {
  const std::string id = id_ref;  // id_ref may be the key erased below
  auto it = running_.find(id);
  if (it == running_.end()) return;
  it->second.input->Stop();
  running_.erase(it);
  ++stats_.stopped;
  GH_LOG_INFO("input {} stopped", id);
}

std::map<std::string, absl::Status> InputManager::Reconcile(
    const std::map<std::string, DesiredInput>& desired,
    const std::map<std::string, DesiredInput>& previous) {
  std::map<std::string, absl::Status> errors;
  for (const auto& [id, unused] : previous) {
    if (desired.count(id) == 0) StopOne(id);
  }
  for (const auto& [id, want] : desired) {
    auto it = running_.find(id);
    if (it != running_.end()) {
      if (it->second.config == want.config) continue;  // untouched: keeps running
      StopOne(id);
    }
    const InputFactory* factory = factories_->Find(want.type);
    if (factory == nullptr) {
      errors[id] = absl::UnimplementedError(
          absl::StrCat("input type '", want.type, "' is not supported by this build"));
      continue;
    }
    InputContext context;
    context.id = id;
    context.config = want.config;
    context.publisher = publisher_;
    context.observer = observer_;
    std::unique_ptr<EventPublisher> owned_publisher;
    if (wiring_) {
      absl::StatusOr<InstanceWiring> wiring = wiring_(id, want);
      if (!wiring.ok()) {
        errors[id] = wiring.status();
        continue;
      }
      owned_publisher = std::move(wiring->publisher);
      context.publisher = owned_publisher.get();
      if (wiring->observer != nullptr) context.observer = wiring->observer;
    }
    auto input = factory->Create(std::move(context));
    if (!input.ok()) {
      errors[id] = input.status();
      continue;
    }
    if (absl::Status s = (*input)->Start(); !s.ok()) {
      (*input)->Stop();
      errors[id] = s;
      continue;
    }
    running_[id] = Running{want.config, *std::move(input), std::move(owned_publisher)};
    ++stats_.started;
    GH_LOG_INFO("input {} started", id);
  }
  return errors;
}

}  // namespace gatehouse::controller
