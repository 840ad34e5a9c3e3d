// Rendering one input of a Policy over variables (POLICY.md): `${var}` substitution, `condition:`
// gating at every mapping level, and dynamic-provider copies.
//
// Thread contract: free functions over immutable inputs; thread-safe.
#ifndef GATEHOUSE_AGENT_POLICY_RENDER_H_
#define GATEHOUSE_AGENT_POLICY_RENDER_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "agent/policy/policy.h"
#include "common/value.h"
#include "conditions/variables.h"

namespace gatehouse::policy {

// Which copy of an input is rendered: one mapping of a dynamic provider.
struct CopyInfo {
  absl::string_view provider;
  absl::string_view mapping_id;
  const Value* processors = nullptr;  // the mapping's processors (a list, or null)
};

struct RenderResult {
  bool on = false;
  // Why the input (copy) is off: a false condition, a failed condition, a reference without a
  // value, all streams removed. Empty when on.
  std::string reason;
  bool failed = false;  // off because of an error (failed condition), not a false condition
  std::string id;       // the rendered id (with the copy suffix)
  Value config;         // when on: the whole rendered input, `condition` keys removed
  // Each variable the evaluated conditions read, with its value (null: missing).
  std::vector<std::pair<std::string, Value>> variables;
  int evaluations = 0;  // conditions evaluated
};

RenderResult RenderInput(const InputSpec& input, const conditions::VariableReader& vars,
                         bool strict, const CopyInfo* copy = nullptr);

// One mapping of a dynamic provider, as rendering sees it.
struct MappingView {
  std::string id;
  const conditions::VariableReader* reader = nullptr;  // context + this mapping's variables
  const Value* processors = nullptr;
};

// The dynamic provider an input is copied over: the first namespace it reads for which
// `is_dynamic` is true; empty when none (a plain input).
std::string DynamicProviderOf(const InputSpec& input,
                              const std::function<bool(absl::string_view)>& is_dynamic);

// Every copy of `input`: one result over `context` when `provider` is empty, else one per
// mapping (identical rendered copies kept once, the first id wins). With a dynamic provider and
// no mapping, one off result says so.
std::vector<RenderResult> RenderInputCopies(const InputSpec& input,
                                            const conditions::VariableReader& context,
                                            absl::string_view provider,
                                            const std::vector<MappingView>& mappings,
                                            bool strict);

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_RENDER_H_
