#include "agent/controller/controller.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/policy/loader.h"
#include "agent/store/variable_store.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::controller {
namespace {

// Counts instances that are alive, so a test sees exactly what started and stopped.
struct FakeInputs {
  int live = 0;
  int created = 0;
};

class FakeInput final : public Input {
 public:
  explicit FakeInput(FakeInputs* counts) : counts_(counts) { ++counts_->live; }
  ~FakeInput() override { --counts_->live; }
  absl::Status Start() override { return absl::OkStatus(); }
  void Stop() override {}

 private:
  FakeInputs* counts_;
};

class FakeInputFactory final : public InputFactory {
 public:
  explicit FakeInputFactory(FakeInputs* counts) : counts_(counts) {}
  absl::string_view name() const override { return "fake"; }
  absl::string_view description() const override { return "counts instances"; }
  const OptionTable& options() const override { return table_; }
  const OptionTable& stream_options() const override { return table_; }
  absl::StatusOr<std::unique_ptr<Input>> Create(InputContext context) const override {
    ++counts_->created;
    return std::make_unique<FakeInput>(counts_);
  }

 private:
  FakeInputs* counts_;
  OptionTable table_;
};

constexpr char kPolicy[] = R"(
inputs:
  - id: cluster
    type: fake
    streams:
      - {name: state, condition: '${kubernetes_leaderelection.leader} == true'}
  - id: windows-only
    type: fake
    condition: ${host.platform} == 'windows'
  - id: node
    type: fake
    hosts: ['${host.name}:10250']
  - id: pods
    type: fake
    paths: ['/var/log/${pods.name}.log']
)";

// The store with leader, host and pods sinks, and policies loaded over it.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUpStore() {
    ASSERT_OK(registry_.Register(std::make_unique<FakeInputFactory>(&counts_)));
    leader_ = store_.NewSink("kubernetes_leaderelection", ProviderFactory::Kind::kContext);
    host_ = store_.NewSink("host", ProviderFactory::Kind::kContext);
    pods_ = store_.NewSink("pods", ProviderFactory::Kind::kDynamic);
    leader_->Publish({{"leader", Value(false)}});
  }

  void Load(const char* text) {
    policy::LoadOptions options;
    options.resolver = &store_;
    options.find_provider = [](absl::string_view name) {
      return std::optional<policy::ProviderInfo>(policy::ProviderInfo{name == "pods", nullptr});
    };
    options.input_supported = [this](absl::string_view type) {
      return registry_.Find(type) != nullptr;
    };
    auto loaded = policy::LoadPolicyText(text, "c.yml", options);
    ASSERT_OK(loaded);
    policy_ = std::make_shared<const policy::Policy>(*std::move(loaded));
  }

  static ControllerOptions PodsAreDynamic() {
    ControllerOptions options;
    options.is_dynamic = [](absl::string_view ns) { return ns == "pods"; };
    return options;
  }

  FakeInputs counts_;
  Registry<InputFactory> registry_;
  VariableStore store_;
  std::unique_ptr<ProviderSink> leader_, host_, pods_;
  std::shared_ptr<const policy::Policy> policy_;
};

class ControllerTest : public StoreFixture {
 protected:
  void SetUp() override {
    SetUpStore();
    host_->Publish({{"platform", Value("linux")}, {"name", Value("n1")}});
    Load(kPolicy);
    manager_ = std::make_unique<InputManager>(&registry_);
    auto controller = Controller::Create(policy_, &store_, manager_.get(), PodsAreDynamic());
    ASSERT_OK(controller);
    controller_ = *std::move(controller);
    store_.DrainChanges();
    manager_->WaitIdle();  // the manager's worker starts what the controller wants
  }

  void ApplyPending() {
    controller_->Apply(store_.DrainChanges());
    manager_->WaitIdle();
  }

  std::unique_ptr<InputManager> manager_;
  std::unique_ptr<Controller> controller_;
};

