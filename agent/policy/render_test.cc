// Conditions in policies, copies per dynamic mapping, processors and de-duplication (POLICY.md,
// CONDITIONS.md "Where conditions apply in a policy").
#include "agent/policy/render.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/policy/loader.h"
#include "agent/policy/pods_load_options.h"
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

RenderResult RenderOne(const std::string& yaml, const Value& context, bool strict = false) {
  conditions::MapVariables vars(context);
  auto policy = LoadPolicyText(yaml, "r.yml", PodsLoadOptions(&vars));
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
                                                     "c.yml", PodsLoadOptions(&vars)));
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
                                                     "c.yml", PodsLoadOptions(&vars)));
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

// A re-render pairs a copy's top-level map with its previous config by position when that
// config holds every key of the template: whatever changes (ids, the mapping's processors, a
// key removed by its condition, a copy off and on again), each re-render must equal a fresh one.
TEST(RenderTest, ReRenderedCopiesEqualFreshOnesWhateverChangesAtTheTop) {
  conditions::MapVariables vars(Context(true));
  ASSERT_OK_AND_ASSIGN(Policy policy, LoadPolicyText(R"(
inputs:
  - id: logs-${pods.team}
    type: t
    condition: ${pods.on} == true
    processors: [{drop_fields: {fields: [x]}}]
    zone: ${pods.zone}
    extra: {condition: '${pods.extra} == true', level: 1}
    streams:
      - paths: ['/var/log/${pods.name}.log']
)",
                                                     "c.yml", PodsLoadOptions(&vars)));
  const Value processors(Value::List{Value(Value::Map{{"add_fields", Value(Value::Map{})}})});
  struct Pod {
    const char* team;
    bool on;
    const char* zone;
    bool extra;
    bool processors;
  };
  const std::vector<std::vector<Pod>> steps = {
      {{"a", true, "z1", true, true}, {"a", true, "z2", true, false}},
      {{"a", true, "z1", true, true}, {"a", true, "z2", true, false}},    // unchanged
      {{"a", true, "z1", true, false}, {"a", true, "z2", true, true}},    // processors swap
      {{"b", true, "z1", true, false}, {"a", true, "z3", true, true}},    // id, zone change
      {{"b", true, "z1", false, false}, {"a", true, "z3", true, true}},   // a key removed
      {{"b", true, "z1", false, false}, {"a", false, "z3", true, true}},  // a copy off
      {{"b", true, "z1", true, false}, {"a", true, "z3", true, true}},    // key back, copy on
      {{"b", true, "z1", true, false}, {"a", true, "z3", true, true}},    // unchanged
  };
  std::vector<RenderResult> copies, removed;
  for (size_t step = 0; step < steps.size(); ++step) {
    SCOPED_TRACE(step);
    std::vector<std::unique_ptr<PodReader>> readers;
    std::vector<MappingView> views;
    for (size_t i = 0; i < steps[step].size(); ++i) {
      const Pod& pod = steps[step][i];
      readers.push_back(std::make_unique<PodReader>(
          vars, Value(Value::Map{{"team", Value(pod.team)},
                                 {"on", Value(pod.on)},
                                 {"zone", Value(pod.zone)},
                                 {"extra", Value(pod.extra)},
                                 {"name", Value(absl::StrCat("p", i))}})));
      for (const char* path : {"pods.team", "pods.on", "pods.zone", "pods.extra", "pods.name"}) {
        readers.back()->Bind(vars.Intern(path), path);
      }
      views.push_back(MappingView{i == 0 ? "m0" : "m1", readers.back().get(),
                                  pod.processors ? &processors : nullptr});
    }
    RenderInputCopiesInto(policy.inputs[0], vars, "pods", views, false, &copies, &removed);
    const std::vector<RenderResult> fresh =
        RenderInputCopies(policy.inputs[0], vars, "pods", views, false);
    ASSERT_EQ(copies.size(), fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
      EXPECT_EQ(copies[i].id, fresh[i].id);
      EXPECT_EQ(copies[i].on, fresh[i].on);
      EXPECT_EQ(copies[i].reason, fresh[i].reason);
      if (!fresh[i].on) continue;  // an off copy keeps its last config
      EXPECT_EQ(copies[i].config.ToJson(), fresh[i].config.ToJson());
      // Composed from every key of the template (`extra` kept): laid out for the next render.
      const bool every_key = steps[step][i].extra;
      EXPECT_EQ(copies[i].layout_map != nullptr, every_key);
      if (every_key) {
        EXPECT_EQ(copies[i].layout_map, &copies[i].config.as_map());
      }
    }
  }
  EXPECT_EQ(copies[1].config.ToJson(),
            R"({"extra":{"level":1},"id":"logs-a-pods-m1","original_id":"logs-a",)"
            R"("processors":[{"add_fields":{}},{"drop_fields":{"fields":["x"]}}],)"
            R"("streams":[{"paths":["/var/log/p1.log"]}],"type":"t","zone":"z3"})");
}

}  // namespace
}  // namespace gatehouse::policy
