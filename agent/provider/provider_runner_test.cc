#include "agent/provider/provider_runner.h"

#include "absl/synchronization/mutex.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

// What the test provider does, set by each test. Thread-safe.
class FlakyControl {
 public:
  static FlakyControl& Get() {
    static auto* const control = new FlakyControl();
    return *control;
  }
  void Reset(int fail_starts) {
    absl::MutexLock lock(&mu_);
    fail_starts_ = fail_starts;
    starts_ = 0;
    stops_ = 0;
    sink_ = nullptr;
  }
  absl::Status OnStart(ProviderSink* sink) {
    absl::MutexLock lock(&mu_);
    ++starts_;
    if (fail_starts_ > 0) {
      --fail_starts_;
      return absl::UnavailableError(absl::StrCat("start attempt ", starts_, " failed"));
    }
    sink_ = sink;
    sink->Publish(Value::Map{{"starts", starts_}});
    return absl::OkStatus();
  }
  void OnStop() {
    absl::MutexLock lock(&mu_);
    ++stops_;
  }
  bool AwaitStarts(int count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return starts_ >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(10));
  }
  int stops() {
    absl::MutexLock lock(&mu_);
    return stops_;
  }
  ProviderSink* sink() {
    absl::MutexLock lock(&mu_);
    return sink_;
  }

 private:
  absl::Mutex mu_;
  int fail_starts_ ABSL_GUARDED_BY(mu_) = 0;
  int starts_ ABSL_GUARDED_BY(mu_) = 0;
  int stops_ ABSL_GUARDED_BY(mu_) = 0;
  ProviderSink* sink_ ABSL_GUARDED_BY(mu_) = nullptr;
};

class FlakyProvider final : public Provider {
 public:
  absl::Status Start(ProviderSink* sink) override { return FlakyControl::Get().OnStart(sink); }
  void Stop() override { FlakyControl::Get().OnStop(); }
};

class FlakyProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "test_flaky"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override { return "Fails as told."; }
  const OptionTable& options() const override {
    static const auto* const table =
        new OptionTable{{"level", OptionType::kInt, Value(1), "Anything."}};
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    return std::make_unique<FlakyProvider>();
  }
};
GATEHOUSE_REGISTER_FACTORY(ProviderFactory, FlakyProviderFactory);

class StaticProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "test_static"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override { return "Publishes its options."; }
  const OptionTable& options() const override {
    static const auto* const table =
        new OptionTable{{"value", OptionType::kString, Value("default"), "Published."}};
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    class P final : public Provider {
     public:
      explicit P(Value v) : v_(std::move(v)) {}
      absl::Status Start(ProviderSink* sink) override {
        sink->Publish(Value::Map{{"value", v_}});
        return absl::OkStatus();
      }
      void Stop() override {}

     private:
      Value v_;
    };
    return std::make_unique<P>(*options.Find("value"));
  }
};
GATEHOUSE_REGISTER_FACTORY(ProviderFactory, StaticProviderFactory);

TEST(SelectProvidersTest, ConfiguredEnabledAndReferenced) {
  Value section(Value::Map{
      {"test_static", Value(Value::Map{{"value", "x"}})},
      {"test_flaky", Value(Value::Map{{"enabled", false}})},
      {"kubernetes", Value(Value::Map{{"node", "n"}})},  // no such provider in this build
  });
  ASSERT_OK_AND_ASSIGN(ProviderSelection selection,
                       SelectProviders(section, {"test_flaky", "nosuch", "test_static"}));
  ASSERT_EQ(selection.run.size(), 1u);
  EXPECT_EQ(selection.run[0].name, "test_static");
  EXPECT_EQ(selection.run[0].options, Value(Value::Map{{"value", "x"}}));
  EXPECT_EQ(selection.unknown, std::vector<std::string>{"kubernetes"});

  ASSERT_OK_AND_ASSIGN(ProviderSelection referenced_only, SelectProviders(Value(), {"test_flaky"}));
  ASSERT_EQ(referenced_only.run.size(), 1u);
  EXPECT_EQ(referenced_only.run[0].name, "test_flaky");
}

TEST(SelectProvidersTest, BadSectionsAreNamed) {
  EXPECT_STATUS(SelectProviders(Value(Value::Map{{"test_static", 3}}), {}),
                absl::StatusCode::kInvalidArgument, "provider 'test_static'");
  EXPECT_STATUS(
      SelectProviders(Value(Value::Map{{"test_static", Value(Value::Map{{"enabled", "no"}})}}), {}),
      absl::StatusCode::kInvalidArgument, "'enabled' must be a bool");
}

