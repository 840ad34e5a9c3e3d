// PolicySnapshot: pinned variables (shape errors, unregistered dynamic providers, copies,
// de-duplication, strict mode) and the static providers run once (local_dynamic, host).
#include "agent/cli/policy_snapshot.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPodCopies[] = "testdata/policies/pod_copies.yml";
constexpr char kPodVars[] = "testdata/policies/pod_copies.vars.yml";

const policy::RenderResult* FindCopy(const PolicySnapshot& snapshot, const std::string& id) {
  for (const RenderedInput& input : snapshot.inputs()) {
    for (const policy::RenderResult& copy : input.copies) {
      if (copy.id == id) return &copy;
    }
  }
  return nullptr;
}

TEST(ParsePinnedVariablesTest, ReadsContextAndDynamic) {
  ASSERT_OK_AND_ASSIGN(PinnedVariables pinned, ParsePinnedVariables(R"({
      "context": {"kubernetes_leaderelection": {"leader": true}},
      "dynamic": {"kubernetes": [{"id": 7, "mapping": {"pod": {"name": "a"}},
                                  "processors": [{"drop_fields": {"fields": ["x"]}}]}]}})",
                                                                  "vars.json"));
  ASSERT_EQ(pinned.context.count("kubernetes_leaderelection"), 1u);
  EXPECT_EQ(*pinned.context["kubernetes_leaderelection"].Find("leader"), Value(true));
  ASSERT_EQ(pinned.dynamic["kubernetes"].size(), 1u);
  EXPECT_EQ(pinned.dynamic["kubernetes"][0].id, "7");
  EXPECT_TRUE(pinned.dynamic["kubernetes"][0].processors.is_list());
}

