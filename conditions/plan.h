// The flat, immutable program a condition compiles to: a postfix list of steps over a small
// stack of Value pointers. Internal to conditions/ (program.cc runs it, compile.cc builds it).
#ifndef GATEHOUSE_CONDITIONS_PLAN_H_
#define GATEHOUSE_CONDITIONS_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/value.h"
#include "conditions/function_registry.h"
#include "conditions/program.h"
#include "conditions/semantics.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "re2/re2.h"

namespace gatehouse::conditions::internal {

enum class OpCode : uint8_t {
  kConstant,         // push constants[a]
  kVariable,         // push the first alternative of references[a] that resolves
  kNot,              // pop a bool, push its negation
  kBinary,           // pop right, pop left, push left `op` right
  kCompareVariable,  // push references[a] `op` constants[b] (a fused kVariable kConstant kBinary)
  kCall,             // pop b arguments, push functions[a](arguments)
  kMatch,            // pop a string, push whether any of regexes[a .. a+b) matches it
};

struct Step {
  OpCode code;
  BinaryOp op = BinaryOp::kEq;
  uint32_t a = 0;
  uint32_t b = 0;
  // The sub-expression's source text, quoted by error messages.
  uint32_t begin = 0;
  uint32_t end = 0;
};

// One `${...}`: its alternatives in order. A slot, or a constant index.
struct Reference {
  struct Alternative {
    bool is_constant = false;
    Slot slot = 0;
    uint32_t constant = 0;
    uint32_t variable = 0;  // index into Plan::variables when !is_constant
  };
  std::vector<Alternative> alternatives;
};

struct Plan {
  std::string source;
  std::vector<Step> steps;
  std::vector<Value> constants;
  std::vector<Reference> references;
  std::vector<Program::Variable> variables;
  std::vector<std::shared_ptr<const FunctionSpec>> functions;
  std::vector<std::unique_ptr<RE2>> regexes;
  size_t max_stack = 0;
  // Whether any step stores a computed value (arithmetic, calls); if not, evaluation needs no
  // registers at all.
  bool uses_registers = false;
};

// The text of a sub-expression.
inline absl::string_view StepText(const Plan& plan, uint32_t begin, uint32_t end) {
  return absl::string_view(plan.source).substr(begin, end - begin);
}

// A language error about a sub-expression: "<text>: <why>", then " (<values>)" when the text
// does not already show them ("${x} == 'a': cannot compare int to string (1 == 'a')").
absl::Status SubExpressionError(absl::string_view text, absl::string_view why,
                                absl::string_view values);
std::string DescribeBinary(BinaryOp op, const Value& left, const Value& right);
std::string DescribeCall(absl::string_view name, absl::Span<const Value* const> args);

// One operator on values, as the evaluator and constant folding both apply it. Boolean results
// point at static values; numbers are written to *scratch and point there.
absl::Status ApplyNot(const Value& operand, const Value** result);
absl::Status ApplyBinary(BinaryOp op, const Value& left, const Value& right, Value* scratch,
                         const Value** result);

}  // namespace gatehouse::conditions::internal

#endif  // GATEHOUSE_CONDITIONS_PLAN_H_
