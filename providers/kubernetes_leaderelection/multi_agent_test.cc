// Leader election as a fleet meets it: several real `gatehouse run` processes share one Lease on
// the Kubernetes API test server (loopback HTTP, kubeconfig with a bearer token) or in a lease
// directory (file back-end). Each agent's only input is gated on
// `${kubernetes_leaderelection.leader} == true`; a sampler thread reads every agent's /status all
// the time and records whenever more than one gated input runs at once.
//
// Timings: lease 3s, renew deadline 2s, retry period 500ms. Failover bounds are the reference's
// (lease + 2.2 x retry after SIGKILL, 2.2 x retry after SIGTERM) plus slack for a loaded 2-core
// machine: the measurement includes process signalling, the input starting in the new leader and
// the /status poll, none of which are part of the election itself.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "testing/ksm_server/ksm_server.h"
#include "testing/agent_process.h"
#include "testing/kube_api_server/kube_api_server.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kLeaseDuration = absl::Seconds(3);
constexpr absl::Duration kRenewDeadline = absl::Seconds(2);
constexpr absl::Duration kRetryPeriod = absl::Milliseconds(500);
// Added to every reference bound: signal delivery, input start-up and /status polling on a busy
// 2-core machine running other test binaries at the same time.
constexpr absl::Duration kSlack = absl::Seconds(3);

using testing::AgentProcess;
using testing::Eventually;
using testing::FreshDir;
using testing::InputStateAt;
using testing::Runfile;

// Reads the gated input state of every agent over and over; counts the sweeps (all agents read
// within a short window) that saw more than one agent running the gated input. A sweep is not
// atomic, but a handover leaves the old leader stopped a whole lease duration minus the renew
// deadline before anyone else may start, far longer than one sweep.
class OverlapSampler {
 public:
  explicit OverlapSampler(std::vector<int> ports) : ports_(std::move(ports)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~OverlapSampler() {
    stop_ = true;
    thread_.join();
  }
  int sweeps() const { return sweeps_.load(); }
  std::string Violations() const {
    absl::MutexLock lock(&mu_);
    return violations_;
  }

 private:
  void Run() {
    while (!stop_) {
      const absl::Time start = absl::Now();
      std::vector<int> running;
      // Stopping and stopped agents are read too: /status answers through a clean shutdown.
      for (size_t i = 0; i < ports_.size(); ++i) {
        if (InputStateAt(ports_[i], "gated") == "running") running.push_back(static_cast<int>(i));
      }
      const absl::Duration took = absl::Now() - start;
      // A sweep stretched by a stalled machine proves nothing either way.
      if (running.size() > 1 && took < absl::Milliseconds(500)) {
        absl::MutexLock lock(&mu_);
        absl::StrAppend(&violations_, "agents ");
        for (int i : running) absl::StrAppend(&violations_, i, ",");
        absl::StrAppend(&violations_, " running together (sweep ", absl::FormatDuration(took),
                        ")\n");
      }
      ++sweeps_;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  const std::vector<int> ports_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sweeps_{0};
  mutable absl::Mutex mu_;
  std::string violations_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

std::string ProviderBlock(const std::string& backend_lines) {
  return absl::StrCat(
      "providers:\n  kubernetes_leaderelection:\n", backend_lines,
      "    identity: ${env.NAME}\n"
      "    leader_leaseduration: 3s\n    leader_renewdeadline: 2s\n"
      "    leader_retryperiod: 500ms\n");
}

std::string Policy(const std::string& provider_block, const std::string& ksm_host) {
  return provider_block + absl::StrReplaceAll(R"(outputs:
  default:
    type: file
    path: ${path.data}/events.ndjson
inputs:
  - id: gated
    type: kubernetes/metrics
    streams:
      - metricsets: [state_container]
        hosts: ['KSM']
        period: 500ms
        condition: ${kubernetes_leaderelection.leader} == true
)",
                                              {{"KSM", ksm_host}});
}

class MultiAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gatehouse::testing::KsmServerOptions ksm_options;
    ksm_options.exposition_file = Runfile("testdata/ksm/cluster.prom");
    ASSERT_OK_AND_ASSIGN(ksm_, gatehouse::testing::KsmServer::Start(ksm_options));
  }

  // Starts `count` agents named agent-0.. with `policy`, each with `env` plus NAME.
  void StartAgents(const fs::path& dir, const std::string& policy, int count,
                   const std::map<std::string, std::string>& env = {}) {
    std::ofstream(dir / "policy.yml", std::ios::trunc) << policy;
    for (int i = 0; i < count; ++i) {
      std::map<std::string, std::string> agent_env = env;
      agent_env["NAME"] = absl::StrCat("agent-", i);
      agents_.push_back(std::make_unique<AgentProcess>(
          dir / "policy.yml", dir / absl::StrCat("agent-", i), agent_env, "10s"));
    }
    for (auto& agent : agents_) ASSERT_NE(agent->WaitForStatusPort(), 0) << agent->log();
  }

  std::vector<int> Ports() const {
    std::vector<int> ports;
    for (const auto& agent : agents_) ports.push_back(agent->WaitForStatusPort());
    return ports;
  }

  // Indices of the live agents whose gated input runs.
  std::vector<int> Running() {
    std::vector<int> running;
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (!agents_[i]->signalled() && agents_[i]->InputState("gated") == "running") {
        running.push_back(static_cast<int>(i));
      }
    }
    return running;
  }