TEST(ParsePinnedVariablesTest, ErrorsNameFileAndKey) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[1, 2]", "vars.yml: (top level): must be a mapping"},
      {"contexts: {}", "vars.yml: contexts: unknown key"},
      {"context: {env: 3}", "vars.yml: context.env: must be a mapping of variables"},
      {"dynamic: {kubernetes: {id: a}}", "vars.yml: dynamic.kubernetes: must be a list"},
      {"dynamic: {kubernetes: [{mapping: {}}]}", "vars.yml: dynamic.kubernetes[0].id: a scalar"},
      {"dynamic: {kubernetes: [{id: a}, {id: a}]}", "dynamic.kubernetes[1].id: duplicate id 'a'"},
      {"dynamic: {kubernetes: [{id: a, mapping: 3}]}", "dynamic.kubernetes[0].mapping: must be"},
      {"dynamic: {kubernetes: [{id: a, processors: {}}]}", "[0].processors: must be a list"},
      {"dynamic: {kubernetes: [{id: a, vars: {}}]}", "dynamic.kubernetes[0].vars: unknown key"},
      {"context: {k: {}}\ndynamic: {k: []}", "dynamic.k: a provider is either context or"},
      {"context: [", "vars.yml: "},
  };
  for (const Case& c : cases) {
    absl::StatusOr<PinnedVariables> pinned = ParsePinnedVariables(c.text, "vars.yml");
    ASSERT_FALSE(pinned.ok()) << c.text;
    EXPECT_EQ(pinned.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(pinned.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(PolicySnapshotTest, PinnedDynamicProviderCopiesEveryInputThatReadsIt) {
  ASSERT_OK_AND_ASSIGN(auto snapshot, PolicySnapshot::Create({kPodCopies, kPodVars, false}));
  EXPECT_EQ(snapshot->variables_source(), std::string("--vars ") + kPodVars);
  // `kubernetes` is not registered, but pinned: no "no provider" warning about it.
  for (const std::string& warning : snapshot->policy().warnings) {
    EXPECT_THAT(warning, Not(HasSubstr("'kubernetes.'"))) << warning;
  }
  ASSERT_EQ(snapshot->inputs().size(), 5u);
  const RenderedInput& pods = snapshot->inputs()[0];
  EXPECT_EQ(pods.dynamic_provider, "kubernetes");
  // web-1-again renders identically to web-1 (ids aside): kept once.
  ASSERT_EQ(pods.copies.size(), 2u);

  const policy::RenderResult* web = FindCopy(*snapshot, "pod-metrics-kubernetes-web-1");
  ASSERT_NE(web, nullptr);
  ASSERT_TRUE(web->on) << web->reason;
  EXPECT_EQ(*web->config.Find("original_id"), Value("pod-metrics"));
  EXPECT_EQ(web->config.FindPath("streams")->as_list()[0].Find("hosts")->as_list()[0],
            Value("10.0.0.1:9090"));
  // The mapping's processors first, then the input's own.
  const Value::List& processors = web->config.Find("processors")->as_list();
  ASSERT_EQ(processors.size(), 2u);
  EXPECT_NE(processors[0].Find("add_fields"), nullptr);
  EXPECT_NE(processors[1].Find("drop_fields"), nullptr);

  const policy::RenderResult* db = FindCopy(*snapshot, "pod-metrics-kubernetes-db-1");
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(db->on);
  EXPECT_THAT(db->reason, HasSubstr("${kubernetes.labels.scrape} == 'yes'"));
  ASSERT_EQ(db->variables.size(), 1u);
  EXPECT_EQ(db->variables[0].first, "kubernetes.labels.scrape");
  EXPECT_EQ(db->variables[0].second, Value("no"));

  const policy::RenderResult* cluster = FindCopy(*snapshot, "cluster-metrics");
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->on) << cluster->reason;
  EXPECT_EQ(cluster->config.Find("streams")->as_list()[0].Find("hosts")->as_list()[0],
            Value("ksm.kube-system:8080"));

  const policy::RenderResult* api = FindCopy(*snapshot, "needs-api-host");
  ASSERT_NE(api, nullptr);
  EXPECT_FALSE(api->on);
  EXPECT_THAT(api->reason, HasSubstr("no value for ${env.API_HOST}"));
  EXPECT_THAT(api->reason, HasSubstr("pod_copies.yml:25:"));

  const policy::RenderResult* debug = FindCopy(*snapshot, "debug-only");
  ASSERT_NE(debug, nullptr);
  EXPECT_FALSE(debug->on);
  EXPECT_FALSE(debug->failed);
  ASSERT_EQ(debug->variables.size(), 1u);
  EXPECT_TRUE(debug->variables[0].second.is_null());  // missing

  EXPECT_FALSE(snapshot->inputs()[4].spec->supported);  // logfile
}

TEST(PolicySnapshotTest, StrictMakesAMissingVariableAFailure) {
  ASSERT_OK_AND_ASSIGN(auto snapshot, PolicySnapshot::Create({kPodCopies, kPodVars, true}));
  EXPECT_TRUE(snapshot->strict());
  const policy::RenderResult* debug = FindCopy(*snapshot, "debug-only");
  ASSERT_NE(debug, nullptr);
  EXPECT_FALSE(debug->on);
  EXPECT_TRUE(debug->failed);
  EXPECT_THAT(debug->reason, HasSubstr("env.MODE"));
}

TEST(PolicySnapshotTest, WithoutVarsTheStaticProvidersRunOnce) {
  // pods.yml: local_dynamic items (one copy each) and a host condition.
  ASSERT_OK_AND_ASSIGN(auto snapshot,
                       PolicySnapshot::Create({"testdata/policies/pods.yml", "", false}));
  EXPECT_THAT(snapshot->variables_source(), HasSubstr("local_dynamic"));
  EXPECT_THAT(snapshot->variables_source(), HasSubstr("host"));
  const policy::RenderResult* web = FindCopy(*snapshot, "pod-logs-local_dynamic-0");
  ASSERT_NE(web, nullptr) << snapshot->inputs()[0].copies[0].id;
  ASSERT_TRUE(web->on) << web->reason;
  EXPECT_EQ(web->config.Find("streams")->as_list()[0].Find("hosts")->as_list()[0],
            Value("10.0.0.1:9090"));
  // host.platform is read from this machine (not windows), so the windows gate is off.
  const policy::RenderResult* gated = FindCopy(*snapshot, "platform-gated");
  ASSERT_NE(gated, nullptr);
  EXPECT_FALSE(gated->on);
  ASSERT_EQ(gated->variables.size(), 1u);
  EXPECT_EQ(gated->variables[0].first, "host.platform");
  ASSERT_TRUE(gated->variables[0].second.is_string());
  EXPECT_NE(gated->variables[0].second.as_string(), "windows");
}

TEST(PolicySnapshotTest, ProvidersThatNeedAClusterAreNotRunButNoted) {
  ASSERT_OK_AND_ASSIGN(auto snapshot,
                       PolicySnapshot::Create({"testdata/policies/leader_gated.yml", "", false}));
  ASSERT_FALSE(snapshot->notes().empty());
  EXPECT_THAT(snapshot->notes()[0], HasSubstr("'kubernetes_leaderelection' was not run"));
  const policy::RenderResult* cluster = FindCopy(*snapshot, "kubernetes-cluster-metrics");
  ASSERT_NE(cluster, nullptr);
  EXPECT_FALSE(cluster->on);
  EXPECT_THAT(cluster->reason, HasSubstr("the conditions of all its streams are false: "
                                             "'${kubernetes_leaderelection.leader} == true'"));
}

TEST(PolicySnapshotTest, PolicyAndVarsErrorsAreInvalidArgument) {
  absl::StatusOr<std::unique_ptr<PolicySnapshot>> bad =
      PolicySnapshot::Create({"testdata/policies/bad_condition.yml", "", false});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("bad_condition.yml:8:52: error:"));

  bad = PolicySnapshot::Create({kPodCopies, "testdata/policies/no-such-vars.yml", false});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("no-such-vars.yml: cannot open"));
}

}  // namespace
}  // namespace gatehouse::cli
