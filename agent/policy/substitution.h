// `${var}` substitution in policy values (POLICY.md, "Variable substitution in values"):
// parsing a YAML scalar once into literal text and references, and rendering it over variables.
//
//   ${a.b}             the variable's value
//   ${a|b|'c'}         alternatives left to right; unquoted = variable, quoted = constant;
//                      empty alternatives are skipped
//   ${a:default}       unquoted string default after the first ':' (`${a:}` is "")
//   ${NAME}            no dot: the default provider's prefix (`env.NAME`)
//   $${x}              the literal text `${x}`; substituted values are never expanded again
//
// A scalar that is exactly one reference keeps the variable's type; references embedded in text
// are stringified. Thread contract: parsed templates are immutable; thread-safe to render.
#ifndef GATEHOUSE_AGENT_POLICY_SUBSTITUTION_H_
#define GATEHOUSE_AGENT_POLICY_SUBSTITUTION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/policy/yaml_tree.h"
#include "common/value.h"
#include "conditions/variables.h"

namespace gatehouse::policy {

struct Alternative {
  bool is_constant = false;
  std::string text;  // the full dotted path (default prefix applied), or the constant
  conditions::Slot slot = 0;  // variables only
  Value constant;             // constants only: `text` as a string value, built once
};

struct Reference {
  std::vector<Alternative> alternatives;  // a default, when given, is the last (constant) one
  std::string source;                     // "${...}" as written, for reasons and explain
};

struct Segment {
  bool is_reference = false;
  std::string literal;
  Reference reference;
};

class ScalarTemplate {
 public:
  // Parses `text`; `position` is where the scalar starts (errors point into it). Variable paths
  // are interned with `resolver`. Plain text without `${` parses into a single literal.
  static absl::StatusOr<ScalarTemplate> Parse(absl::string_view text, const Position& position,
                                              absl::string_view default_provider,
                                              conditions::VariableResolver* resolver);

  bool has_references() const { return has_references_; }
  const std::vector<Segment>& segments() const { return segments_; }

  // Renders over `vars`. Returns false and sets `*missing` to the reference's source when a
  // reference has no value and no fallback. `read` (optional) receives the slots consulted.
  // `previous` (optional) is this scalar's last rendering: when the result equals it, `*out`
  // shares it instead of allocating a new string.
  bool Render(const conditions::VariableReader& vars, Value* out, std::string* missing,
              std::vector<conditions::Slot>* read = nullptr,
              const Value* previous = nullptr) const;
  // Render without copying: `*out` points at the variable's own value (a scalar that is one
  // reference), at `*previous` when the result equals it, or at `*storage`, which receives
  // anything built. The pointer lives as long as `vars`, `previous` and `storage` do.
  bool RenderShared(const conditions::VariableReader& vars, const Value* previous,
                    Value* storage, const Value** out, std::string* missing,
                    std::vector<conditions::Slot>* read = nullptr) const;
  // True when rendering over `vars` gives `expected` (RenderShared with `previous` =
  // `&expected` would answer `&expected`), found without building any text; false when a
  // reference has no value. A replayed render asks it of every scalar (replay_plan.h).
  bool RendersTo(const conditions::VariableReader& vars, const Value& expected) const;

 private:
  std::vector<Segment> segments_;
  bool has_references_ = false;
};

// Text of a value embedded in a string: strings as they are, numbers and booleans as YAML would
// print them, null as "null", lists and maps as JSON.
void AppendStringified(const Value& value, std::string* out);

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_SUBSTITUTION_H_
