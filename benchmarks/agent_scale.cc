#include "benchmarks/agent_scale.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/policy/loader.h"
#include "common/malloc_tuning.h"
#include "common/status_macros.h"

namespace gatehouse::bench {
namespace {

class FakeInput final : public Input {
 public:
  explicit FakeInput(std::shared_ptr<int> live) : live_(std::move(live)) { ++*live_; }
  ~FakeInput() override { --*live_; }
  absl::Status Start() override { return absl::OkStatus(); }
  void Stop() override {}

 private:
  std::shared_ptr<int> live_;
};

// Conditions of the pod inputs after the leader gate (true for most pods, as in a real cluster).
constexpr const char* kPodConditions[] = {
    "${kubernetes.namespace} != 'kube-system'",
    "${kubernetes.labels.app} != 'batch'",
    "${host.platform} == 'linux'",
    "${kubernetes.labels.tier} == 'web' or ${kubernetes.labels.tier} == 'db'",
    "not ${kubernetes.annotations.skip}",
    "${kubernetes.pod.name} != ''",
};

// Pod `i`'s mapping and processors; `round` moves its ip.
void PublishPod(ProviderSink& pods, int i, int round) {
  const std::string name = absl::StrCat("pod-", i);
  Value::Map pod{{"name", Value(name)},
                 {"uid", Value(absl::StrCat("6b1f0c1e-0000-4000-8000-", 100000000000 + i))},
                 {"ip", Value(absl::StrCat("10.", 1 + round % 200, ".", i / 250, ".", i % 250))}};
  Value::Map labels{{"app", Value(absl::StrCat("app-", i % 40))},
                    {"tier", Value(i % 2 == 0 ? "web" : "db")}};
  Value::Map mapping{{"pod", Value(std::move(pod))},
                     {"namespace", Value(i % 10 == 0 ? "kube-system" : "default")},
                     {"labels", Value(std::move(labels))},
                     {"annotations", Value(Value::Map{{"skip", Value(false)}})}};
  Value processors(Value::List{Value(Value::Map{
      {"add_fields",
       Value(Value::Map{{"target", Value("kubernetes")},
                        {"fields", Value(Value::Map{{"pod", Value(name)},
                                                    {"node", Value("node-1")}})}})}})});
  pods.UpsertMapping(name, std::move(mapping), std::move(processors));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Input>> FakeInputFactory::Create(InputContext context) const {
  return std::make_unique<FakeInput>(live_);
}

std::string PodInputsPolicy(int inputs, int conditions) {
  std::string text = "inputs:\n";
  for (int i = 0; i < inputs; ++i) {
    absl::StrAppend(&text, "  - id: pod-metrics-", i, "\n    type: fake\n");
    if (i < conditions) {
      const std::string condition =
          i == 0 ? "${kubernetes_leaderelection.leader} == true"
                 : kPodConditions[(i - 1) % (sizeof(kPodConditions) / sizeof(kPodConditions[0]))];
      absl::StrAppend(&text, "    condition: \"", condition, "\"\n");
    }
    absl::StrAppend(&text,
                    "    data_stream: {namespace: default}\n"
                    "    processors:\n"
                    "      - add_fields: {target: gatehouse, fields: {input: ",
                    i,
                    "}}\n"
                    "    streams:\n"
                    "      - data_stream: {dataset: kubernetes.pod_", i,
                    ", type: metrics}\n"
                    "        metricsets: [pod_",
                    i,
                    "]\n"
                    "        hosts: ['${kubernetes.pod.ip}:10250']\n"
                    "        period: 10s\n"
                    "        add_metadata: true\n"
                    "        labels: '${kubernetes.labels.app}'\n");
  }
  return text;
}

std::string PlainInputsPolicy(int inputs, int leader_readers) {
  std::string text = "inputs:\n";
  for (int i = 0; i < inputs; ++i) {
    absl::StrAppend(&text, "  - id: in-", i, "\n    type: fake\n    condition: \"",
                    i < leader_readers ? "${kubernetes_leaderelection.leader} == true"
                                       : "${host.platform} == 'linux'",
                    "\"\n    period: 10s\n");
  }
  return text;
}

absl::StatusOr<std::unique_ptr<AgentState>> AgentState::Create(const std::string& policy_text,
                                                               int pods, bool leader,
                                                               int render_threads) {
  TuneMallocForEventBursts();  // as `gatehouse run` does at start
  std::unique_ptr<AgentState> state(new AgentState());
  auto factory = std::make_unique<FakeInputFactory>();
  state->factory_ = factory.get();
  RETURN_IF_ERROR(state->registry_.Register(std::move(factory)));
  VariableStore& store = state->store_;
  state->leader_ = store.NewSink("kubernetes_leaderelection", ProviderFactory::Kind::kContext);
  state->host_ = store.NewSink("host", ProviderFactory::Kind::kContext);
  state->pods_ = store.NewSink("kubernetes", ProviderFactory::Kind::kDynamic);
  state->leader_->Publish({{"leader", Value(leader)}});
  state->leader_value_ = leader;
  state->host_->Publish({{"platform", Value("linux")}, {"name", Value("node-1")}});
  for (int i = 0; i < pods; ++i) PublishPod(*state->pods_, i, 0);
  state->pods_count_ = pods;
  store.DrainChanges();

  policy::LoadOptions load;
  load.resolver = &store;
  load.find_provider = [](absl::string_view name) -> std::optional<policy::ProviderInfo> {
    if (name == "kubernetes") return policy::ProviderInfo{true, nullptr};
    if (name == "host" || name == "kubernetes_leaderelection") return policy::ProviderInfo{};
    return std::nullopt;
  };
  const Registry<InputFactory>* registry = &state->registry_;
  load.input_supported = [registry](absl::string_view type) {
    return registry->Find(type) != nullptr;
  };
  ASSIGN_OR_RETURN(policy::Policy policy, policy::LoadPolicyText(policy_text, "bench.yml", load));
  state->manager_ = std::make_unique<controller::InputManager>(&state->registry_);
  controller::ControllerOptions options;
  options.is_dynamic = [](absl::string_view ns) { return ns == "kubernetes"; };
  options.render_threads = render_threads;
  ASSIGN_OR_RETURN(state->controller_,
                   controller::Controller::Create(
                       std::make_shared<const policy::Policy>(std::move(policy)), &store,
                       state->manager_.get(), options));
  state->manager_->WaitIdle();
  return state;
}

AgentState::~AgentState() {
  controller_.reset();
  manager_.reset();
}

std::vector<ChangeSet> AgentState::SetLeader(bool leader) {
  leader_->Publish({{"leader", Value(leader)}});
  leader_value_ = leader;
  return store_.DrainChanges();
}

std::vector<ChangeSet> AgentState::MovePods(int round) {
  for (int i = 0; i < pods_count_; ++i) PublishPod(*pods_, i, round);
  return store_.DrainChanges();
}

std::vector<ChangeSet> AgentState::Everything() {
  ChangeSet change;
  change.everything = true;
  return {change};
}

}  // namespace gatehouse::bench
