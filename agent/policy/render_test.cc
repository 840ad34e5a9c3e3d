// Conditions in policies, copies per dynamic mapping, processors and de-duplication (POLICY.md,
// CONDITIONS.md "Where conditions apply in a policy").
#include "agent/policy/render.h"

#include <memory>
#include <string>
#include <vector>

#include "agent/policy/loader.h"
#include "conditions/conditions.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::policy {
namespace {

Value Context(bool leader) {
  return Value(Value::Map{
      {"kubernetes_leaderelection", Value(Value::Map{{"leader", Value(leader)}})},
      {"host", Value(Value::Map{{"platform", Value("linux")}})},
      {"env", Value(Value::Map{{"NODE_NAME", Value("n1")}})},
  });
}

LoadOptions Options(conditions::VariableResolver* resolver) {
  LoadOptions options;
  options.resolver = resolver;
  options.find_provider = [](absl::string_view name) -> std::optional<ProviderInfo> {
    return ProviderInfo{name == "pods", nullptr};
  };
  options.input_supported = [](absl::string_view) { return true; };
  return options;
}

RenderResult RenderOne(const std::string& yaml, const Value& context, bool strict = false) {
  conditions::MapVariables vars(context);
  auto policy = LoadPolicyText(yaml, "r.yml", Options(&vars));
  EXPECT_OK(policy);
  if (!policy.ok() || policy->inputs.empty()) return RenderResult{};
  return RenderInput(policy->inputs[0], vars, strict || policy->strict);
}

TEST(RenderTest, FalseConditionOnStreamRemovesItTrueRemovesTheKey) {
  const std::string yaml = R"(
inputs:
  - id: m
    type: t
    streams:
      - {name: always, condition: true}
      - {name: leader, condition: '${kubernetes_leaderelection.leader} == true'}
      - {name: plain}
)";
  RenderResult on = RenderOne(yaml, Context(true));
  ASSERT_TRUE(on.on) << on.reason;
  EXPECT_EQ(on.config.ToJson(),
            R"({"id":"m","streams":[{"name":"always"},{"name":"leader"},{"name":"plain"}],"type":"t"})");
  RenderResult off = RenderOne(yaml, Context(false));
  ASSERT_TRUE(off.on);
  EXPECT_EQ(off.config.Find("streams")->as_list().size(), 2u);
  EXPECT_EQ(off.evaluations, 2);
}

TEST(RenderTest, InputWhoseStreamsAreAllRemovedIsDropped) {
  RenderResult r = RenderOne(R"(
inputs:
  - id: m
    type: t
    streams:
      - {condition: '${kubernetes_leaderelection.leader}'}
)",
                             Context(false));
  EXPECT_FALSE(r.on);
  EXPECT_EQ(r.reason,
            "the conditions of all its streams are false: '${kubernetes_leaderelection.leader}'");
  ASSERT_EQ(r.variables.size(), 1u);
  EXPECT_EQ(r.variables[0].first, "kubernetes_leaderelection.leader");
  EXPECT_EQ(r.variables[0].second, Value(false));
}

TEST(RenderTest, InputLevelConditionAndDeeperMappings) {
  const std::string yaml = R"(
inputs:
  - id: m
    type: t
    condition: ${host.platform} == 'linux'
    ssl: {verification: full, condition: "${env.NODE_NAME} == 'other'"}
)";
  RenderResult r = RenderOne(yaml, Context(true));
  ASSERT_TRUE(r.on) << r.reason;
  EXPECT_EQ(r.config.ToJson(), R"({"id":"m","type":"t"})");
  RenderResult off = RenderOne(R"(
inputs:
  - id: w
    type: t
    condition: ${host.platform} == 'windows'
)",
                               Context(true));
  EXPECT_FALSE(off.on);
  EXPECT_EQ(off.reason, "condition '${host.platform} == 'windows'' is false");
  EXPECT_FALSE(off.failed);
}

TEST(RenderTest, FailingConditionDisablesTheInputWithTheReason) {
  RenderResult r = RenderOne(R"(
inputs:
  - id: m
    type: t
    condition: ${host.platform} > 1
)",
                             Context(true));
  EXPECT_FALSE(r.on);
  EXPECT_TRUE(r.failed);
  EXPECT_NE(r.reason.find("r.yml:5:16 failed:"), std::string::npos) << r.reason;
}

TEST(RenderTest, StrictModeMakesAMissingVariableAnError) {
  const std::string yaml = R"(
inputs:
  - id: m
    type: t
    condition: ${nope.x} == 1
)";
  RenderResult lax = RenderOne(yaml, Context(true));
  EXPECT_FALSE(lax.on);
  EXPECT_FALSE(lax.failed);
  RenderResult strict = RenderOne(yaml, Context(true), /*strict=*/true);
  EXPECT_FALSE(strict.on);
  EXPECT_TRUE(strict.failed);
  EXPECT_NE(strict.reason.find("nope.x"), std::string::npos) << strict.reason;
}

TEST(RenderTest, MissingReferenceDropsTheInputWithAReason) {
  RenderResult r = RenderOne(R"(
inputs:
  - id: m
    type: t
    hosts: ['${env.MISSING}:80']
)",
                             Context(true));
  EXPECT_FALSE(r.on);
  EXPECT_EQ(r.reason, "no value for ${env.MISSING} at r.yml:5:13 and no fallback");
}

