#include "agent/controller/controller.h"

#include <memory>
#include <string>

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

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(registry_.Register(std::make_unique<FakeInputFactory>(&counts_)));
    leader_ = store_.NewSink("kubernetes_leaderelection", ProviderFactory::Kind::kContext);
    host_ = store_.NewSink("host", ProviderFactory::Kind::kContext);
    pods_ = store_.NewSink("pods", ProviderFactory::Kind::kDynamic);
    leader_->Publish({{"leader", Value(false)}});
    host_->Publish({{"platform", Value("linux")}, {"name", Value("n1")}});
    policy::LoadOptions options;
    options.resolver = &store_;
    options.find_provider = [](absl::string_view name) {
      return std::optional<policy::ProviderInfo>(policy::ProviderInfo{name == "pods", nullptr});
    };
    options.input_supported = [this](absl::string_view type) {
      return registry_.Find(type) != nullptr;
    };
    auto loaded = policy::LoadPolicyText(kPolicy, "c.yml", options);
    ASSERT_OK(loaded);
    policy_ = std::make_shared<const policy::Policy>(*std::move(loaded));
    manager_ = std::make_unique<InputManager>(&registry_);
    ControllerOptions controller_options;
    controller_options.is_dynamic = [](absl::string_view ns) { return ns == "pods"; };
    auto controller = Controller::Create(policy_, &store_, manager_.get(), controller_options);
    ASSERT_OK(controller);
    controller_ = *std::move(controller);
    store_.DrainChanges();
    manager_->WaitIdle();  // the manager's worker starts what the controller wants
  }

  void ApplyPending() {
    controller_->Apply(store_.DrainChanges());
    manager_->WaitIdle();
  }

  FakeInputs counts_;
  Registry<InputFactory> registry_;
  VariableStore store_;
  std::unique_ptr<ProviderSink> leader_, host_, pods_;
  std::shared_ptr<const policy::Policy> policy_;
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

}  // namespace
}  // namespace gatehouse::controller
