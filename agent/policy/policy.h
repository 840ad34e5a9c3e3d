// A loaded policy (POLICY.md): the Elastic Agent standalone format with every input parsed once
// into a template (scalars with `${var}` references, maps gated by compiled conditions) that can
// be rendered many times over changing variables.
//
// Thread contract: a Policy is immutable after loading; thread-safe to share.
#ifndef GATEHOUSE_AGENT_POLICY_POLICY_H_
#define GATEHOUSE_AGENT_POLICY_POLICY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/policy/condition.h"
#include "agent/policy/substitution.h"
#include "agent/policy/yaml_tree.h"
#include "common/value.h"
#include "conditions/variables.h"

namespace gatehouse::policy {

// One `condition:` of an input (on the input itself, a stream, or a deeper mapping).
struct ConditionSpec {
  std::string text;
  Position position;  // of the condition's value in the file
  std::string where;  // "inputs[2].streams[1]"
  std::shared_ptr<const CompiledCondition> compiled;
};

// The input (or one of its values) as a template.
struct TemplateNode {
  enum class Kind { kConstant, kScalar, kList, kMap };
  Kind kind = Kind::kConstant;
  Value constant;                                  // kConstant (a whole subtree without `${}`)
  std::shared_ptr<const ScalarTemplate> scalar;    // kScalar
  std::vector<TemplateNode> items;                 // kList
  std::vector<std::pair<std::string, TemplateNode>> entries;  // kMap, without `condition`
  // kMap: indexes into `entries` in key order, the order of the rendered map (rendering walks a
  // previous rendering alongside it).
  std::vector<uint32_t> sorted_entries;
  int condition = -1;  // kMap: index into InputSpec::conditions, -1 when none
  // kMap with a condition whose entries are all constant: the map it renders to when the
  // condition is true (null otherwise). A gate around a fixed config renders with no work.
  Value constant_when_on;
  // kScalar of an input with a ReplayPlan: its place in ReplayRecord::values (render.h).
  int replay_index = -1;
  Position position;
};

// What a re-render checks to keep a copy's previous config without rebuilding it
// (replay_plan.h): the input's conditions and `${}` scalars in the order a render meets them.
struct ReplayStep {
  int condition = -1;                      // index into InputSpec::conditions; -1: a scalar
  const ScalarTemplate* scalar = nullptr;  // the scalar (its replay_index is `index`)
  int index = -1;                          // the scalar's replay_index
  uint32_t skip = 0;  // a condition's: the steps of the map it gates, passed over when false
};

struct ReplayPlan {
  uint64_t id = 0;  // unique among plans: a render result knows which plan recorded it
  std::vector<ReplayStep> steps;
  int scalars = 0;
  std::string base_id;  // the input's rendered id without a copy's suffix
};

struct InputSpec {
  std::string id;    // as written (may contain `${}`: each copy renders its own)
  std::string type;
  Position position;  // of the input's mapping
  bool supported = true;  // an input factory of this type exists
  TemplateNode body;      // the whole input mapping, `processors` included
  std::vector<ConditionSpec> conditions;
  // Namespaces ("kubernetes", "env") of every variable the input reads, sorted, unique: the
  // controller copies the input once per mapping of a dynamic provider among them.
  std::vector<std::string> namespaces;
  // Every slot the input's values and conditions read (sorted, unique): its dependencies.
  std::vector<conditions::Slot> slots;
  // Null when a re-render cannot be checked step by step (the input's own `id`, `original_id`
  // or `processors` holds `${}`: a copy rewrites them).
  std::shared_ptr<const ReplayPlan> replay;
};

struct ProviderSpec {
  std::string name;
  Position position;
  bool enabled = true;
  bool known = false;  // a provider factory of this name exists
  Value options;       // after ApplyOptions when known; raw otherwise
  Value raw_options;   // as written (what the provider runner applies its table to)
};

struct Policy {
  std::string file;
  bool strict = false;                  // agent.conditions.strict
  std::string default_provider = "env";  // agent.providers.default
  int render_threads = 0;               // agent.render.threads (0: not set)
  Value agent;                          // the whole `agent` section
  Value monitoring;                     // agent.monitoring (null when absent)
  std::map<std::string, ProviderSpec> providers;
  std::map<std::string, Value> outputs;
  std::vector<InputSpec> inputs;
  std::vector<std::string> warnings;    // "file:line:col: warning: ..."
};

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_POLICY_H_