  // Waits until exactly one agent other than `except` runs the gated input, and stays the only
  // one for a few sweeps; its index, or -1.
  int WaitForSingleLeader(absl::Duration timeout, int except = -1) {
    int leader = -1;
    int stable = 0;
    Eventually(
        [&] {
          std::vector<int> running = Running();
          if (running.size() == 1 && running[0] != except) {
            stable = running[0] == leader ? stable + 1 : 1;
            leader = running[0];
          } else {
            stable = 0;
            leader = -1;
          }
          return stable >= 3;
        },
        timeout);
    return stable >= 3 ? leader : -1;
  }

  // The time until another agent than `old` runs the gated input; InfiniteDuration on timeout.
  absl::Duration TimeToNewLeader(int old, absl::Time since, absl::Duration timeout) {
    int next = -1;
    Eventually(
        [&] {
          for (int i : Running()) {
            if (i != old) next = i;
          }
          return next >= 0;
        },
        timeout);
    return next >= 0 ? absl::Now() - since : absl::InfiniteDuration();
  }

  std::string Logs() const {
    std::string all;
    for (size_t i = 0; i < agents_.size(); ++i) {
      absl::StrAppend(&all, "---- agent-", i, " ----\n", agents_[i]->log());
    }
    return all;
  }

  // Kills the leader by `signal` and checks a new one appears within `bound`; the new leader's
  // index.
  int FailOver(int leader, int signal, absl::Duration bound) {
    const absl::Time at = absl::Now();
    agents_[leader]->Signal(signal);
    const absl::Duration took = TimeToNewLeader(leader, at, bound + absl::Seconds(10));
    std::cout << (signal == SIGKILL ? "SIGKILL" : "SIGTERM") << " failover observed after "
              << absl::FormatDuration(took) << " (bound " << absl::FormatDuration(bound) << ")\n";
    EXPECT_LE(took, bound) << Logs();
    const int exit_code = agents_[leader]->Wait();
    if (signal == SIGTERM) {
      EXPECT_EQ(exit_code, 0) << agents_[leader]->log();
    }
    const int next = WaitForSingleLeader(absl::Seconds(10), leader);
    EXPECT_GE(next, 0) << Logs();
    return next;
  }

  // Five agents elect one leader; SIGKILL and SIGTERM of the leader fail over within bounds;
  // never two gated inputs at once.
  void ElectAndFailOver(const fs::path& dir, const std::string& provider_block,
                        const std::map<std::string, std::string>& env) {
    ASSERT_NO_FATAL_FAILURE(StartAgents(dir, Policy(provider_block, ksm_->host()), 5, env));
    OverlapSampler sampler(Ports());
    int leader = WaitForSingleLeader(absl::Seconds(20));
    ASSERT_GE(leader, 0) << Logs();
    EXPECT_TRUE(agents_[leader]->WaitForLog("became leader of lease")) << agents_[leader]->log();

    leader = FailOver(leader, SIGKILL, kLeaseDuration + 2.2 * kRetryPeriod + kSlack);
    ASSERT_GE(leader, 0);
    leader = FailOver(leader, SIGTERM, 2.2 * kRetryPeriod + kSlack);
    ASSERT_GE(leader, 0);
    EXPECT_GT(sampler.sweeps(), 20);
    EXPECT_EQ(sampler.Violations(), "") << Logs();
  }

