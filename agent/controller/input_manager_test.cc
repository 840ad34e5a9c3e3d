#include "agent/controller/input_manager.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::controller {
namespace {

// Records every instance's life, so a test sees exactly what started and stopped. Written by
// the manager's worker; a test reads it after InputManager::WaitIdle (which orders the two).
struct Journal {
  std::vector<std::string> events;  // "start <id> <config json>", "stop <id>"
  int live = 0;
  // An instance whose config has `block` waits for this in Start (a slow start); `blocked`
  // says it got there.
  absl::Notification release;
  absl::Notification blocked;
};

class RecordingInput final : public Input {
 public:
  RecordingInput(Journal* journal, InputContext context)
      : journal_(journal), context_(std::move(context)) {
    ++journal_->live;
  }
  ~RecordingInput() override { --journal_->live; }
  absl::Status Start() override {
    if (context_.config.Find("fail") != nullptr) return absl::InternalError("refused to start");
    if (context_.config.Find("hold") != nullptr) return absl::UnavailableError("held");
    if (context_.config.Find("block") != nullptr) {
      journal_->blocked.Notify();
      journal_->release.WaitForNotification();
    }
    journal_->events.push_back("start " + context_.id + " " + context_.config.ToJson());
    return absl::OkStatus();
  }
  void Stop() override { journal_->events.push_back("stop " + context_.id); }

 private:
  Journal* journal_;
  InputContext context_;
};

class RecordingFactory final : public InputFactory {
 public:
  explicit RecordingFactory(Journal* journal) : journal_(journal) {}
  absl::string_view name() const override { return "rec"; }
  absl::string_view description() const override { return "records its life"; }
  const OptionTable& options() const override { return table_; }
  const OptionTable& stream_options() const override { return table_; }
  absl::StatusOr<std::unique_ptr<Input>> Create(InputContext context) const override {
    return std::make_unique<RecordingInput>(journal_, std::move(context));
  }

 private:
  Journal* journal_;
  OptionTable table_;
};

class InputManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(registry_.Register(std::make_unique<RecordingFactory>(&journal_))); }

  // Wants "slow" running with a config whose Start blocks until journal_.release, and returns
  // once the worker is inside that Start.
  std::shared_ptr<DesiredInstance> StartSlowInstance(InputManager& manager) {
    std::shared_ptr<DesiredInstance> slow = manager.Track("slow", "rec");
    {
      InputManager::Batch batch(&manager);
      batch.Want(slow, Value(Value::Map{{"block", Value(true)}}));
    }
    journal_.blocked.WaitForNotification();
    return slow;
  }

  Journal journal_;
  Registry<InputFactory> registry_;
};

Value Config(const std::string& host) {
  return Value(Value::Map{{"hosts", Value(Value::List{Value(host)})}, {"period", Value("10s")}});
}

TEST_F(InputManagerTest, EnsureStartsOnceAndKeepsAnEqualConfigRunning) {
  InputManager manager(&registry_);
  const Value config = Config("10.0.0.1:10250");
  ASSERT_OK(manager.Ensure("a", "rec", config));
  // The same storage, then equal content built again: neither restarts the instance.
  ASSERT_OK(manager.Ensure("a", "rec", config));
  ASSERT_OK(manager.Ensure("a", "rec", Config("10.0.0.1:10250")));
  EXPECT_EQ(journal_.events,
            std::vector<std::string>({R"(start a {"hosts":["10.0.0.1:10250"],"period":"10s"})"}));
  EXPECT_TRUE(manager.IsRunning("a"));
  EXPECT_EQ(manager.stats().started, 1);
}