TEST(ProviderRunnerTest, CreateRejectsUnknownProvidersAndBadOptions) {
  VariableStore store;
  EXPECT_STATUS(ProviderRunner::Create(&store, {{"nosuch", Value()}}, ProviderContext{}),
                absl::StatusCode::kNotFound, "unknown provider 'nosuch'");
  EXPECT_STATUS(ProviderRunner::Create(&store, {{"test_static", Value(Value::Map{{"vlue", 1}})}},
                                       ProviderContext{}),
                absl::StatusCode::kInvalidArgument, "provider 'test_static': unknown option 'vlue'");
}

TEST(ProviderRunnerTest, RunsProvidersIntoTheStore) {
  FlakyControl::Get().Reset(0);
  VariableStore store;
  const Slot value = store.Intern("test_static.value");
  FakeClock clock;
  ProviderContext context;
  context.clock = &clock;
  ASSERT_OK_AND_ASSIGN(auto runner, ProviderRunner::Create(&store, {{"test_static", Value()}},
                                                           context));
  ASSERT_OK(runner->Start());
  EXPECT_EQ(*store.Snapshot()->Read(value), Value("default"));
  auto states = runner->States();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].phase, ProviderState::Phase::kRunning);
  EXPECT_STATUS(runner->Start(), absl::StatusCode::kFailedPrecondition, "already started");
  runner->Stop();
  runner->Stop();
  EXPECT_EQ(runner->States()[0].phase, ProviderState::Phase::kStopped);
}

TEST(ProviderRunnerTest, FailedStartIsRetriedWithExponentialBackoff) {
  FlakyControl::Get().Reset(/*fail_starts=*/2);
  VariableStore store;
  FakeClock clock;
  ProviderContext context;
  context.clock = &clock;
  ProviderRunnerOptions options;
  options.initial_backoff = absl::Seconds(1);
  ASSERT_OK_AND_ASSIGN(auto runner,
                       ProviderRunner::Create(&store, {{"test_flaky", Value()}}, context, options));
  const absl::Time t0 = clock.MonotonicNow();
  ASSERT_OK(runner->Start());
  auto state = runner->States()[0];
  EXPECT_EQ(state.phase, ProviderState::Phase::kFailed);
  EXPECT_STATUS(state.last_error, absl::StatusCode::kUnavailable, "start attempt 1 failed");
  EXPECT_EQ(state.next_restart, t0 + absl::Seconds(1));

  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(FlakyControl::Get().AwaitStarts(2));
  ASSERT_TRUE(clock.AwaitSleepers(1));  // back asleep: the second attempt failed too
  state = runner->States()[0];
  EXPECT_STATUS(state.last_error, absl::StatusCode::kUnavailable, "start attempt 2 failed");
  EXPECT_EQ(state.next_restart, t0 + absl::Seconds(3));  // doubled: 2s after the retry
  EXPECT_EQ(state.restarts, 1);

  clock.Advance(absl::Seconds(2));
  ASSERT_TRUE(FlakyControl::Get().AwaitStarts(3));
  runner->Stop();
  state = runner->States()[0];
  EXPECT_EQ(state.restarts, 2);
  EXPECT_EQ(FlakyControl::Get().stops(), 3);  // each failed Start was stopped, then the good one
}

TEST(ProviderRunnerTest, FailWhileRunningStopsAndRestarts) {
  FlakyControl::Get().Reset(0);
  VariableStore store;
  FakeClock clock;
  ProviderContext context;
  context.clock = &clock;
  absl::Status reported;
  ASSERT_OK_AND_ASSIGN(auto runner,
                       ProviderRunner::Create(&store, {{"test_flaky", Value()}}, context));
  ASSERT_OK(runner->Start());
  ASSERT_NE(FlakyControl::Get().sink(), nullptr);
  FlakyControl::Get().sink()->Fail(absl::DataLossError("lost the watch"));
  ASSERT_TRUE(clock.AwaitSleepers(1));  // the supervisor stopped it and waits out the back-off
  EXPECT_EQ(FlakyControl::Get().stops(), 1);
  auto state = runner->States()[0];
  EXPECT_EQ(state.phase, ProviderState::Phase::kFailed);
  EXPECT_STATUS(state.last_error, absl::StatusCode::kDataLoss, "lost the watch");
  EXPECT_STATUS(store.LastFailure("test_flaky"), absl::StatusCode::kDataLoss, "lost the watch");
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(FlakyControl::Get().AwaitStarts(2));
  Value status = runner->StatesToValue();
  EXPECT_EQ(*status.as_list()[0].Find("name"), Value("test_flaky"));
  runner->Stop();
  EXPECT_EQ(runner->States()[0].restarts, 1);
}

}  // namespace
}  // namespace gatehouse
