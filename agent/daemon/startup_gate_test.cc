#include "agent/daemon/startup_gate.h"

#include <atomic>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

// What the agent would give the gate: a count of openings and a set of copies that collected.
struct FakeAgent {
  std::atomic<int> openings{0};
  absl::Mutex mu;
  std::set<std::string> collected ABSL_GUARDED_BY(mu);

  AgentStartupGate::Hooks Hooks() {
    AgentStartupGate::Hooks hooks;
    hooks.opened = [this] { ++openings; };
    hooks.collected = [this](const std::string& id) {
      absl::MutexLock lock(&mu);
      return collected.count(id) > 0;
    };
    return hooks;
  }
  void Collected(const std::string& id) {
    absl::MutexLock lock(&mu);
    collected.insert(id);
  }
};

TEST(AgentStartupGateTest, AnOpenGateLetsEveryStartThrough) {
  FakeAgent agent;
  AgentStartupGate gate(agent.Hooks());
  EXPECT_FALSE(gate.held());
  EXPECT_OK(gate.MayStart("a"));
}

TEST(AgentStartupGateTest, HeldStartsWaitUntilEveryHolderReleases) {
  FakeAgent agent;
  AgentStartupGate gate(agent.Hooks());
  gate.HoldInputStarts("kubernetes_leasepool", true);
  gate.HoldInputStarts("other", true);
  EXPECT_STATUS(gate.MayStart("cluster"), absl::StatusCode::kUnavailable,
                "waiting for the start-up gate (held by kubernetes_leasepool, other)");
  gate.HoldInputStarts("kubernetes_leasepool", false);
  EXPECT_TRUE(gate.held());
  EXPECT_EQ(agent.openings, 0);
  gate.HoldInputStarts("other", false);
  EXPECT_FALSE(gate.held());
  EXPECT_EQ(agent.openings, 1);  // the agent reconciles: the held copy starts
  EXPECT_OK(gate.MayStart("cluster"));
}

TEST(AgentStartupGateTest, FirstCollectionsDoneWaitsForTheReconcileAndEveryStartedCopy) {
  FakeAgent agent;
  AgentStartupGate gate(agent.Hooks(), absl::Milliseconds(5));
  gate.HoldInputStarts("pool", true);
  EXPECT_FALSE(gate.MayStart("a").ok());
  EXPECT_FALSE(gate.MayStart("b").ok());
  gate.HoldInputStarts("pool", false);
  absl::Notification done;
  gate.NotifyWhenFirstCollectionsDone([&done] { done.Notify(); });
  // Not before the reconcile that tries the held copies again.
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  ASSERT_OK(gate.MayStart("a"));
  gate.Started("a");
  ASSERT_OK(gate.MayStart("b"));
  gate.Started("b");
  gate.Reconciled();
  agent.Collected("a");
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));  // b has not
  gate.Stopped("b");  // b turned off before collecting: nothing to wait for
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST(AgentStartupGateTest, WithNothingHeldFirstCollectionsAreDoneAtOnce) {
  FakeAgent agent;
  AgentStartupGate gate(agent.Hooks(), absl::Milliseconds(5));
  absl::Notification done;
  gate.NotifyWhenFirstCollectionsDone([&done] { done.Notify(); });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST(AgentStartupGateTest, DestroyingTheGateEndsAWait) {
  FakeAgent agent;
  bool called = false;
  {
    AgentStartupGate gate(agent.Hooks(), absl::Milliseconds(5));
    gate.HoldInputStarts("pool", true);
    gate.NotifyWhenFirstCollectionsDone([&called] { called = true; });
  }
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace gatehouse
