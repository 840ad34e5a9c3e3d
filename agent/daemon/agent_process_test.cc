// `gatehouse run` as an operator meets it: real processes, a real kube-state-metrics test server
// over loopback, real files and real signals.

#include <filesystem>
#include <fstream>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "inputs/common/prometheus/exposition.h"
#include "nlohmann/json.hpp"
#include "testing/ksm_server/ksm_server.h"
#include "testing/agent_process.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

using testing::AgentProcess;
using testing::Eventually;
using testing::FreshDir;
using testing::Runfile;

void WriteAtomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  std::ofstream(temp, std::ios::trunc) << text;
  fs::rename(temp, path);
}

std::unique_ptr<testing::KsmServer> StartKsm() {
  testing::KsmServerOptions options;
  options.exposition_file = Runfile("testdata/ksm/cluster.prom");
  auto server = testing::KsmServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

// Six containers (five plus one init container) per scrape of cluster.prom.
constexpr int kContainersPerScrape = 6;

std::string Policy(const std::string& ksm_host, const std::string& extra_inputs = "",
                   const std::string& gate = "${env.GATE} == 'open'") {
  return absl::StrReplaceAll(R"(outputs:
  default:
    type: file
    path: ${path.data}/events.ndjson
inputs:
  - id: gated
    type: kubernetes/metrics
    streams:
      - metricsets: [state_container]
        hosts: ['KSM']
        period: 200ms
        condition: GATE_CONDITION
)" + extra_inputs,
                             {{"KSM", ksm_host}, {"GATE_CONDITION", gate}});
}

TEST(AgentProcessTest, SigtermDrainsEveryProducedEventToTheFileOutput) {
  auto ksm = StartKsm();
  ASSERT_NE(ksm, nullptr);
  const fs::path dir = FreshDir("drain");
  WriteAtomically(dir / "policy.yml", Policy(ksm->host()));
  AgentProcess agent(dir / "policy.yml", dir / "data", {{"GATE", "open"}});
  ASSERT_TRUE(Eventually([&] { return agent.Events().size() >= 5 * kContainersPerScrape; },
                         absl::Seconds(30)))
      << agent.log();
  // /status requests in flight during the shutdown must not hold it up.
  const int port = agent.WaitForStatusPort();
  ASSERT_NE(port, 0) << agent.log();
  std::atomic<bool> polling{true};
  std::thread poller([&] {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1);
    while (polling) client.Get("/status");
  });
  absl::SleepFor(absl::Milliseconds(100));
  agent.Signal(SIGTERM);
  const int exit_code = agent.Wait(absl::Seconds(15));
  polling = false;
  poller.join();
  ASSERT_EQ(exit_code, 0) << agent.log();

  const std::vector<nlohmann::json> events = agent.Events();
  std::map<std::string, int> per_scrape;
  for (const auto& event : events) {
    ASSERT_TRUE(event.is_object()) << "a torn or invalid line in the output";
    ++per_scrape[event["@timestamp"].get<std::string>()];
  }
  for (const auto& [timestamp, count] : per_scrape) {
    EXPECT_EQ(count, kContainersPerScrape) << "scrape at " << timestamp << " was cut short";
  }
  EXPECT_TRUE(absl::StrContains(agent.log(),
                                absl::StrCat("stopped cleanly; ", events.size(), " event(s) written")))
      << agent.log();
}

TEST(AgentProcessTest, MetricsParseAndStatusFollowsALeaderFlip) {
  auto ksm = StartKsm();
  ASSERT_NE(ksm, nullptr);
  const fs::path dir = FreshDir("flip");
  const std::string leader_policy = absl::StrCat(
      "providers:\n  kubernetes_leaderelection:\n    backend: file\n    lease_dir: ",
      (dir / "leases").string(),
      // Typed options may come from the environment: checked after substitution.
      "\n    identity: ${env.NAME}\n    leader_leaseduration: ${env.LEASE_DURATION}\n"
      "    leader_renewdeadline: 2s\n    leader_retryperiod: 500ms\n",
      Policy(ksm->host(), "", "${kubernetes_leaderelection.leader} == true"));
  WriteAtomically(dir / "policy.yml", leader_policy);
  auto first = std::make_unique<AgentProcess>(
      dir / "policy.yml", dir / "a",
      std::map<std::string, std::string>{{"NAME", "a"}, {"LEASE_DURATION", "3s"}});
  ASSERT_TRUE(first->WaitForLog("became leader")) << first->log();
  AgentProcess second(dir / "policy.yml", dir / "b", {{"NAME", "b"}, {"LEASE_DURATION", "3s"}});
  ASSERT_TRUE(second.WaitForLog("input gated off")) << second.log();
  EXPECT_EQ(second.InputState("gated"), "stopped");
  EXPECT_TRUE(Eventually([&] { return first->InputState("gated") == "running"; },
                         absl::Seconds(10)));

  // /metrics is valid Prometheus text and carries the agent's own series.
  ASSERT_NE(first->WaitForStatusPort(), 0) << first->log();
  httplib::Client client("127.0.0.1", first->WaitForStatusPort());
  ASSERT_TRUE(Eventually([&] { return !first->Events().empty(); }, absl::Seconds(20)));
  auto scraped = client.Get("/metrics");
  ASSERT_TRUE(scraped);
  const std::string body = scraped->body;
  prometheus::Exposition exposition = prometheus::Exposition::Parse(body);
  EXPECT_EQ(exposition.error_count(), 0u) << exposition.ErrorSummary();
  for (const char* family :
       {"gatehouse_input_collections_total", "gatehouse_inputs_running",
        "gatehouse_condition_evaluations_total", "gatehouse_reconcile_duration_seconds",
        "gatehouse_leader_election_is_leader", "gatehouse_output_queue_backpressure_waits_total"}) {
    EXPECT_NE(exposition.FindFamily(family), nullptr) << family << " missing from\n" << body;
  }

  // The leader stops cleanly (releasing the lease); the follower's status flips to running.
  first->Signal(SIGTERM);
  ASSERT_EQ(first->Wait(), 0) << first->log();
  EXPECT_TRUE(Eventually([&] { return second.InputState("gated") == "running"; },
                         absl::Seconds(5)))
      << second.log();
  EXPECT_TRUE(second.WaitForLog("input gated on")) << second.log();
}

