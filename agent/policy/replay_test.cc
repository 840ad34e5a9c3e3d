// Replaying a render (replay_plan.h): the plan's steps, a replay that keeps an unchanged config,
// and re-renders over changing variables that must equal fresh renders, replayed or not.
#include "agent/policy/replay_plan.h"

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "agent/policy/loader.h"
#include "agent/policy/pods_load_options.h"
#include "agent/policy/render.h"
#include "conditions/conditions.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::policy {
namespace {

// Slots interned once, as the store does; every reader reads them from its own root.
class Paths final : public conditions::VariableResolver {
 public:
  conditions::Slot Intern(absl::string_view path) override {
    auto [it, added] = slots_.emplace(std::string(path), paths_.size());
    if (added) paths_.emplace_back(path);
    return it->second;
  }
  const std::string& path(conditions::Slot slot) const { return paths_[slot]; }
  size_t size() const { return paths_.size(); }

 private:
  absl::flat_hash_map<std::string, conditions::Slot> slots_;
  std::vector<std::string> paths_;
};

class RootReader final : public conditions::VariableReader {
 public:
  RootReader(const Paths& paths, Value root) : paths_(paths), root_(std::move(root)) {}
  const Value* Read(conditions::Slot slot) const override {
    return slot < paths_.size() ? root_.FindPath(paths_.path(slot)) : nullptr;
  }

 private:
  const Paths& paths_;
  const Value root_;
};

Policy MustLoad(const std::string& yaml, Paths* paths) {
  absl::StatusOr<Policy> policy = LoadPolicyText(yaml, "replay.yml", PodsLoadOptions(paths));
  EXPECT_OK(policy);
  return policy.ok() ? *std::move(policy) : Policy{};
}

TEST(ReplayPlanTest, StepsFollowTheRenderOrderAndAFalseGateSkipsItsMap) {
  Paths paths;
  const Policy policy = MustLoad(R"(
inputs:
  - id: m
    type: t
    condition: ${pods.on} == true
    hosts: ['${pods.ip}:80', fixed]
    streams:
      - condition: ${pods.a} == 1
        x: ${pods.x}
        deeper: {condition: '${pods.b} == 1', y: '${pods.y}'}
      - condition: ${pods.c} == 1
        fixed: 1
      - z: ${pods.z}
)",
                                 &paths);
  ASSERT_EQ(policy.inputs.size(), 1u);
  const ReplayPlan* plan = policy.inputs[0].replay.get();
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->base_id, "m");
  EXPECT_EQ(plan->scalars, 4);
  // on; ip; a (skips x, b, y); x; b (skips y); y; c (a constant gate: nothing inside); z.
  struct Expected {
    int condition;
    int index;
    uint32_t skip;
  };
  const std::vector<Expected> expected = {{0, -1, 7}, {-1, 0, 0}, {1, -1, 3}, {-1, 1, 0},
                                          {2, -1, 1}, {-1, 2, 0}, {3, -1, 0}, {-1, 3, 0}};
  ASSERT_EQ(plan->steps.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(plan->steps[i].condition, expected[i].condition);
    EXPECT_EQ(plan->steps[i].index, expected[i].index);
    EXPECT_EQ(plan->steps[i].skip, expected[i].skip);
    EXPECT_EQ(plan->steps[i].scalar != nullptr, expected[i].index >= 0);
  }
  // The conditions are numbered as the loader compiled them: in the file's order.
  EXPECT_EQ(policy.inputs[0].conditions[2].text, "${pods.b} == 1");
}

TEST(ReplayPlanTest, AnInputWhoseIdOrProcessorsHoldAReferenceHasNoPlan) {
  Paths paths;
  const Policy policy = MustLoad(R"(
inputs:
  - id: logs-${pods.team}
    type: t
  - id: p
    type: t
    processors: [{add_fields: {fields: {pod: '${pods.name}'}}}]
  - id: 7
    type: t
    original_id: fixed
    hosts: ['${pods.ip}']
  - type: t
    hosts: ['${pods.ip}']
)",
                                 &paths);
  ASSERT_EQ(policy.inputs.size(), 4u);
  EXPECT_EQ(policy.inputs[0].replay, nullptr);
  EXPECT_EQ(policy.inputs[1].replay, nullptr);
  ASSERT_NE(policy.inputs[2].replay, nullptr);
  EXPECT_EQ(policy.inputs[2].replay->base_id, "7");
  ASSERT_NE(policy.inputs[3].replay, nullptr);
  EXPECT_EQ(policy.inputs[3].replay->base_id, "t-3");
  EXPECT_NE(policy.inputs[2].replay->id, policy.inputs[3].replay->id);
}

