#include "agent/controller/input_manager.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
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
  while (!running_.empty()) Stop(running_.begin()->first);
}

void InputManager::RetainOnly(const std::set<std::string>& keep) {
  std::vector<std::string> drop;
  for (const auto& [id, unused] : running_) {
    if (keep.count(id) == 0) drop.push_back(id);
  }
  for (const auto& id : drop) Stop(id);
}

void InputManager::Stop(const std::string& id_ref) {
  const std::string id = id_ref;  // id_ref may be the key erased below
  auto it = running_.find(id);
  if (it == running_.end()) return;
  it->second.input->Stop();
  running_.erase(it);
  ++stats_.stopped;
  if (gate_ != nullptr) gate_->Stopped(id);
  GH_LOG_INFO("input {} stopped", id);
}

absl::Status InputManager::Ensure(const std::string& id, absl::string_view type,
                                  const Value& config) {
  auto it = running_.find(id);
  if (it != running_.end()) {
    if (it->second.config.Identical(config) || it->second.config == config) {
      return absl::OkStatus();  // untouched: keeps running
    }
    Stop(id);
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
  ++stats_.started;
  if (gate_ != nullptr) gate_->Started(id);
  GH_LOG_INFO("input {} started", id);
  return absl::OkStatus();
}

}  // namespace gatehouse::controller
