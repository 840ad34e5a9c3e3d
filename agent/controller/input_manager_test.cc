#include "agent/controller/input_manager.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::controller {
namespace {

// Records every instance's life, so a test sees exactly what started and stopped.
struct Journal {
  std::vector<std::string> events;  // "start <id> <config json>", "stop <id>"
  int live = 0;
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

}  // namespace
}  // namespace gatehouse::controller