TEST_F(ControllerTest, StartsWhatIsOnAndReportsWhyTheRestIsOff) {
  // cluster (its only stream is gated off → input dropped), windows-only off, node on,
  // pods: no mappings yet.
  EXPECT_EQ(counts_.live, 1);
  EXPECT_TRUE(manager_->IsRunning("node"));
  const std::vector<InputStatus> statuses = controller_->Statuses();
  ASSERT_EQ(statuses.size(), 4u);
  EXPECT_EQ(statuses[0].id, "cluster");
  EXPECT_EQ(statuses[0].state, InputStatus::State::kStopped);
  EXPECT_EQ(statuses[0].reason,
            "the conditions of all its streams are false: "
            "'${kubernetes_leaderelection.leader} == true'");
  EXPECT_EQ(statuses[0].variables.at(0).first, "kubernetes_leaderelection.leader");
  EXPECT_EQ(statuses[1].reason, "condition '${host.platform} == 'windows'' is false");
  EXPECT_EQ(statuses[2].state, InputStatus::State::kRunning);
  EXPECT_EQ(statuses[3].reason, "dynamic provider 'pods' has no mappings");
}

TEST_F(ControllerTest, LeaderFlipReEvaluatesOnlyItsDependentsAndStartsExactlyOneInstance) {
  const int64_t evaluations = controller_->evaluations();
  const int created = counts_.created;
  leader_->Publish({{"leader", Value(true)}});
  ApplyPending();
  EXPECT_EQ(controller_->evaluations() - evaluations, 1);  // only the cluster stream condition
  EXPECT_EQ(controller_->rerenders(), 1);
  EXPECT_EQ(counts_.created - created, 1);
  EXPECT_TRUE(manager_->IsRunning("cluster"));
  EXPECT_TRUE(manager_->IsRunning("node"));
  EXPECT_EQ(counts_.live, 2);

  leader_->Publish({{"leader", Value(false)}});
  ApplyPending();
  EXPECT_FALSE(manager_->IsRunning("cluster"));
  EXPECT_TRUE(manager_->IsRunning("node"));
  EXPECT_EQ(counts_.live, 1);
  EXPECT_EQ(counts_.created - created, 1);  // node never restarted
}

TEST_F(ControllerTest, ChangedRenderedConfigRebuildsOnlyThatInstance) {
  const int created = counts_.created;
  host_->Publish({{"platform", Value("linux")}, {"name", Value("n2")}});
  ApplyPending();
  EXPECT_EQ(counts_.created - created, 1);  // node rebuilt with the new host name
  EXPECT_EQ(counts_.live, 1);
  EXPECT_EQ(controller_->rerenders(), 1);  // only host.name changed: windows-only untouched
}

TEST_F(ControllerTest, DynamicMappingsMakeCopies) {
  pods_->UpsertMapping("a", {{"name", Value("web")}}, Value());
  pods_->UpsertMapping("b", {{"name", Value("db")}}, Value());
  ApplyPending();
  EXPECT_TRUE(manager_->IsRunning("pods-pods-a"));
  EXPECT_TRUE(manager_->IsRunning("pods-pods-b"));
  pods_->RemoveMapping("a");
  ApplyPending();
  EXPECT_FALSE(manager_->IsRunning("pods-pods-a"));
  EXPECT_TRUE(manager_->IsRunning("pods-pods-b"));
  EXPECT_EQ(counts_.live, 2);  // node + pods-pods-b
}