  std::unique_ptr<gatehouse::testing::KsmServer> ksm_;
  std::vector<std::unique_ptr<AgentProcess>> agents_;
};

// Followers watch the Lease (the default follower_mode).
TEST_F(MultiAgentTest, KubeApiFiveAgentsOneLeaderAndFailoverOnSigkillAndSigterm) {
  gatehouse::testing::KubeApiServerOptions options;
  options.tokens = {{"fleet-token", "system:serviceaccount:default:gatehouse"}};
  ASSERT_OK_AND_ASSIGN(auto api, gatehouse::testing::KubeApiServer::Start(options));
  const fs::path dir = FreshDir("kube_failover");
  ASSERT_OK(api->WriteKubeconfig((dir / "kubeconfig").string(), "fleet-token"));
  ElectAndFailOver(dir, ProviderBlock("    backend: kubernetes\n"),
                   {{"KUBECONFIG", (dir / "kubeconfig").string()}});
  EXPECT_GT(api->RequestCount("watch"), 0);
  auto lease = api->GetLease("default", "gatehouse-cluster-leader");
  ASSERT_TRUE(lease.has_value());
  EXPECT_TRUE(absl::StartsWith((*lease)["spec"].value("holderIdentity", ""), "agent-")) << *lease;
}

TEST_F(MultiAgentTest, KubeApiPollingFollowersOneLeaderAndFailoverOnSigkillAndSigterm) {
  gatehouse::testing::KubeApiServerOptions options;
  options.tokens = {{"fleet-token", "system:serviceaccount:default:gatehouse"}};
  ASSERT_OK_AND_ASSIGN(auto api, gatehouse::testing::KubeApiServer::Start(options));
  const fs::path dir = FreshDir("kube_failover_poll");
  ASSERT_OK(api->WriteKubeconfig((dir / "kubeconfig").string(), "fleet-token"));
  ElectAndFailOver(dir, ProviderBlock("    backend: kubernetes\n    follower_mode: poll\n"),
                   {{"KUBECONFIG", (dir / "kubeconfig").string()}});
  EXPECT_EQ(api->RequestCount("watch"), 0);
}

TEST_F(MultiAgentTest, FileBackendFiveAgentsOneLeaderAndFailoverOnSigkillAndSigterm) {
  const fs::path dir = FreshDir("file_failover");
  ElectAndFailOver(dir,
                   ProviderBlock(absl::StrCat("    backend: file\n    lease_dir: ",
                                              (dir / "leases").string(), "\n")),
                   {});
}

