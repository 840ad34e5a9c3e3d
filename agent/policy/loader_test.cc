#include "agent/policy/loader.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/policy/render.h"
#include "agent/registry/options.h"
#include "conditions/conditions.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::policy {
namespace {

const char kDir[] = "testdata/policies/";

LoadOptions TestOptions(conditions::VariableResolver* resolver) {
  LoadOptions options;
  options.resolver = resolver;
  options.find_provider = [](absl::string_view name) -> std::optional<ProviderInfo> {
    if (name == "env" || name == "host" || name == "kubernetes_leaderelection" ||
        name == "agent") {
      return ProviderInfo{};
    }
    if (name == "local_dynamic") return ProviderInfo{true, nullptr};
    return std::nullopt;
  };
  options.input_supported = [](absl::string_view type) { return type == "kubernetes/metrics"; };
  return options;
}

bool HasWarning(const Policy& policy, absl::string_view fragment) {
  for (const std::string& w : policy.warnings) {
    if (w.find(std::string(fragment)) != std::string::npos) return true;
  }
  return false;
}

TEST(LoaderTest, LoadsTheLeaderGatedPolicy) {
  conditions::MapVariables vars(Value(Value::Map{}));
  ASSERT_OK_AND_ASSIGN(Policy policy,
                       LoadPolicyFile(std::string(kDir) + "leader_gated.yml", TestOptions(&vars)));
  ASSERT_EQ(policy.inputs.size(), 2u);
  EXPECT_EQ(policy.inputs[0].id, "kubernetes-cluster-metrics");
  ASSERT_EQ(policy.inputs[0].conditions.size(), 1u);
  EXPECT_EQ(policy.inputs[0].conditions[0].where, "inputs[0].streams[0]");
  EXPECT_EQ(policy.inputs[0].conditions[0].position.line, 23);
  EXPECT_EQ(policy.inputs[0].namespaces, std::vector<std::string>{"kubernetes_leaderelection"});
  EXPECT_EQ(policy.inputs[1].namespaces, std::vector<std::string>{"env"});
  EXPECT_FALSE(policy.strict);
  EXPECT_EQ(policy.providers.at("kubernetes_leaderelection").position.line, 5);
  EXPECT_TRUE(policy.warnings.empty()) << policy.warnings.front();
}

TEST(LoaderTest, ConditionErrorPointsIntoTheFileWithACaret) {
  conditions::MapVariables vars(Value(Value::Map{}));
  auto policy = LoadPolicyFile(std::string(kDir) + "bad_condition.yml", TestOptions(&vars));
  ASSERT_FALSE(policy.ok());
  const std::string message(policy.status().message());
  EXPECT_EQ(message.rfind("testdata/policies/bad_condition.yml:8:52: error: condition:", 0), 0u)
      << message;
  EXPECT_NE(message.find("nosuchfn"), std::string::npos) << message;
  EXPECT_NE(message.find("inputs[0].streams[0].condition"), std::string::npos) << message;
  // The source line, then a caret under column 52.
  EXPECT_NE(message.find("\n  " + std::string(51, ' ') + "^"), std::string::npos) << message;
}

TEST(LoaderTest, MissingOutputIsAnError) {
  conditions::MapVariables vars(Value(Value::Map{}));
  auto policy = LoadPolicyFile(std::string(kDir) + "bad_output.yml", TestOptions(&vars));
  EXPECT_STATUS(policy, absl::StatusCode::kInvalidArgument,
                "bad_output.yml:6:17: error: output 'elsewhere' is not defined under 'outputs'");
  EXPECT_STATUS(policy, absl::StatusCode::kInvalidArgument, "key 'inputs[0].use_output'");
}

TEST(LoaderTest, BadReferenceIsAPositionedError) {
  conditions::MapVariables vars(Value(Value::Map{}));
  auto policy = LoadPolicyFile(std::string(kDir) + "bad_reference.yml", TestOptions(&vars));
  EXPECT_STATUS(policy, absl::StatusCode::kInvalidArgument,
                "bad_reference.yml:7:28: error: character '+' is not allowed");
  EXPECT_STATUS(policy, absl::StatusCode::kInvalidArgument, "key 'inputs[0].streams[0].hosts[0]'");
}

TEST(LoaderTest, UnsupportedTypesUnknownProvidersAndNamespacesAreWarnings) {
  conditions::MapVariables vars(Value(Value::Map{}));
  ASSERT_OK_AND_ASSIGN(Policy policy, LoadPolicyText(R"(
providers.nosuch: {a: 1}
inputs:
  - id: logs
    type: filestream
    paths: ['/var/log/${kubernets.pod.name}.log']
)",
                                                     "w.yml", TestOptions(&vars)));
  ASSERT_EQ(policy.inputs.size(), 1u);
  EXPECT_FALSE(policy.inputs[0].supported);
  EXPECT_TRUE(HasWarning(policy, "w.yml:5:11: warning: input 'logs': type 'filestream' is not "
                                 "supported"));
  EXPECT_TRUE(HasWarning(policy, "w.yml:2:1: warning: provider 'nosuch' is not available"));
  EXPECT_TRUE(HasWarning(policy, "no provider publishes variables under 'kubernets.'"));
}