constexpr char kPodsPolicy[] = R"(
inputs:
  - id: pods
    type: t
    condition: ${pods.on} == true
    processors: [{drop_fields: {fields: [x]}}]
    data_stream: {namespace: default}
    streams:
      - condition: ${pods.tier} == 'web'
        hosts: ['${pods.ip}:10250']
        labels: ${pods.labels}
      - condition: ${pods.tier} == 'db'
        hosts: ['${pods.ip}:5432']
        level: "${pods.level|'1'}"
        nested:
          condition: ${pods.extra} == true
          port: ${pods.port}
      - condition: ${pods.tier} == 'web' or ${pods.tier} == 'db'
        metricsets: [x]
      - condition: ${pods.tier} != 'web'
        metricsets: [x]
  - id: plain
    type: t
    condition: ${host.platform} == 'linux'
    name: 'node ${host.name}'
    zone: ${host.zone}
)";

Value PodRoot(Value::Map pod) {
  return Value(Value::Map{{"pods", Value(std::move(pod))},
                          {"host", Value(Value::Map{{"platform", Value("linux")}})}});
}

TEST(ReplayTest, AnUnchangedCopyIsReplayedAndKeepsItsConfig) {
  Paths paths;
  const Policy policy = MustLoad(kPodsPolicy, &paths);
  ASSERT_EQ(policy.inputs.size(), 2u);
  const InputSpec& input = policy.inputs[0];
  const Value labels(Value::Map{{"app", Value("web")}});
  const Value processors(Value::List{Value(Value::Map{{"add_fields", Value(Value::Map{})}})});
  const RootReader context(paths, PodRoot({}));
  RootReader web(paths, PodRoot({{"on", Value(true)},
                                 {"tier", Value("web")},
                                 {"ip", Value("10.0.0.1")},
                                 {"labels", labels}}));
  RootReader db(paths, PodRoot({{"on", Value(true)},
                                {"tier", Value("db")},
                                {"ip", Value("10.0.0.2")},
                                {"extra", Value(false)}}));
  const std::vector<MappingView> views = {{"a", &web, &processors}, {"b", &db, nullptr}};
  std::vector<RenderResult> copies, removed;
  RenderInputCopiesInto(input, context, "pods", views, false, &copies, &removed);
  ASSERT_EQ(copies.size(), 2u);
  const std::vector<Value> first = {copies[0].config, copies[1].config};
  const std::vector<std::vector<std::pair<std::string, Value>>> variables = {
      copies[0].variables, copies[1].variables};
  EXPECT_FALSE(copies[0].replayed);
  // web: on, 4 stream gates; db: on, 4 stream gates, `extra` (false) gates `nested`.
  EXPECT_EQ(copies[0].evaluations, 5);
  EXPECT_EQ(copies[1].evaluations, 6);

  RenderInputCopiesInto(input, context, "pods", views, false, &copies, &removed);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_TRUE(removed.empty());
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(copies[i].replayed);
    EXPECT_TRUE(copies[i].on);
    EXPECT_TRUE(copies[i].was_on);
    EXPECT_TRUE(copies[i].config.Identical(first[i]));  // the very same config, not rebuilt
    EXPECT_EQ(copies[i].variables, variables[i]);
  }
  EXPECT_EQ(copies[0].evaluations, 5);  // every condition is still evaluated
  EXPECT_EQ(copies[1].evaluations, 6);
  EXPECT_EQ(copies[0].id, "pods-pods-a");
  EXPECT_EQ(copies[0].config.ToJson(),
            R"({"data_stream":{"namespace":"default"},"id":"pods-pods-a","original_id":"pods",)"
            R"("processors":[{"add_fields":{}},{"drop_fields":{"fields":["x"]}}],)"
            R"("streams":[{"hosts":["10.0.0.1:10250"],"labels":{"app":"web"}},)"
            R"({"metricsets":["x"]}],"type":"t"})");

  // The mapping's processors are a new (equal) list: not replayed, rendered in full.
  const Value same_processors(Value::List{Value(Value::Map{{"add_fields", Value(Value::Map{})}})});
  const std::vector<MappingView> renewed = {{"a", &web, &same_processors}, {"b", &db, nullptr}};
  RenderInputCopiesInto(input, context, "pods", renewed, false, &copies, &removed);
  EXPECT_FALSE(copies[0].replayed);
  EXPECT_EQ(copies[0].config.ToJson(), first[0].ToJson());
  EXPECT_TRUE(copies[1].replayed);
  // A changed ip is found by the replay and rendered in full.
  RootReader moved(paths, PodRoot({{"on", Value(true)},
                                   {"tier", Value("web")},
                                   {"ip", Value("10.0.0.9")},
                                   {"labels", labels}}));
  const std::vector<MappingView> ip_changed = {{"a", &moved, &same_processors},
                                               {"b", &db, nullptr}};
  RenderInputCopiesInto(input, context, "pods", ip_changed, false, &copies, &removed);
  EXPECT_FALSE(copies[0].replayed);
  EXPECT_NE(copies[0].config.ToJson().find("10.0.0.9:10250"), std::string::npos);
  EXPECT_TRUE(copies[1].replayed);
}

