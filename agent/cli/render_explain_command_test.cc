// `gatehouse render` and `gatehouse explain` through the real binary: JSON shape, copies and
// processors, exit codes and diagnostics, no colour when stdout is not a terminal, and Elastic's
// own Kubernetes policy (read from /work/shared when present) gated on the leader variable.

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/agent_process.h"

namespace gatehouse::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kPodCopies[] = "testdata/policies/pod_copies.yml";
constexpr char kPodVars[] = "testdata/policies/pod_copies.vars.yml";
constexpr char kElasticPolicy[] =
    "/work/shared/policies/elastic-agent-standalone-kubernetes.yml";

using ProcessResult = testing::CommandResult;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs `gatehouse <args>`, the arguments separated by spaces (none here needs quoting).
ProcessResult Gatehouse(const std::string& args) {
  return testing::RunGatehouse(absl::StrSplit(args, ' ', absl::SkipEmpty()));
}

nlohmann::json RenderJson(const std::string& args) {
  ProcessResult run = Gatehouse("render " + args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(json.is_discarded()) << run.out;
  return json;
}

const nlohmann::json* FindById(const nlohmann::json& list, const std::string& id) {
  for (const nlohmann::json& item : list) {
    if (item.value("id", "") == id) return &item;
  }
  return nullptr;
}

TEST(RenderCommandTest, PrintsOnCopiesWithConfigAndOffWithReasons) {
  nlohmann::json json = RenderJson(std::string("--policy ") + kPodCopies + " --vars " + kPodVars);
  ASSERT_TRUE(json["inputs"].is_array());
  ASSERT_TRUE(json["off"].is_array());
  // On: one pod copy (its duplicate dropped) and the leader-gated input.
  ASSERT_EQ(json["inputs"].size(), 2u) << json.dump(2);
  const nlohmann::json* web = FindById(json["inputs"], "pod-metrics-kubernetes-web-1");
  ASSERT_NE(web, nullptr) << json.dump(2);
  EXPECT_EQ((*web)["original_id"], "pod-metrics");
  EXPECT_EQ((*web)["type"], "kubernetes/metrics");
  EXPECT_EQ((*web)["streams"][0]["hosts"][0], "10.0.0.1:9090");
  EXPECT_EQ((*web)["streams"][0]["period"], "10s");
  EXPECT_FALSE(web->contains("condition"));
  ASSERT_EQ((*web)["processors"].size(), 2u);
  EXPECT_EQ((*web)["processors"][0]["add_fields"]["fields"]["pod"], "web-1");
  EXPECT_TRUE((*web)["processors"][1].contains("drop_fields"));
  const nlohmann::json* cluster = FindById(json["inputs"], "cluster-metrics");
  ASSERT_NE(cluster, nullptr);
  EXPECT_EQ((*cluster)["streams"][0]["hosts"][0], "ksm.kube-system:8080");

  const nlohmann::json* db = FindById(json["off"], "pod-metrics-kubernetes-db-1");
  ASSERT_NE(db, nullptr) << json.dump(2);
  EXPECT_THAT((*db)["reason"].get<std::string>(), HasSubstr("${kubernetes.labels.scrape}"));
  const nlohmann::json* api = FindById(json["off"], "needs-api-host");
  ASSERT_NE(api, nullptr);
  EXPECT_THAT((*api)["reason"].get<std::string>(), HasSubstr("no value for ${env.API_HOST}"));
  const nlohmann::json* logs = FindById(json["off"], "system-logs");
  ASSERT_NE(logs, nullptr);
  EXPECT_THAT((*logs)["reason"].get<std::string>(), HasSubstr("'logfile' is not supported"));
  EXPECT_EQ(json["off"].size(), 4u) << json.dump(2);  // db-1, needs-api-host, debug-only, logs
}

TEST(RenderCommandTest, StrictTurnsAMissingConditionVariableIntoAFailure) {
  nlohmann::json json =
      RenderJson(std::string("--strict --policy ") + kPodCopies + " --vars " + kPodVars);
  const nlohmann::json* debug = FindById(json["off"], "debug-only");
  ASSERT_NE(debug, nullptr) << json.dump(2);
  EXPECT_THAT((*debug)["reason"].get<std::string>(), HasSubstr("failed"));
  EXPECT_THAT((*debug)["reason"].get<std::string>(), HasSubstr("env.MODE"));
}

TEST(RenderCommandTest, RunsStaticProvidersWithoutVars) {
  nlohmann::json json = RenderJson("--policy testdata/policies/pods.yml");
  // One copy per local_dynamic item; the windows-gated input is off on this (linux) machine.
  ASSERT_EQ(json["inputs"].size(), 2u) << json.dump(2);
  EXPECT_EQ(json["inputs"][0]["original_id"], "pod-logs");
  EXPECT_EQ(json["inputs"][1]["streams"][0]["hosts"][0], "10.0.0.2:9090");
  ASSERT_NE(FindById(json["off"], "platform-gated"), nullptr);
}

TEST(RenderCommandTest, PolicyErrorExitsTwoWithPositionedDiagnostic) {
  ProcessResult run = Gatehouse("render --policy testdata/policies/bad_condition.yml");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("testdata/policies/bad_condition.yml:8:52: error:"));
  EXPECT_EQ(run.out, "");
  run = Gatehouse("explain --policy testdata/policies/bad_reference.yml");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("testdata/policies/bad_reference.yml:"));
  EXPECT_THAT(run.err, HasSubstr(": error:"));
}

