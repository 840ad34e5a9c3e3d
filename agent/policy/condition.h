// What a policy needs from a compiled `condition:`: evaluate it over variables and list the
// variables it reads. The condition language (conditions/) implements it through
// LanguageConditionCompiler(); tests may plug in another compiler.
#ifndef GATEHOUSE_AGENT_POLICY_CONDITION_H_
#define GATEHOUSE_AGENT_POLICY_CONDITION_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "conditions/variables.h"

namespace gatehouse::policy {

// Immutable and thread-safe.
class CompiledCondition {
 public:
  virtual ~CompiledCondition() = default;
  // An error is a language error (a failed comparison, a missing variable in strict mode).
  virtual absl::StatusOr<bool> Evaluate(const conditions::VariableReader& vars,
                                        bool strict) const = 0;
  // Every variable the condition may read: {dotted path, slot}.
  virtual const std::vector<std::pair<std::string, conditions::Slot>>& variables() const = 0;
};

// Where a compile error is, relative to the condition text (1-based).
struct ConditionCompileError {
  int line = 1;
  int column = 1;
  std::string message;
};

using ConditionCompiler = std::function<absl::StatusOr<std::shared_ptr<const CompiledCondition>>(
    absl::string_view text, conditions::VariableResolver* resolver, ConditionCompileError* error)>;

// The condition language of conditions/ (Elastic Agent's).
ConditionCompiler LanguageConditionCompiler();

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_CONDITION_H_