// Copies over a dynamic provider (with conditions, duplicates, failures, processors), a gate
// group and a plain input: what rendering on two threads must give exactly as one does.
constexpr char kThreadsPolicy[] = R"(
inputs:
  - id: gate-a
    type: fake
    condition: ${kubernetes_leaderelection.leader} == true
    period: 10s
  - id: gate-b
    type: fake
    condition: ${kubernetes_leaderelection.leader} == true
    period: 20s
  - id: pod-metrics
    type: fake
    condition: ${pods.labels.tier} == 'web' or ${pods.labels.tier} == 'db'
    hosts: ['${pods.ip}:10250']
    processors:
      - add_fields: {target: input, fields: {name: pod-metrics}}
    streams:
      - {metricsets: [state], condition: '${kubernetes_leaderelection.leader} == true'}
      - {metricsets: [pod], labels: '${pods.labels.app}'}
  - id: same-for-every-pod
    type: fake
    condition: ${pods.labels.tier} != 'batch'
    period: 10s
  - id: pod-owner
    type: fake
    owner: '${pods.owner}'
  - id: node
    type: fake
    hosts: ['${host.name}:10250']
)";

std::vector<ChangeSet> Everything() {
  ChangeSet change;
  change.everything = true;
  return {change};
}

class ControllerThreadsTest : public StoreFixture {
 protected:
  void SetUp() override {
    SetUpStore();
    host_->Publish({{"name", Value("n1")}});
    for (int i = 0; i < 40; ++i) UpsertPod(i, i % 3 == 0 ? "web" : i % 3 == 1 ? "db" : "batch");
    Load(kThreadsPolicy);
    for (int threads : {1, 2}) {
      managers_.push_back(std::make_unique<InputManager>(&registry_));
      ControllerOptions controller_options = PodsAreDynamic();
      controller_options.render_threads = threads;
      controller_options.parallel_min_copies = 0;  // every Apply with two inputs or more
      auto controller =
          Controller::Create(policy_, &store_, managers_.back().get(), controller_options);
      ASSERT_OK(controller);
      controllers_.push_back(*std::move(controller));
    }
    store_.DrainChanges();
  }

  void UpsertPod(int i, absl::string_view tier) {
    Value::Map pod{{"name", Value(absl::StrCat("pod-", i))},
                   {"ip", Value(absl::StrCat("10.0.0.", i))},
                   {"labels", Value(Value::Map{{"tier", Value(tier)},
                                               {"app", Value(absl::StrCat("app-", i % 4))}})}};
    if (i % 5 != 0) pod.emplace("owner", Value(absl::StrCat("rs-", i % 7)));
    // Odd pods have no processors: their copies of same-for-every-pod are duplicates.
    Value processors;
    if (i % 2 == 0) {
      processors = Value(Value::List{Value(Value::Map{
          {"add_fields", Value(Value::Map{{"target", Value("pod")},
                                          {"fields", Value(Value::Map{{"n", Value(i)}})}})}})});
    }
    pods_->UpsertMapping(absl::StrCat("pod-", i), std::move(pod), std::move(processors));
  }

  // Both controllers apply the same change sets; what they want must be the same.
  void ApplyToBoth(const std::vector<ChangeSet>& changes) {
    for (auto& controller : controllers_) controller->Apply(changes);
  }

  static std::string Describe(const std::vector<InputStatus>& statuses) {
    std::string out;
    for (const InputStatus& s : statuses) {
      absl::StrAppend(&out, s.id, " (", s.input_id, ") ", StateName(s.state), " '", s.reason,
                      "' ", s.config.ToJson());
      for (const auto& [path, value] : s.variables) {
        absl::StrAppend(&out, " ", path, "=", value.ToJson());
      }
      out += "\n";
    }
    return out;
  }

  void ExpectSameOutcome(absl::string_view step) {
    SCOPED_TRACE(step);
    for (auto& manager : managers_) manager->WaitIdle();
    const std::string one = Describe(controllers_[0]->Statuses());
    EXPECT_EQ(one, Describe(controllers_[1]->Statuses()));
    EXPECT_EQ(controllers_[0]->evaluations(), controllers_[1]->evaluations());
    EXPECT_EQ(controllers_[0]->rerenders(), controllers_[1]->rerenders());
    EXPECT_EQ(managers_[0]->running_count(), managers_[1]->running_count());
    EXPECT_EQ(controllers_[0]->pooled_renders(), 0);
  }