TEST_F(MultiAgentTest, ApiOutageLongerThanRenewDeadlineStopsTheLeaderThenOneLeaderAgain) {
  gatehouse::testing::KubeApiServerOptions options;
  options.tokens = {{"fleet-token", "system:serviceaccount:default:gatehouse"}};
  ASSERT_OK_AND_ASSIGN(auto api, gatehouse::testing::KubeApiServer::Start(options));
  const fs::path dir = FreshDir("outage");
  ASSERT_OK(api->WriteKubeconfig((dir / "kubeconfig").string(), "fleet-token"));
  ASSERT_NO_FATAL_FAILURE(StartAgents(
      dir, Policy(ProviderBlock("    backend: kubernetes\n"), ksm_->host()), 3,
      {{"KUBECONFIG", (dir / "kubeconfig").string()}}));
  OverlapSampler sampler(Ports());
  const int leader = WaitForSingleLeader(absl::Seconds(20));
  ASSERT_GE(leader, 0) << Logs();

  // An outage of twice the renew deadline: the leader must step down on its own, by its renew
  // deadline, which is before anyone could take over (the lease duration after their last
  // observation of its renewal).
  const absl::Time outage_start = absl::Now();
  api->OutageFor(2 * kRenewDeadline);
  ASSERT_TRUE(Eventually([&] { return agents_[leader]->InputState("gated") == "stopped"; },
                         kLeaseDuration + kSlack))
      << agents_[leader]->log();
  const absl::Duration stopped_after = absl::Now() - outage_start;
  std::cout << "leader's gated input stopped " << absl::FormatDuration(stopped_after)
            << " into the API outage\n";
  // The input stops within the renew deadline (plus a little for the controller to act and the
  // poll to see it); a loaded machine gets kSlack/2 beyond the lease duration, documented here.
  EXPECT_LT(stopped_after, kLeaseDuration + kSlack / 2) << agents_[leader]->log();
  EXPECT_TRUE(agents_[leader]->WaitForLog("lost leadership of lease default/gatehouse-cluster-leader"))
      << agents_[leader]->log();
  EXPECT_TRUE(Running().empty()) << "no one may lead while the API is down\n" << Logs();

  // The API returns: exactly one leader again.
  EXPECT_GE(WaitForSingleLeader(absl::Seconds(20)), 0) << Logs();
  EXPECT_EQ(sampler.Violations(), "") << Logs();
}

TEST_F(MultiAgentTest, WrongTokenAndMissingRbacAreClearErrorsWithoutACrash) {
  gatehouse::testing::KubeApiServerOptions options;
  options.tokens = {{"fleet-token", "system:serviceaccount:default:gatehouse"},
                    {"no-rbac-token", "system:serviceaccount:default:no-rbac"}};
  options.forbidden_users = {"system:serviceaccount:default:no-rbac"};
  ASSERT_OK_AND_ASSIGN(auto api, gatehouse::testing::KubeApiServer::Start(options));
  const fs::path dir = FreshDir("bad_token");
  ASSERT_OK(api->WriteKubeconfig((dir / "wrong.kubeconfig").string(), "not-a-token"));
  ASSERT_OK(api->WriteKubeconfig((dir / "no-rbac.kubeconfig").string(), "no-rbac-token"));
  std::ofstream(dir / "policy.yml")
      << Policy(ProviderBlock("    backend: kubernetes\n"), ksm_->host());
  AgentProcess wrong(dir / "policy.yml", dir / "wrong",
                     {{"NAME", "wrong"}, {"KUBECONFIG", (dir / "wrong.kubeconfig").string()}},
                     "10s");
  AgentProcess no_rbac(dir / "policy.yml", dir / "no-rbac",
                       {{"NAME", "no-rbac"}, {"KUBECONFIG", (dir / "no-rbac.kubeconfig").string()}},
                       "10s");
  ASSERT_NE(wrong.WaitForStatusPort(), 0) << wrong.log();
  ASSERT_NE(no_rbac.WaitForStatusPort(), 0) << no_rbac.log();

  EXPECT_TRUE(wrong.WaitForLog("(the token is missing, wrong or expired)")) << wrong.log();
  EXPECT_TRUE(no_rbac.WaitForLog("cannot access leases: ")) << no_rbac.log();
  EXPECT_TRUE(no_rbac.WaitForLog("verbs: [\"get\", \"list\", \"watch\", \"create\", \"update\", "
                                 "\"patch\"]"))
      << no_rbac.log();
  // The electors keep retrying (several more GETs refused): still alive, answering, not leading.
  const int64_t gets = api->RequestCount("get");
  EXPECT_TRUE(Eventually([&] { return api->RequestCount("get") >= gets + 6; }, absl::Seconds(20)));
  for (AgentProcess* agent : {&wrong, &no_rbac}) {
    EXPECT_TRUE(agent->Alive()) << agent->log();
    EXPECT_EQ(agent->InputState("gated"), "stopped") << agent->log();
    EXPECT_EQ(agent->Wait(absl::ZeroDuration()), -1) << "exited: " << agent->log();
  }
  EXPECT_FALSE(api->GetLease("default", "gatehouse-cluster-leader").has_value());
}

}  // namespace
}  // namespace gatehouse