// A NaN is not equal to itself, but a copy whose variable stays NaN is unchanged: replayed, the
// same config (not a new one at every render, which would restart its input each time).
TEST(ReplayTest, AVariableThatStaysNaNKeepsTheConfig) {
  Paths paths;
  const Policy policy = MustLoad(R"(
inputs:
  - id: m
    type: t
    ratio: ${pods.ratio}
)",
                                 &paths);
  ASSERT_EQ(policy.inputs.size(), 1u);
  RenderResult result;
  const RootReader first(paths, PodRoot({{"ratio", Value(std::nan(""))}}));
  EXPECT_TRUE(RenderInputInto(policy.inputs[0], first, false, nullptr, &result));
  const Value config = result.config;
  const RootReader again(paths, PodRoot({{"ratio", Value(std::nan(""))}}));
  EXPECT_FALSE(RenderInputInto(policy.inputs[0], again, false, nullptr, &result));
  EXPECT_TRUE(result.replayed);
  EXPECT_TRUE(result.config.Identical(config));
  // Rendered in full (no plan record), it still comes out the same config.
  result.replay_plan = 0;
  EXPECT_FALSE(RenderInputInto(policy.inputs[0], again, false, nullptr, &result));
  EXPECT_FALSE(result.replayed);
  EXPECT_TRUE(result.config.Identical(config));
}

// One pod's variables, each drawn from a few values; values are shared Value objects, as the
// store keeps an unchanged variable, except `labels_equal`, a distinct but equal map.
struct PodState {
  int on = 0;      // on, on, on, off
  int tier = 0;    // web, db, other
  int ip = 0;      // two addresses
  int labels = 0;  // labels, an equal copy, other labels
  int level = 0;   // absent, "2"
  int extra = 0;   // true, false, absent
  int port = 0;    // absent, 1, 2
  int processors = 0;  // list, an equal copy, another list, none
};

class PodValues {
 public:
  PodValues()
      : ips_{Value("10.0.0.1"), Value("10.0.0.2")},
        labels_{Value(Value::Map{{"app", Value("web")}}), Value(Value::Map{{"app", Value("web")}}),
                Value(Value::Map{{"app", Value("db")}})},
        processors_{Value(Value::List{Value(Value::Map{{"a", Value(1)}})}),
                    Value(Value::List{Value(Value::Map{{"a", Value(1)}})}),
                    Value(Value::List{Value(Value::Map{{"b", Value(2)}})})} {}

  Value Root(const PodState& s) const {
    Value::Map pod{{"on", Value(s.on != 3)},
                   {"tier", Value(s.tier == 0 ? "web" : s.tier == 1 ? "db" : "other")},
                   {"ip", ips_[s.ip]},
                   {"labels", labels_[s.labels]}};
    if (s.level == 1) pod.emplace("level", Value("2"));
    if (s.extra < 2) pod.emplace("extra", Value(s.extra == 0));
    if (s.port > 0) pod.emplace("port", Value(s.port));
    return PodRoot(std::move(pod));
  }
  const Value* Processors(const PodState& s) const {
    return s.processors < 3 ? &processors_[s.processors] : nullptr;
  }