TEST_F(InputManagerTest, AChangedConfigStopsTheOldInstanceBeforeTheNewOneStarts) {
  InputManager manager(&registry_);
  ASSERT_OK(manager.Ensure("a", "rec", Config("10.0.0.1:10250")));
  ASSERT_OK(manager.Ensure("a", "rec", Config("10.0.0.2:10250")));
  EXPECT_EQ(journal_.events,
            std::vector<std::string>({R"(start a {"hosts":["10.0.0.1:10250"],"period":"10s"})",
                                      "stop a",
                                      R"(start a {"hosts":["10.0.0.2:10250"],"period":"10s"})"}));
  EXPECT_EQ(journal_.live, 1);
}

TEST_F(InputManagerTest, StopIsIdempotentAndLeavesOthersRunning) {
  InputManager manager(&registry_);
  ASSERT_OK(manager.Ensure("a", "rec", Config("x")));
  ASSERT_OK(manager.Ensure("b", "rec", Config("y")));
  manager.Stop("a");
  manager.Stop("a");
  manager.Stop("never-started");
  EXPECT_FALSE(manager.IsRunning("a"));
  EXPECT_TRUE(manager.IsRunning("b"));
  EXPECT_EQ(manager.running_count(), 1u);
  EXPECT_EQ(manager.stats().stopped, 1);
  EXPECT_EQ(journal_.live, 1);
}

TEST_F(InputManagerTest, StartErrorsLeaveTheIdStoppedWithTheReason) {
  InputManager manager(&registry_);
  EXPECT_STATUS(manager.Ensure("u", "nope", Config("x")), absl::StatusCode::kUnimplemented,
                "input type 'nope' is not supported");
  Value failing(Value::Map{{"fail", Value(true)}});
  EXPECT_STATUS(manager.Ensure("f", "rec", failing), absl::StatusCode::kInternal,
                "refused to start");
  EXPECT_FALSE(manager.IsRunning("u"));
  EXPECT_FALSE(manager.IsRunning("f"));
  EXPECT_EQ(journal_.live, 0);  // the failed instance was stopped and destroyed
  // The next Ensure with a config that starts works.
  ASSERT_OK(manager.Ensure("f", "rec", Config("x")));
  EXPECT_TRUE(manager.IsRunning("f"));
}

TEST_F(InputManagerTest, WiringErrorsAreStartErrors) {
  InputManager manager(&registry_, [](const std::string& id, const DesiredInput& input)
                                       -> absl::StatusOr<InputManager::InstanceWiring> {
    if (id == "bad") return absl::FailedPreconditionError("no output named 'missing'");
    EXPECT_EQ(input.type, "rec");
    return InputManager::InstanceWiring{};
  });
  EXPECT_STATUS(manager.Ensure("bad", "rec", Config("x")), absl::StatusCode::kFailedPrecondition,
                "no output named");
  ASSERT_OK(manager.Ensure("good", "rec", Config("x")));
  EXPECT_EQ(manager.running_count(), 1u);
}

TEST_F(InputManagerTest, RetainOnlyAndStopAllStopWhatTheyShould) {
  InputManager manager(&registry_);
  for (const char* id : {"a", "b", "c"}) ASSERT_OK(manager.Ensure(id, "rec", Config(id)));
  manager.RetainOnly({"b"});
  EXPECT_EQ(manager.running_count(), 1u);
  EXPECT_TRUE(manager.IsRunning("b"));
  manager.StopAll();
  EXPECT_EQ(manager.running_count(), 0u);
  EXPECT_EQ(journal_.live, 0);
}