TEST(LoaderTest, AgentSettingsAndDottedKeys) {
  conditions::MapVariables vars(Value(Value::Map{}));
  ASSERT_OK_AND_ASSIGN(Policy policy, LoadPolicyText(R"(
agent.conditions.strict: true
agent:
  providers.default: host
  render.threads: 3
  monitoring: {enabled: true, use_output: default}
outputs.default.type: console
inputs:
  - id: a
    type: kubernetes/metrics
    ssl.certificate_authorities: [/ca.crt]
    ssl: {verification_mode: none}
    streams:
      - hosts: ['${platform}']
)",
                                                     "a.yml", TestOptions(&vars)));
  EXPECT_TRUE(policy.strict);
  EXPECT_EQ(policy.default_provider, "host");
  EXPECT_EQ(policy.render_threads, 3);
  EXPECT_EQ(policy.monitoring.ToJson(), R"({"enabled":true,"use_output":"default"})");
  EXPECT_EQ(policy.inputs[0].namespaces, std::vector<std::string>{"host"});
}

TEST(LoaderTest, LoadErrorsNameTheKey) {
  conditions::MapVariables vars(Value(Value::Map{}));
  const LoadOptions options = TestOptions(&vars);
  EXPECT_STATUS(LoadPolicyText("inputs:\n  - id: x\n", "e.yml", options),
                absl::StatusCode::kInvalidArgument, "e.yml:2:5: error: an input needs a 'type'");
  EXPECT_STATUS(LoadPolicyText("inputs:\n  - {id: x, type: t}\n  - {id: x, type: t}\n", "e.yml",
                               options),
                absl::StatusCode::kInvalidArgument, "e.yml:3:10: error: duplicate input id 'x'");
  EXPECT_STATUS(LoadPolicyText("inputs:\n  - type: t\n    condition: [1]\n", "e.yml", options),
                absl::StatusCode::kInvalidArgument, "must be a string or a boolean");
  EXPECT_STATUS(
      LoadPolicyText("inputs:\n  - type: kubernetes/metrics\n    processors: [{add_feld: {}}]\n",
                     "e.yml", options),
      absl::StatusCode::kInvalidArgument, "e.yml:3:17: error: ");
  EXPECT_STATUS(
      LoadPolicyText("inputs:\n  - type: kubernetes/metrics\n    processors: [{add_feld: {}}]\n",
                     "e.yml", options),
      absl::StatusCode::kInvalidArgument, "add_feld");
  EXPECT_STATUS(LoadPolicyText("agent: {conditions: {strict: maybe}}\n", "e.yml", options),
                absl::StatusCode::kInvalidArgument, "key 'agent.conditions.strict'");
  for (const char* threads : {"0", "-1", "two", "1.5", "65"}) {
    EXPECT_STATUS(LoadPolicyText(absl::StrCat("agent: {render: {threads: ", threads, "}}\n"),
                                 "e.yml", options),
                  absl::StatusCode::kInvalidArgument,
                  "e.yml:1:27: error: 'threads' must be an integer from 1 to 64 (key "
                  "'agent.render.threads')");
  }
  ASSERT_OK_AND_ASSIGN(Policy unset, LoadPolicyText("inputs: []\n", "u.yml", options));
  EXPECT_EQ(unset.render_threads, 0);
}

TEST(LoaderTest, ProviderOptionsAreCheckedWithTheKeyPosition) {
  conditions::MapVariables vars(Value(Value::Map{}));
  LoadOptions options = TestOptions(&vars);
  options.find_provider = [](absl::string_view name) -> std::optional<ProviderInfo> {
    ProviderInfo info;
    static const ::gatehouse::OptionTable table = {{"leader_lease", OptionType::kString, Value("x"), "", false}};
    info.apply_options = [](const Value& v) {
      static const std::vector<std::string> kPass = {"enabled"};
      return ::gatehouse::ApplyOptions(v, table, "provider 'kubernetes_leaderelection'", kPass);
    };
    return info;
  };
  auto policy = LoadPolicyText("providers:\n  kubernetes_leaderelection:\n    leader_laese: y\n",
                               "o.yml", options);
  EXPECT_STATUS(policy, absl::StatusCode::kInvalidArgument, "o.yml:3:5: error: ");
  EXPECT_STATUS(policy, absl::StatusCode::kInvalidArgument, "leader_laese");
}

TEST(LoaderTest, LoadsTheElasticKubernetesPolicy) {
  const std::string path = "../shared/policies/elastic-agent-standalone-kubernetes.yml";
  const char* shared = std::getenv("GATEHOUSE_SHARED_DIR");
  const std::string full = shared != nullptr
                               ? std::string(shared) + "/policies/elastic-agent-standalone-kubernetes.yml"
                               : "/work/shared/policies/elastic-agent-standalone-kubernetes.yml";
  if (!std::ifstream(full).good()) GTEST_SKIP() << "no " << full;
  conditions::MapVariables vars(Value(Value::Map{
      {"kubernetes_leaderelection", Value(Value::Map{{"leader", Value(true)}})}}));
  ASSERT_OK_AND_ASSIGN(Policy policy, LoadPolicyFile(full, TestOptions(&vars)));
  EXPECT_TRUE(HasWarning(policy, "type 'filestream' is not supported"));
  ASSERT_GE(policy.inputs.size(), 6u);
  const InputSpec& cluster = policy.inputs[0];
  EXPECT_EQ(cluster.id, "kubernetes-cluster-metrics");
  EXPECT_EQ(cluster.conditions[0].text, "${kubernetes_leaderelection.leader} == true");
  (void)path;
}

}  // namespace
}  // namespace gatehouse::policy