TEST(AgentProcessTest, ATypedProviderOptionFromTheEnvironmentIsCheckedAfterSubstitution) {
  const fs::path dir = FreshDir("typed-env");
  WriteAtomically(dir / "policy.yml",
                  absl::StrCat("providers:\n  kubernetes_leaderelection:\n    backend: file\n"
                               "    lease_dir: ",
                               (dir / "leases").string(),
                               "\n    leader_leaseduration: ${env.LEASE_DURATION}\n"));
  AgentProcess agent(dir / "policy.yml", dir / "a", {{"LEASE_DURATION", "fifteen"}});
  EXPECT_NE(agent.Wait(), 0) << agent.log();
  EXPECT_NE(agent.log().find("leader_leaseduration"), std::string::npos) << agent.log();
  EXPECT_NE(agent.log().find("invalid duration 'fifteen'"), std::string::npos) << agent.log();
}

TEST(AgentProcessTest, GoodReloadKeepsUnchangedInputsAndBadReloadChangesNothing) {
  auto ksm = StartKsm();
  ASSERT_NE(ksm, nullptr);
  const fs::path dir = FreshDir("reload");
  const std::string steady = absl::StrReplaceAll(R"(  - id: steady
    type: kubernetes/metrics
    streams:
      - metricsets: [state_container]
        hosts: ['KSM']
        period: 200ms
)",
                                                 {{"KSM", ksm->host()}});
  WriteAtomically(dir / "policy.yml", Policy(ksm->host(), steady));
  AgentProcess agent(dir / "policy.yml", dir / "data", {{"GATE", "open"}});
  ASSERT_TRUE(Eventually(
      [&] { return agent.InputState("gated") == "running" && agent.InputState("steady") == "running"; },
      absl::Seconds(20)))
      << agent.log();

  // A good reload: `gated` is now off, `steady` is unchanged and must keep running.
  WriteAtomically(dir / "policy.yml", Policy(ksm->host(), steady, "${env.GATE} == 'closed'"));
  ASSERT_TRUE(agent.WaitForLog("policy reloaded")) << agent.log();
  EXPECT_TRUE(Eventually([&] { return agent.InputState("gated") == "stopped"; }, absl::Seconds(5)));
  EXPECT_EQ(agent.InputState("steady"), "running");
  EXPECT_FALSE(absl::StrContains(agent.log(), "input steady stopped")) << agent.log();

  // A bad reload: logged, and nothing changes.
  WriteAtomically(dir / "policy.yml", "inputs: [\n  - id: broken\n    type: [unclosed\n");
  ASSERT_TRUE(agent.WaitForLog("policy reload rejected")) << agent.log();
  EXPECT_EQ(agent.InputState("steady"), "running");
  EXPECT_EQ(agent.InputState("gated"), "stopped");
  absl::SleepFor(absl::Seconds(1));  // steady keeps producing across both reloads

  agent.Signal(SIGTERM);
  ASSERT_EQ(agent.Wait(), 0) << agent.log();
  // `steady` never stopped: no gap longer than a few periods, and no scrape written twice.
  std::vector<absl::Time> scrapes;
  std::set<std::string> seen;
  for (const auto& event : agent.Events()) {
    if (event["input"]["id"] != "steady") continue;
    const std::string key = event["@timestamp"].get<std::string>() + "/" +
                            event["kubernetes"]["container"]["name"].get<std::string>() + "/" +
                            event["kubernetes"]["pod"]["name"].get<std::string>();
    EXPECT_TRUE(seen.insert(key).second) << "duplicate event " << key;
    absl::Time at;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, event["@timestamp"].get<std::string>(), &at,
                                &error));
    if (scrapes.empty() || scrapes.back() != at) scrapes.push_back(at);
  }
  ASSERT_GE(scrapes.size(), 5u);
  for (size_t i = 1; i < scrapes.size(); ++i) {
    EXPECT_LT(scrapes[i] - scrapes[i - 1], absl::Seconds(2)) << "a gap in steady's events";
  }
}

}  // namespace
}  // namespace gatehouse