TEST_F(InputManagerTest, ABatchIsActedOnByTheWorkerAndReportsEachOutcome) {
  InputManager manager(&registry_);
  std::shared_ptr<DesiredInstance> a = manager.Track("a", "rec");
  std::shared_ptr<DesiredInstance> failing = manager.Track("f", "rec");
  std::shared_ptr<DesiredInstance> held = manager.Track("h", "rec");
  std::shared_ptr<DesiredInstance> unknown = manager.Track("u", "nope");
  bool actuated = false;
  {
    InputManager::Batch batch(&manager);
    batch.Want(a, Config("x"));
    batch.Want(failing, Value(Value::Map{{"fail", Value(true)}}));
    batch.Want(held, Value(Value::Map{{"hold", Value(true)}}));
    batch.Want(unknown, Config("x"));
    batch.OnActuated([&actuated] { actuated = true; });
  }
  manager.WaitIdle();
  EXPECT_TRUE(actuated);
  EXPECT_TRUE(manager.IsRunning("a"));
  EXPECT_EQ(manager.OutcomeOf(*a).state, InputManager::State::kRunning);
  InputManager::Outcome outcome = manager.OutcomeOf(*failing);
  EXPECT_EQ(outcome.state, InputManager::State::kFailed);
  EXPECT_EQ(outcome.error.message(), "refused to start");
  EXPECT_EQ(manager.OutcomeOf(*held).state, InputManager::State::kWaiting);
  outcome = manager.OutcomeOf(*unknown);
  EXPECT_EQ(outcome.state, InputManager::State::kFailed);
  EXPECT_EQ(outcome.error.message(), "input type 'nope' is not supported by this build");

  // Wanting the same again hands over only what did not start (it is tried again).
  const int started = manager.stats().started;
  journal_.events.clear();
  {
    InputManager::Batch batch(&manager);
    batch.Want(a, Config("x"));  // equal content, new storage: kept by the worker's comparison
    batch.Want(held, Value(Value::Map{{"hold", Value(true)}}));
  }
  manager.WaitIdle();
  EXPECT_EQ(manager.stats().started, started);
  // `a` untouched; `h` tried again (its instance refused to start and was stopped).
  EXPECT_EQ(journal_.events, std::vector<std::string>({"stop h"}));
  EXPECT_EQ(manager.OutcomeOf(*held).state, InputManager::State::kWaiting);
  journal_.events.clear();

  {
    InputManager::Batch batch(&manager);
    batch.Drop(a);
  }
  manager.WaitIdle();
  EXPECT_FALSE(manager.IsRunning("a"));
  EXPECT_EQ(manager.OutcomeOf(*a).state, InputManager::State::kStopped);
  EXPECT_EQ(journal_.events, std::vector<std::string>({"stop a"}));
}

TEST_F(InputManagerTest, ASlowStartHoldsUpNoBatchAndAFlipBackBeforeTheWorkerStartsNothing) {
  InputManager manager(&registry_);
  std::shared_ptr<DesiredInstance> slow = StartSlowInstance(manager);
  std::shared_ptr<DesiredInstance> flip = manager.Track("flip", "rec");
  // Batches still go through while it is: on, then off again.
  {
    InputManager::Batch batch(&manager);
    batch.Want(flip, Config("x"));
  }
  EXPECT_EQ(manager.OutcomeOf(*flip).state, InputManager::State::kPending);
  {
    InputManager::Batch batch(&manager);
    batch.Drop(flip);
  }
  journal_.release.Notify();
  manager.WaitIdle();
  EXPECT_TRUE(manager.IsRunning("slow"));
  EXPECT_FALSE(manager.IsRunning("flip"));
  EXPECT_EQ(journal_.events, std::vector<std::string>({R"(start slow {"block":true})"}));
  EXPECT_EQ(manager.stats().started, 1);
}

TEST_F(InputManagerTest, StopAllWaitsForTheWorkersStartAndLeavesNothingRunning) {
  InputManager manager(&registry_);
  std::shared_ptr<DesiredInstance> slow = StartSlowInstance(manager);
  std::shared_ptr<DesiredInstance> pending = manager.Track("pending", "rec");
  {
    InputManager::Batch batch(&manager);
    batch.Want(pending, Config("x"));  // dropped by StopAll, or started and then stopped by it
  }
  std::thread release([this] { journal_.release.Notify(); });
  manager.StopAll();
  release.join();
  // Nothing the worker had, or was about to start, survives StopAll.
  EXPECT_EQ(manager.running_count(), 0u);
  EXPECT_EQ(journal_.live, 0);
}

}  // namespace
}  // namespace gatehouse::controller
