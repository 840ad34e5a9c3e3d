// Many in-process agents sharing lease pools through the file back-end, on the real clock with
// short timings (lease 2 s, renew 1.5 s, retry 0.3 s); waits are bounded polls for an outcome.
#include "providers/kubernetes_leasepool/lease_pool_provider.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

// Counts agents per cold-start state across the fleet, and the peak of `held`.
struct Fleet {
  std::atomic<int> held{0};
  std::atomic<int> peak_held{0};
  std::atomic<int> done{0};
  std::atomic<int> delegated{0};
};

class AgentSink final : public ProviderSink {
 public:
  explicit AgentSink(Fleet* fleet) : fleet_(fleet) {}
  void Publish(Value::Map mapping) override {
    Value map(std::move(mapping));
    const std::string state = map.FindPath("cold_start.state")->as_string();
    const bool delegated = map.FindPath("delegation.held")->as_bool();
    absl::MutexLock lock(&mu_);
    if (state != state_) {
      if (state_ == "held") --fleet_->held;
      if (state == "held") {
        const int now = ++fleet_->held;
        int peak = fleet_->peak_held.load();
        while (now > peak && !fleet_->peak_held.compare_exchange_weak(peak, now)) {
        }
      }
      if (state == "done") ++fleet_->done;
      state_ = state;
    }
    if (delegated != delegated_) {
      fleet_->delegated += delegated ? 1 : -1;
      delegated_ = delegated;
      lease_ = map.FindPath("delegation.lease")->as_string();
    }
  }
  void UpsertMapping(absl::string_view, Value::Map, Value) override {}
  void RemoveMapping(absl::string_view) override {}
  void Fail(absl::Status) override {}

 private:
  Fleet* const fleet_;
  absl::Mutex mu_;
  std::string state_ ABSL_GUARDED_BY(mu_);
  bool delegated_ ABSL_GUARDED_BY(mu_) = false;
  std::string lease_ ABSL_GUARDED_BY(mu_);
};

// Holds nothing itself; reports first collections done a little after inputs may start.
class FakeGate final : public StartupGate {
 public:
  void HoldInputStarts(absl::string_view, bool hold) override {}
  void NotifyWhenFirstCollectionsDone(std::function<void()> done) override {
    absl::MutexLock lock(&mu_);
    threads_.emplace_back([done] {
      absl::SleepFor(absl::Milliseconds(200));  // the agent's first collection
      done();
    });
  }
  ~FakeGate() override {
    for (std::thread& t : threads_) t.join();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

Value PoolOptions(const std::string& dir, const std::string& node, int cold, int delegation) {
  return Value(Value::Map{
      {"pools", Value(Value::Map{
                    {"cold_start", Value(Value::Map{{"count", Value(cold)},
                                                    {"max_hold", Value(30000)}})},
                    {"delegation", Value(Value::Map{{"count", Value(delegation)}})}})},
      {"node_name", Value(node)},
      {"leader_leaseduration", Value(2000)},
      {"leader_renewdeadline", Value(1500)},
      {"leader_retryperiod", Value(300)},
      {"backend", Value("file")},
      {"lease_dir", Value(dir)}});
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration limit) {
  const absl::Time end = absl::Now() + limit;
  while (!condition()) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

TEST(LeasePoolProviderTest, ColdStartNeverMoreThanCountAndAllFinish) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/cold";
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("kubernetes_leasepool");
  ASSERT_NE(factory, nullptr);
  constexpr int kAgents = 10;
  Fleet fleet;
  FakeGate gate;
  std::vector<std::unique_ptr<AgentSink>> sinks;
  std::vector<std::unique_ptr<Provider>> agents;
  for (int i = 0; i < kAgents; ++i) {
    ProviderContext context;
    context.startup_gate = &gate;
    ASSERT_OK_AND_ASSIGN(auto agent,
                         factory->Create(PoolOptions(dir, "node-" + std::to_string(i), 3, 0),
                                         context));
    sinks.push_back(std::make_unique<AgentSink>(&fleet));
    agents.push_back(std::move(agent));
  }
  for (int i = 0; i < kAgents; ++i) ASSERT_OK(agents[i]->Start(sinks[i].get()));
  EXPECT_TRUE(WaitFor([&] { return fleet.done.load() == kAgents; }, absl::Seconds(60)));
  EXPECT_LE(fleet.peak_held.load(), 3);
  EXPECT_GE(fleet.peak_held.load(), 1);
  for (auto& agent : agents) agent->Stop();
}

TEST(LeasePoolProviderTest, ExactlyTwoDelegatedAndRefilledAfterOneStops) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/delegation";
  constexpr int kAgents = 6;
  Fleet fleet;
  std::vector<std::unique_ptr<AgentSink>> sinks;
  std::vector<std::unique_ptr<LeasePoolProvider>> agents;
  for (int i = 0; i < kAgents; ++i) {
    ASSERT_OK_AND_ASSIGN(auto settings,
                         ParseLeasePoolOptions(PoolOptions(dir, "node-" + std::to_string(i), 0, 2),
                                               ProviderContext{}));
    ASSERT_OK_AND_ASSIGN(auto agent, LeasePoolProvider::Create(settings, &Clock::Real(), nullptr));
    sinks.push_back(std::make_unique<AgentSink>(&fleet));
    agents.push_back(std::move(agent));
  }
  for (int i = 0; i < kAgents; ++i) ASSERT_OK(agents[i]->Start(sinks[i].get()));
  ASSERT_TRUE(WaitFor([&] { return fleet.delegated.load() == 2; }, absl::Seconds(20)));
  absl::SleepFor(absl::Seconds(1));  // stays at exactly 2 while renewing
  EXPECT_EQ(fleet.delegated.load(), 2);
  EXPECT_EQ(fleet.done.load(), kAgents);  // no cold-start pool: done at once
  // Stop one delegated agent: it releases, and someone else fills the slot.
  int stopped = -1;
  for (int i = 0; i < kAgents && stopped < 0; ++i) {
    const std::string lease0 = dir + "/default.delegation-0.json";
    std::ifstream in(lease0);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find("\"node-" + std::to_string(i) + "\"") != std::string::npos) stopped = i;
  }
  ASSERT_GE(stopped, 0);
  agents[stopped]->Stop();
  EXPECT_EQ(fleet.delegated.load(), 1);
  EXPECT_TRUE(WaitFor([&] { return fleet.delegated.load() == 2; }, absl::Seconds(5)));
  for (auto& agent : agents) agent->Stop();
}

}  // namespace
}  // namespace gatehouse::providers