TEST(RenderCommandTest, BadVarsFileExitsTwoNamingTheKey) {
  const std::string vars = TempPath("bad_vars.yml");
  WriteFile(vars, "dynamic:\n  kubernetes:\n    - mapping: {pod: {name: a}}\n");
  ProcessResult run = Gatehouse(std::string("render --policy ") + kPodCopies + " --vars " + vars);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(vars + ": dynamic.kubernetes[0].id: a scalar id is required"));
}

TEST(ExplainCommandTest, ShowsStateConditionVariablesAndReason) {
  ProcessResult run =
      Gatehouse(std::string("explain --policy ") + kPodCopies + " --vars " + kPodVars);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, Not(HasSubstr("\033[")));  // stdout is a file: no colour
  EXPECT_THAT(run.out, HasSubstr("ON   pod-metrics-kubernetes-web-1"));
  EXPECT_THAT(run.out, HasSubstr("OFF  pod-metrics-kubernetes-db-1"));
  EXPECT_THAT(run.out, HasSubstr("kubernetes.labels.scrape = \"no\""));
  EXPECT_THAT(run.out, HasSubstr("condition  ${kubernetes_leaderelection.leader} == true"));
  EXPECT_THAT(run.out, HasSubstr("kubernetes_leaderelection.leader = true"));
  EXPECT_THAT(run.out, HasSubstr("env.MODE = missing"));
  EXPECT_THAT(run.out, HasSubstr("why: no value for ${env.API_HOST}"));
  EXPECT_THAT(run.out, HasSubstr("UNSUPPORTED system-logs"));
  EXPECT_THAT(run.out, HasSubstr("5 inputs: 2 on, 3 off, 0 failed, 1 unsupported"));
}

class ElasticPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::ifstream(kElasticPolicy)) GTEST_SKIP() << kElasticPolicy << " is not present";
  }

  // Pins the leader variable and the env variables the cluster-metrics streams read.
  std::string Vars(bool leader) {
    const std::string path = TempPath(leader ? "leader.yml" : "follower.yml");
    WriteFile(path, std::string("context:\n  kubernetes_leaderelection: {leader: ") +
                        (leader ? "true" : "false") +
                        "}\n  env: {KUBERNETES_SERVICE_HOST: 10.96.0.1, "
                        "KUBERNETES_SERVICE_PORT: '443'}\n  host: {platform: linux}\n");
    return path;
  }
};

TEST_F(ElasticPolicyTest, ClusterMetricsOnlyOnTheLeader) {
  nlohmann::json leader =
      RenderJson(std::string("--policy ") + kElasticPolicy + " --vars " + Vars(true));
  const nlohmann::json* on = FindById(leader["inputs"], "kubernetes-cluster-metrics");
  ASSERT_NE(on, nullptr) << leader.dump(2);
  EXPECT_EQ((*on)["streams"][0]["hosts"][0], "https://10.96.0.1:443");
  // Types this build lacks are reported, not fatal.
  const nlohmann::json* metrics = FindById(leader["off"], "system-metrics");
  ASSERT_NE(metrics, nullptr);
  EXPECT_THAT((*metrics)["reason"].get<std::string>(), HasSubstr("not supported"));

  nlohmann::json follower =
      RenderJson(std::string("--policy ") + kElasticPolicy + " --vars " + Vars(false));
  EXPECT_EQ(FindById(follower["inputs"], "kubernetes-cluster-metrics"), nullptr);
  const nlohmann::json* off = FindById(follower["off"], "kubernetes-cluster-metrics");
  ASSERT_NE(off, nullptr) << follower.dump(2);
  EXPECT_THAT((*off)["reason"].get<std::string>(),
              HasSubstr("${kubernetes_leaderelection.leader} == true"));
}

TEST_F(ElasticPolicyTest, PinnedKubernetesPodsGiveOneContainerLogCopyEach) {
  const std::string vars = TempPath("pods.yml");
  WriteFile(vars,
            "dynamic:\n  kubernetes:\n"
            "    - {id: a, mapping: {pod: {name: web}, container: {id: c1}}}\n"
            "    - {id: b, mapping: {pod: {name: db}, container: {id: c2}}}\n");
  nlohmann::json json = RenderJson(std::string("--policy ") + kElasticPolicy + " --vars " + vars);
  // Gatehouse has no filestream input (the Elastic policy uses it): both copies are reported
  // under "off", with their ids.
  EXPECT_NE(FindById(json["off"], "container-log-web-c1-kubernetes-a"), nullptr) << json.dump(2);
  EXPECT_NE(FindById(json["off"], "container-log-db-c2-kubernetes-b"), nullptr) << json.dump(2);
}

TEST_F(ElasticPolicyTest, ExplainNamesTheLeaderCondition) {
  ProcessResult run =
      Gatehouse(std::string("explain --policy ") + kElasticPolicy + " --vars " + Vars(false));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("OFF  kubernetes-cluster-metrics"));
  EXPECT_THAT(run.out, HasSubstr("kubernetes_leaderelection.leader = false"));
  EXPECT_THAT(run.out, HasSubstr("why: condition '${kubernetes_leaderelection.leader} == true' "
                                 "is false"));
}

}  // namespace
}  // namespace gatehouse::cli
