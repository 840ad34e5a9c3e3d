#include "providers/kubernetes_leaderelection/leader_election_provider.h"

#include <cstdlib>
#include <vector>

#include "agent/registry/registry.h"
#include "common/metrics.h"
#include "gtest/gtest.h"
#include "testing/kube_api_server/kube_api_server.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

// Records every mapping published.
class RecordingSink final : public ProviderSink {
 public:
  void Publish(Value::Map mapping) override {
    absl::MutexLock lock(&mu_);
    published_.push_back(Value(std::move(mapping)));
  }
  void UpsertMapping(absl::string_view, Value::Map, Value) override {}
  void RemoveMapping(absl::string_view) override {}
  void Fail(absl::Status status) override {}
  std::vector<Value> published() {
    absl::MutexLock lock(&mu_);
    return published_;
  }
  bool leader() {
    absl::MutexLock lock(&mu_);
    return !published_.empty() && published_.back().Find("leader")->as_bool();
  }

 private:
  absl::Mutex mu_;
  std::vector<Value> published_ ABSL_GUARDED_BY(mu_);
};

Value Options(const std::string& kubeconfig, const std::string& identity) {
  // As ApplyOptions leaves them: defaults filled, durations in milliseconds.
  return Value(Value::Map{{"leader_lease", Value("gatehouse-cluster-leader")},
                          {"leader_leaseduration", Value(15000)},
                          {"leader_renewdeadline", Value(10000)},
                          {"leader_retryperiod", Value(2000)},
                          {"kube_config", Value(kubeconfig)},
                          {"kube_client_options", Value(Value::Map{{"qps", Value(5)},
                                                                   {"burst", Value(10)}})},
                          {"backend", Value("kubernetes")},
                          // Polling followers sleep on the FakeClock the test drives; a
                          // watching one waits on its request instead.
                          {"follower_mode", Value("poll")},
                          {"identity", Value(identity)}});
}

TEST(LeaderElectionFactoryTest, RegisteredWithItsOptions) {
  const ProviderFactory* factory =
      Registry<ProviderFactory>::Global().Find("kubernetes_leaderelection");
  ASSERT_NE(factory, nullptr);
  std::vector<std::string> names;
  for (const OptionSpec& spec : factory->options()) names.push_back(spec.name);
  for (const char* expected : {"leader_lease", "leader_leaseduration", "leader_renewdeadline",
                               "leader_retryperiod", "kube_config", "kube_client_options",
                               "namespace", "backend", "identity"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  ProviderContext context;
  context.agent_id = "agent-1";
  Value bad = Value(Value::Map{{"leader_leaseduration", Value(5000)},
                               {"leader_renewdeadline", Value(10000)},
                               {"leader_retryperiod", Value(2000)}});
  EXPECT_STATUS(factory->Create(bad, context), absl::StatusCode::kInvalidArgument,
                "leader_leaseduration (5s) must be greater than leader_renewdeadline (10s)");
  Value wrong_backend = Value(Value::Map{{"backend", Value("etcd")}});
  EXPECT_STATUS(factory->Create(wrong_backend, context), absl::StatusCode::kInvalidArgument,
                "'etcd' is not one of kubernetes, file");
}

TEST(LeaderElectionSettingsTest, IdentityFromPodName) {
  ProviderContext context;
  context.agent_id = "host-1";
  unsetenv("POD_NAME");
  ASSERT_OK_AND_ASSIGN(auto settings, ParseLeaderElectionOptions(Value(Value::Map{}), context));
  EXPECT_EQ(settings.elector.identity, "host-1");
  EXPECT_EQ(settings.lease_name, "gatehouse-cluster-leader");
  EXPECT_EQ(settings.backend.request_timeout, absl::Seconds(5));  // renew deadline / 2
  EXPECT_EQ(settings.elector.follower_mode, kube::FollowerMode::kWatch);  // the default
  setenv("POD_NAME", "agent-x7", 1);
  ASSERT_OK_AND_ASSIGN(settings, ParseLeaderElectionOptions(Value(Value::Map{}), context));
  EXPECT_EQ(settings.elector.identity, "gatehouse-leader-agent-x7");
  unsetenv("POD_NAME");
}

TEST(LeaderElectionProviderTest, TwoAgentsOneLeaderThenHandOver) {
  ASSERT_OK_AND_ASSIGN(auto server, testing::KubeApiServer::Start({.tls = true}));
  const std::string kubeconfig = std::string(std::getenv("TEST_TMPDIR")) + "/kubeconfig";
  ASSERT_OK(server->WriteKubeconfig(kubeconfig, "any", "agents"));
  FakeClock clock;
  ProviderContext context;
  context.clock = &clock;
  const ProviderFactory* factory =
      Registry<ProviderFactory>::Global().Find("kubernetes_leaderelection");
  ASSERT_OK_AND_ASSIGN(auto a, factory->Create(Options(kubeconfig, "agent-a"), context));
  ASSERT_OK_AND_ASSIGN(auto b, factory->Create(Options(kubeconfig, "agent-b"), context));
  RecordingSink sink_a, sink_b;
  ASSERT_OK(a->Start(&sink_a));
  ASSERT_TRUE(clock.AwaitSleepers(1));
  ASSERT_OK(b->Start(&sink_b));
  ASSERT_TRUE(clock.AwaitSleepers(2));
  // The first thing published is leader: false.
  EXPECT_EQ(sink_a.published().front().Find("leader")->as_bool(), false);
  EXPECT_EQ(sink_a.published().front().Find("identity")->as_string(), "agent-a");
  EXPECT_TRUE(sink_a.leader());
  EXPECT_FALSE(sink_b.leader());
  EXPECT_EQ(sink_b.published().back().Find("holder")->as_string(), "agent-a");
  EXPECT_NE(MetricsRegistry::Global().RenderPrometheus().find(
                "gatehouse_leader_election_is_leader{lease=\"agents/gatehouse-cluster-leader\"} 1"),
            std::string::npos);
  auto lease = server->GetLease("agents", "gatehouse-cluster-leader");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "agent-a");

  a->Stop();  // clean: steps down, publishes false, releases
  EXPECT_FALSE(sink_a.leader());
  EXPECT_EQ((*server->GetLease("agents", "gatehouse-cluster-leader"))["spec"]["holderIdentity"],
            "");
  for (int i = 0; i < 50 && !sink_b.leader(); ++i) {
    clock.Advance(absl::Milliseconds(100));
    // Let the woken elector finish its attempt and sleep again.
    for (int stable = 0; stable < 3;) {
      ASSERT_TRUE(clock.AwaitSleepers(1));
      absl::SleepFor(absl::Microseconds(300));
      stable = clock.sleepers() >= 1 ? stable + 1 : 0;
    }
  }
  EXPECT_TRUE(sink_b.leader());
  b->Stop();
}

}  // namespace
}  // namespace gatehouse::providers