  std::vector<std::unique_ptr<InputManager>> managers_;
  std::vector<std::unique_ptr<Controller>> controllers_;
};

TEST_F(ControllerThreadsTest, TwoThreadsRenderExactlyWhatOneDoes) {
  ExpectSameOutcome("created");
  EXPECT_EQ(controllers_[0]->render_threads(), 1);
  EXPECT_EQ(controllers_[1]->render_threads(), 2);
  // Create rendered the four inputs outside the gate group on the pool.
  EXPECT_EQ(controllers_[1]->pooled_renders(), 4);
  const std::string created = Describe(controllers_[0]->Statuses());
  EXPECT_NE(created.find("pod-metrics-pods-pod-0 (pod-metrics) running"), std::string::npos)
      << created;
  EXPECT_NE(created.find("stopped 'no value for ${pods.owner}"), std::string::npos) << created;
  // One copy of same-for-every-pod for all the odd pods (duplicates are kept once).
  EXPECT_NE(created.find("same-for-every-pod-pods-pod-1 "), std::string::npos) << created;
  EXPECT_EQ(created.find("same-for-every-pod-pods-pod-3 "), std::string::npos) << created;

  leader_->Publish({{"leader", Value(true)}});
  ApplyToBoth(store_.DrainChanges());
  ExpectSameOutcome("leader on");

  for (int i = 0; i < 40; i += 3) UpsertPod(i, "db");  // configs change, duplicates stay
  for (int i = 1; i < 40; i += 7) pods_->RemoveMapping(absl::StrCat("pod-", i));
  for (int i = 40; i < 50; ++i) UpsertPod(i, "web");
  ApplyToBoth(store_.DrainChanges());
  ExpectSameOutcome("pods changed");

  host_->Publish({{"name", Value("n2")}});
  ApplyToBoth(store_.DrainChanges());
  ExpectSameOutcome("host changed");

  ApplyToBoth(Everything());
  ExpectSameOutcome("everything");

  leader_->Publish({{"leader", Value(false)}});
  ApplyToBoth(store_.DrainChanges());
  ExpectSameOutcome("leader off");
  EXPECT_GT(controllers_[1]->pooled_renders(), 4);
}

TEST_F(ControllerThreadsTest, SmallApplyStaysOnTheCallersThread) {
  ControllerOptions options = PodsAreDynamic();
  options.render_threads = 2;  // parallel_min_copies stays at its default
  InputManager manager(&registry_);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Controller> controller,
                       Controller::Create(policy_, &store_, &manager, options));
  // 4 inputs outside the gate group, 40 pods: 1 + 40 + 40 + 40 copies < 256.
  EXPECT_EQ(controller->pooled_renders(), 0);
  controller->Apply(Everything());
  EXPECT_EQ(controller->pooled_renders(), 0);
  manager.WaitIdle();
}

TEST_F(ControllerThreadsTest, ThreadsComeFromOptionsThenPolicyThenTheDefault) {
  InputManager manager(&registry_);
  auto threads = [&](int option, int setting) {
    policy::Policy policy = *policy_;
    policy.render_threads = setting;
    ControllerOptions options;
    options.render_threads = option;
    auto controller = Controller::Create(std::make_shared<const policy::Policy>(policy), &store_,
                                         &manager, options);
    EXPECT_OK(controller);
    return (*controller)->render_threads();
  };
  EXPECT_EQ(threads(3, 1), 3);
  EXPECT_EQ(threads(0, 1), 1);
  EXPECT_EQ(threads(0, 4), 4);
  EXPECT_EQ(threads(0, 0), WorkerPool::ThreadsFor(0, 2));
  manager.WaitIdle();
}

}  // namespace
}  // namespace gatehouse::controller