// A reader over context + one pod's variables under `pods.`.
class PodReader : public conditions::VariableReader {
 public:
  PodReader(const conditions::MapVariables& context, Value root)
      : context_(context), pod_(std::move(root)) {}
  void Bind(conditions::Slot slot, const std::string& path) {
    if (path.rfind("pods.", 0) == 0) {
      if (bound_.size() <= slot) bound_.resize(slot + 1);
      bound_[slot] = pod_.FindPath(path.substr(5));
      is_pod_.resize(bound_.size());
      is_pod_[slot] = true;
    }
  }
  const Value* Read(conditions::Slot slot) const override {
    if (slot < is_pod_.size() && is_pod_[slot]) return bound_[slot];
    return context_.Read(slot);
  }

 private:
  const conditions::MapVariables& context_;
  Value pod_;
  std::vector<const Value*> bound_;
  std::vector<bool> is_pod_;
};

TEST(RenderTest, OneCopyPerMappingWithIdsProcessorsAndDeDuplication) {
  conditions::MapVariables vars(Context(true));
  ASSERT_OK_AND_ASSIGN(Policy policy, LoadPolicyText(R"(
inputs:
  - id: logs
    type: t
    processors: [{drop_fields: {fields: [x]}}]
    streams:
      - paths: ['/var/log/${pods.name}.log']
  - id: by-label
    type: t
    condition: ${pods.app} == 'web'
)",
                                                     "c.yml", Options(&vars)));
  const std::vector<std::pair<std::string, Value>> pods = {
      {"a", Value(Value::Map{{"name", Value("web-1")}, {"app", Value("web")}})},
      {"b", Value(Value::Map{{"name", Value("web-2")}, {"app", Value("web")}})},
      {"c", Value(Value::Map{{"name", Value("db-1")}, {"app", Value("db")}})},
  };
  const Value processors(Value::List{Value(Value::Map{{"add_fields", Value(Value::Map{})}})});
  std::vector<std::unique_ptr<PodReader>> readers;
  std::vector<MappingView> views;
  for (const auto& [id, pod] : pods) {
    readers.push_back(std::make_unique<PodReader>(vars, pod));
    for (const char* path : {"pods.name", "pods.app"}) readers.back()->Bind(vars.Intern(path), path);
    views.push_back(MappingView{id, readers.back().get(), id == "c" ? nullptr : &processors});
  }
  auto is_dynamic = [](absl::string_view ns) { return ns == "pods"; };
  const std::string provider = DynamicProviderOf(policy.inputs[0], is_dynamic);
  EXPECT_EQ(provider, "pods");
  std::vector<RenderResult> logs =
      RenderInputCopies(policy.inputs[0], vars, provider, views, false);
  ASSERT_EQ(logs.size(), 3u);
  EXPECT_EQ(logs[0].id, "logs-pods-a");
  EXPECT_EQ(logs[0].config.ToJson(),
            R"({"id":"logs-pods-a","original_id":"logs","processors":[{"add_fields":{}},)"
            R"({"drop_fields":{"fields":["x"]}}],"streams":[{"paths":["/var/log/web-1.log"]}],)"
            R"("type":"t"})");
  EXPECT_EQ(logs[2].config.Find("processors")->as_list().size(), 1u);
  // by-label renders identically for pods a and b: kept once. Pod c is off.
  std::vector<RenderResult> labelled =
      RenderInputCopies(policy.inputs[1], vars, "pods", views, false);
  ASSERT_EQ(labelled.size(), 2u);
  EXPECT_EQ(labelled[0].id, "by-label-pods-a");
  EXPECT_TRUE(labelled[0].on);
  EXPECT_FALSE(labelled[1].on);
  EXPECT_EQ(labelled[1].id, "by-label-pods-c");
  // No mappings: one off result that says so.
  std::vector<RenderResult> none = RenderInputCopies(policy.inputs[1], vars, "pods", {}, false);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].reason, "dynamic provider 'pods' has no mappings");
}

TEST(RenderTest, ReRenderingInPlaceDropsACopyThatBecameIdenticalAndBringsItBack) {
  conditions::MapVariables vars(Context(true));
  ASSERT_OK_AND_ASSIGN(Policy policy, LoadPolicyText(R"(
inputs:
  - id: by-label
    type: t
    condition: ${pods.app} == 'web'
)",
                                                     "c.yml", Options(&vars)));
  // Renders the copies of pods a and b (with these apps) over `copies`.
  auto render = [&](const char* app_a, const char* app_b, std::vector<RenderResult>* copies,
                    std::vector<RenderResult>* removed) {
    std::vector<std::unique_ptr<PodReader>> readers;
    std::vector<MappingView> views;
    for (const auto& [id, app] : {std::pair<const char*, const char*>{"a", app_a}, {"b", app_b}}) {
      readers.push_back(std::make_unique<PodReader>(vars, Value(Value::Map{{"app", Value(app)}})));
      readers.back()->Bind(vars.Intern("pods.app"), "pods.app");
      views.push_back(MappingView{id, readers.back().get(), nullptr});
    }
    RenderInputCopiesInto(policy.inputs[0], vars, "pods", views, false, copies, removed);
  };
  std::vector<RenderResult> copies, removed;
  render("db", "web", &copies, &removed);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_FALSE(copies[0].on);
  EXPECT_TRUE(copies[1].on);
  // Unchanged: rendered in place, nothing dropped.
  render("db", "web", &copies, &removed);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_TRUE(removed.empty());
  // a turns on with the same config as b: the first (a) is kept, b is dropped.
  render("web", "web", &copies, &removed);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].id, "by-label-pods-a");
  EXPECT_TRUE(copies[0].on);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].id, "by-label-pods-b");
  // a off again: b comes back.
  removed.clear();
  render("db", "web", &copies, &removed);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_FALSE(copies[0].on);
  EXPECT_EQ(copies[1].id, "by-label-pods-b");
  EXPECT_TRUE(copies[1].on);
  EXPECT_TRUE(removed.empty());
}

}  // namespace
}  // namespace gatehouse::policy