 private:
  Value ips_[2];
  Value labels_[3];
  Value processors_[3];
};

void ExpectSameRender(const RenderResult& got, const RenderResult& fresh) {
  EXPECT_EQ(got.id, fresh.id);
  EXPECT_EQ(got.on, fresh.on);
  EXPECT_EQ(got.failed, fresh.failed);
  EXPECT_EQ(got.reason, fresh.reason);
  EXPECT_EQ(got.evaluations, fresh.evaluations);
  EXPECT_EQ(got.variables, fresh.variables);
  if (fresh.on) {
    EXPECT_EQ(got.config.ToJson(), fresh.config.ToJson());
  }
}

// Whatever changes between renders, a re-render (replayed, or rendered in full when the replay
// finds a difference) equals a fresh render: copies, ids, reasons, configs, variables read.
void ReRenderAgainstFresh(bool strict) {
  Paths paths;
  const Policy policy = MustLoad(kPodsPolicy, &paths);
  ASSERT_EQ(policy.inputs.size(), 2u);
  ASSERT_NE(policy.inputs[0].replay, nullptr);
  ASSERT_NE(policy.inputs[1].replay, nullptr);
  const PodValues values;
  std::mt19937 random(strict ? 7 : 11);
  auto draw = [&random](int n) { return static_cast<int>(random() % n); };
  std::map<std::string, PodState> pods;
  for (int i = 0; i < 5; ++i) pods[absl::StrCat("m", i)] = PodState{};
  std::vector<RenderResult> copies, removed;
  RenderResult plain;
  int replayed = 0, rendered = 0;
  for (int step = 0; step < 400; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    // Most steps change a few variables of a few pods; some change nothing.
    for (auto& [id, s] : pods) {
      if (draw(4) != 0) continue;
      switch (draw(8)) {
        case 0: s.on = draw(4); break;
        case 1: s.tier = draw(3); break;
        case 2: s.ip = draw(2); break;
        case 3: s.labels = draw(3); break;
        case 4: s.level = draw(2); break;
        case 5: s.extra = draw(3); break;
        case 6: s.port = draw(3); break;
        default: s.processors = draw(4); break;
      }
    }
    if (draw(10) == 0) {  // a pod comes or goes
      const std::string id = absl::StrCat("m", draw(7));
      if (pods.count(id) > 0 && pods.size() > 1) {
        pods.erase(id);
      } else {
        pods[id] = PodState{};
      }
    }
    Value::Map host{{"platform", Value(draw(5) == 0 ? "windows" : "linux")},
                    {"name", Value(draw(5) == 0 ? "n2" : "n1")}};
    if (draw(6) != 0) host.emplace("zone", Value("z1"));
    const RootReader context(paths, Value(Value::Map{{"host", Value(std::move(host))}}));
    std::vector<std::unique_ptr<RootReader>> readers;
    std::vector<MappingView> views;
    for (const auto& [id, s] : pods) {
      readers.push_back(std::make_unique<RootReader>(paths, values.Root(s)));
      views.push_back(MappingView{id, readers.back().get(), values.Processors(s)});
    }

    RenderInputCopiesInto(policy.inputs[0], context, "pods", views, strict, &copies, &removed);
    const std::vector<RenderResult> fresh =
        RenderInputCopies(policy.inputs[0], context, "pods", views, strict);
    ASSERT_EQ(copies.size(), fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
      SCOPED_TRACE(fresh[i].id);
      ExpectSameRender(copies[i], fresh[i]);
      (copies[i].replayed ? replayed : rendered)++;
    }
    RenderInputInto(policy.inputs[1], context, strict, nullptr, &plain);
    ExpectSameRender(plain, RenderInput(policy.inputs[1], context, strict));
    (plain.replayed ? replayed : rendered)++;
  }
  // Both ways were taken, many times.
  EXPECT_GT(replayed, 300);
  EXPECT_GT(rendered, 300);
}

TEST(ReplayTest, EveryReRenderEqualsAFreshRender) { ReRenderAgainstFresh(/*strict=*/false); }

TEST(ReplayTest, EveryReRenderEqualsAFreshRenderInStrictMode) {
  ReRenderAgainstFresh(/*strict=*/true);
}

}  // namespace
}  // namespace gatehouse::policy
