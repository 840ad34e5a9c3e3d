#include "kube/leader_elector.h"

#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "kube/file_lease_lock.h"
#include "kube/kube_errors.h"
#include "kube/kube_lease_lock.h"
#include "testing/kube_api_server/kube_api_server.h"
#include "testing/status_testing.h"

namespace gatehouse::kube {
namespace {

using ::gatehouse::testing::KubeApiServer;
using ::gatehouse::testing::KubeApiServerOptions;

ElectorConfig Config(const std::string& identity) {
  ElectorConfig config;
  config.identity = identity;
  return config;
}

TEST(ValidateElectorConfigTest, ReferenceReasons) {
  EXPECT_OK(ValidateElectorConfig(Config("a")));
  ElectorConfig c = Config("a");
  c.lease_duration = absl::Seconds(10);
  EXPECT_STATUS(ValidateElectorConfig(c), absl::StatusCode::kInvalidArgument,
                "leader_leaseduration (10s) must be greater than leader_renewdeadline (10s)");
  c = Config("a");
  c.renew_deadline = absl::Milliseconds(2400);
  EXPECT_STATUS(ValidateElectorConfig(c), absl::StatusCode::kInvalidArgument,
                "leader_renewdeadline (2.4s) must be greater than leader_retryperiod x 1.2");
  c = Config("a");
  c.retry_period = absl::ZeroDuration();
  EXPECT_STATUS(ValidateElectorConfig(c), absl::StatusCode::kInvalidArgument,
                "leader_retryperiod must be greater than zero");
  EXPECT_STATUS(ValidateElectorConfig(Config("")), absl::StatusCode::kInvalidArgument,
                "identity");
}

// Several candidates on one FakeClock. Each elector thread sleeps on the clock between attempts;
// Step() moves time and waits until every elector is asleep again.
class ElectionFixture : public ::testing::Test {
 protected:
  void AddFileCandidate(const std::string& identity, bool release_on_stop = true) {
    auto lock = FileLeaseLock::Create(dir(), "default", "leader");
    ASSERT_OK(lock);
    AddCandidate(identity, std::move(*lock), release_on_stop);
  }
  void AddKubeCandidate(const std::string& identity) {
    KubeConfig config;
    config.server = server_->url();
    config.token = "good";
    KubeClientOptions options;
    options.clock = &clock_;
    options.user_agent = "gatehouse/test " + identity;
    auto client = KubeClient::Create(config, options);
    ASSERT_OK(client);
    auto lock = std::make_unique<KubeLeaseLock>(client->get(), "default", "leader");
    clients_.push_back(std::move(*client));
    AddCandidate(identity, std::move(lock), true);
  }
  void AddCandidate(const std::string& identity, std::unique_ptr<LeaseLock> lock,
                    bool release_on_stop) {
    ElectorConfig config = Config(identity);
    config.release_on_stop = release_on_stop;
    ElectorCallbacks callbacks;
    callbacks.on_error = [this](const absl::Status& status) {
      if (status.code() == absl::StatusCode::kPermissionDenied) saw_forbidden_ = true;
    };
    auto elector = LeaderElector::Create(config, lock.get(), callbacks, &clock_);
    ASSERT_OK(elector);
    locks_.push_back(std::move(lock));
    electors_.push_back(std::move(*elector));
  }
  std::string dir() {
    return std::string(std::getenv("TEST_TMPDIR")) + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  int Running() {
    int n = 0;
    for (auto& e : electors_) n += e != nullptr;
    return n;
  }
  void StartAll() {
    for (auto& e : electors_) e->Start();
    Settle();
  }
  // Waits (in real time, bounded) until every running elector sleeps on the clock again.
  void Settle() {
    for (int stable = 0; stable < 3;) {
      ASSERT_TRUE(clock_.AwaitSleepers(Running(), absl::Seconds(20)));
      absl::SleepFor(absl::Microseconds(300));
      stable = clock_.sleepers() >= Running() ? stable + 1 : 0;
    }
  }
  void Step(absl::Duration d = absl::Milliseconds(100)) {
    clock_.Advance(d);
    Settle();
    int leaders = 0;
    for (auto& e : electors_) leaders += e != nullptr && e->IsLeader();
    ASSERT_LE(leaders, 1) << "two leaders at once";
  }
  int Leader() {
    for (size_t i = 0; i < electors_.size(); ++i) {
      if (electors_[i] != nullptr && electors_[i]->IsLeader()) return static_cast<int>(i);
    }
    return -1;
  }
  // Steps until someone leads; returns the simulated time it took (or InfiniteDuration).
  absl::Duration StepUntilLeader(absl::Duration limit) {
    const absl::Time start = clock_.MonotonicNow();
    while (Leader() < 0 && clock_.MonotonicNow() - start <= limit) Step();
    return Leader() < 0 ? absl::InfiniteDuration() : clock_.MonotonicNow() - start;
  }

  FakeClock clock_;
  std::unique_ptr<KubeApiServer> server_;
  std::vector<std::unique_ptr<KubeClient>> clients_;
  std::vector<std::unique_ptr<LeaseLock>> locks_;
  std::vector<std::unique_ptr<LeaderElector>> electors_;
  std::atomic<bool> saw_forbidden_{false};
};

TEST_F(ElectionFixture, FileBackendOneLeaderAndCleanFailover) {
  for (const char* id : {"a", "b", "c"}) AddFileCandidate(id);
  StartAll();
  ASSERT_LT(StepUntilLeader(absl::Seconds(5)), absl::InfiniteDuration());
  for (int i = 0; i < 100; ++i) Step();  // 10 s of renewals: still one leader
  const int first = Leader();
  ASSERT_GE(first, 0);
  electors_[first]->Stop();  // clean shutdown: releases the lease
  electors_[first].reset();
  Settle();
  // A waiting candidate takes over within one jittered retry period (2.2 x 2 s).
  EXPECT_LE(StepUntilLeader(absl::Seconds(5)), absl::Milliseconds(4400 + 100));
}

TEST_F(ElectionFixture, FileBackendCrashFailoverWithinLeaseDuration) {
  AddFileCandidate("a", /*release_on_stop=*/false);
  AddFileCandidate("b", false);
  StartAll();
  ASSERT_LT(StepUntilLeader(absl::Seconds(5)), absl::InfiniteDuration());
  const int first = Leader();
  electors_[first]->Stop();  // like SIGKILL: no release
  electors_[first].reset();
  Settle();
  const absl::Duration took = StepUntilLeader(absl::Seconds(30));
  EXPECT_LE(took, absl::Seconds(15) + absl::Milliseconds(4400 + 100));
  EXPECT_GE(took, absl::Seconds(10));  // not before the lease could have expired
}

TEST_F(ElectionFixture, OwnStaleLeaseIsRenewedAtOnce) {
  ASSERT_OK_AND_ASSIGN(auto lock, FileLeaseLock::Create(dir(), "default", "leader"));
  LeaseRecord stale;
  stale.holder_identity = "me";
  stale.lease_duration_seconds = 15;
  stale.renew_time = stale.acquire_time = clock_.Now() - absl::Hours(1);
  stale.lease_transitions = 4;
  ASSERT_OK(lock->Create(stale, {}));
  AddFileCandidate("me");
  StartAll();
  EXPECT_TRUE(electors_[0]->IsLeader());  // on the first attempt, no waiting for expiry
  ASSERT_OK_AND_ASSIGN(Lease now, lock->Get({}));
  EXPECT_EQ(now.record.lease_transitions, 4);
  EXPECT_EQ(now.record.renew_time, clock_.Now());
}

TEST_F(ElectionFixture, KubeOutageStepsDownBeforeExpiryThenRecovers) {
  KubeApiServerOptions options;
  options.tokens = {{"good", "u"}};
  ASSERT_OK_AND_ASSIGN(server_, KubeApiServer::Start(options));
  for (const char* id : {"a", "b", "c"}) AddKubeCandidate(id);
  StartAll();
  ASSERT_LT(StepUntilLeader(absl::Seconds(5)), absl::InfiniteDuration());
  for (int i = 0; i < 30; ++i) Step();
  const int leader = Leader();
  ASSERT_GE(leader, 0);
  server_->SetOutage(true);
  const absl::Time outage = clock_.MonotonicNow();
  while (electors_[leader]->IsLeader()) Step();
  // Stepped down within the renew deadline of its last renewal (which was before the outage),
  // so well before anyone could take over (lease duration after observing that renewal).
  EXPECT_LE(clock_.MonotonicNow() - outage, absl::Seconds(10));
  EXPECT_EQ(Leader(), -1);
  server_->SetOutage(false);
  EXPECT_LT(StepUntilLeader(absl::Seconds(40)), absl::InfiniteDuration());
  for (int i = 0; i < 50; ++i) Step();
}

TEST_F(ElectionFixture, ForbiddenIsReportedWithTheRbacRule) {
  KubeApiServerOptions options;
  options.tokens = {{"good", "system:serviceaccount:default:agent"}};
  options.forbidden_users = {"system:serviceaccount:default:agent"};
  ASSERT_OK_AND_ASSIGN(server_, KubeApiServer::Start(options));
  AddKubeCandidate("a");
  StartAll();
  Step();
  EXPECT_FALSE(electors_[0]->IsLeader());
  EXPECT_TRUE(saw_forbidden_.load());
  absl::Status error = electors_[0]->LastError();
  EXPECT_EQ(error.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(ForbiddenLeasesHelp(error, "default").find("resources: [\"leases\"]"),
            std::string::npos);
}

// Watching followers, on the real clock with short timings (lease 4 s, renew 3 s, retry 500 ms).
class WatchingFollowersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, KubeApiServer::Start());
    for (int i = 0; i < 3; ++i) {
      KubeConfig config;
      config.server = server_->url();
      KubeClientOptions options;
      options.user_agent = Agent(i);
      ASSERT_OK_AND_ASSIGN(auto client, KubeClient::Create(config, options));
      locks_.push_back(std::make_unique<KubeLeaseLock>(client.get(), "default", "leader"));
      clients_.push_back(std::move(client));
      ElectorConfig ec = Config("w" + std::to_string(i));
      ec.lease_duration = absl::Seconds(4);
      ec.renew_deadline = absl::Seconds(3);
      ec.retry_period = absl::Milliseconds(500);
      ec.follower_mode = FollowerMode::kWatch;
      ASSERT_OK_AND_ASSIGN(auto e,
                           LeaderElector::Create(ec, locks_.back().get(), {}, &Clock::Real()));
      electors_.push_back(std::move(e));
    }
    // w0 leads; w1 and w2 follow on their watches.
    electors_[0]->Start();
    for (int i = 0; i < 200 && !electors_[0]->IsLeader(); ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    ASSERT_TRUE(electors_[0]->IsLeader());
    electors_[1]->Start();
    electors_[2]->Start();
    for (int i = 0; i < 500 && server_->OpenWatches() < 2; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    ASSERT_EQ(server_->OpenWatches(), 2);
  }
  void TearDown() override {
    for (auto& e : electors_) e->Stop();
  }
  // Unique as a substring (the server's per-client counters match substrings).
  static std::string Agent(int i) { return "gatehouse/test (w" + std::to_string(i) + ")"; }
  int64_t FollowerRequests() {
    int64_t n = 0;
    for (int i : {1, 2}) {
      for (const char* verb : {"get", "update", "create", "watch", "list"}) {
        n += server_->RequestCount(verb, Agent(i));
      }
    }
    return n;
  }

  std::unique_ptr<KubeApiServer> server_;
  std::vector<std::unique_ptr<KubeClient>> clients_;
  std::vector<std::unique_ptr<KubeLeaseLock>> locks_;
  std::vector<std::unique_ptr<LeaderElector>> electors_;
};

// Followers send nothing while the leader renews; the leader renews with a PUT alone (the fast
// path: no GET); a released lease is taken over at once.
TEST_F(WatchingFollowersTest, FollowersAreSilentAndTakeOverOnRelease) {
  server_->ResetCounters();
  absl::SleepFor(absl::Seconds(2));  // a measurement window: the leader renews about 4 times
  EXPECT_EQ(FollowerRequests(), 0);
  EXPECT_EQ(server_->RequestCount("get", Agent(0)), 0);
  EXPECT_GE(server_->RequestCount("update", Agent(0)), 2);
  const absl::Time stop = absl::Now();
  electors_[0]->Stop();
  int next = -1;
  while (next < 0 && absl::Now() - stop < absl::Seconds(5)) {
    for (int i = 1; i < 3; ++i) {
      if (electors_[i]->IsLeader()) next = i;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_GE(next, 1);
  EXPECT_LT(absl::Now() - stop, absl::Milliseconds(1500));
  EXPECT_FALSE(electors_[3 - next]->IsLeader());
}

// The server ends every watch (as it does after timeoutSeconds): each follower resumes from the
// last version it saw with one new watch, and no GET.
TEST_F(WatchingFollowersTest, ServerEndedWatchIsResumedWithoutAGet) {
  absl::SleepFor(absl::Seconds(1));  // longer than a retry period: not an early end
  server_->ResetCounters();
  server_->CloseWatches();
  for (int i = 0; i < 500 && server_->RequestCount("watch") < 2; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(server_->RequestCount("watch", Agent(1)), 1);
  EXPECT_EQ(server_->RequestCount("watch", Agent(2)), 1);
  EXPECT_EQ(server_->RequestCount("get", Agent(1)) + server_->RequestCount("get", Agent(2)), 0);
  EXPECT_TRUE(electors_[0]->IsLeader());
  EXPECT_FALSE(electors_[1]->IsLeader());
  EXPECT_FALSE(electors_[2]->IsLeader());
}

// The leader crashes (no release, no more renewals): a watching follower takes over once the
// lease could have expired by its own clock, not before, and within lease + 2.2 x retry.
TEST_F(WatchingFollowersTest, CrashedLeaderIsReplacedAfterExpiry) {
  // Stop without release, like SIGKILL: the watchers only see renewals stop.
  server_->Partition(Agent(0));
  const absl::Time crash = absl::Now();
  int next = -1;
  while (next < 0 && absl::Now() - crash < absl::Seconds(10)) {
    for (int i = 1; i < 3; ++i) {
      if (electors_[i]->IsLeader()) next = i;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_GE(next, 1);
  const absl::Duration took = absl::Now() - crash;
  EXPECT_GE(took, absl::Seconds(4) - absl::Milliseconds(500));  // last renewal <= 500 ms before
  EXPECT_LE(took, absl::Seconds(4) + 2.2 * absl::Milliseconds(500) + absl::Seconds(1));
}

}  // namespace
}  // namespace gatehouse::kube
