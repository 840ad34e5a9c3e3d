// A compiled condition: parsed, checked and planned once into a flat, immutable program that is
// evaluated many times.
#ifndef GATEHOUSE_CONDITIONS_PROGRAM_H_
#define GATEHOUSE_CONDITIONS_PROGRAM_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "conditions/diagnostic.h"
#include "conditions/function_registry.h"
#include "conditions/variables.h"

namespace gatehouse::conditions {

namespace internal {
struct Plan;
}  // namespace internal

// Bounds that keep compilation and evaluation away from stack overflows on hostile input.
inline constexpr int kMaxNestingDepth = 200;  // parentheses, `not`, operators, calls
inline constexpr size_t kMaxConditionBytes = 1 << 20;

struct CompileOptions {
  const FunctionRegistry* functions = nullptr;  // null: built-ins only
  // Interns each variable path into a slot. Null: the program keeps its own slot table
  // (slots 0..n-1 in order of first appearance, see Program::variables()).
  VariableResolver* resolver = nullptr;
};

// Immutable and thread-safe: Evaluate may run from many threads at once.
class Program {
 public:
  // Every `${}` alternative that is a variable, once per distinct path, in order of first
  // appearance. With a reader, this is what `gatehouse explain` shows.
  struct Variable {
    std::string path;
    Slot slot;
  };

  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // OK(true/false), or a language error: InvalidArgument "1 == 'a': cannot compare int to
  // string" (the sub-expression, then why, then the values when the text does not show them).
  // strict: a missing variable is an error naming it; otherwise it is null.
  // Allocates nothing unless the condition builds a new string (concat, string, stringifying
  // a non-string) or nests deeper than a small fixed stack.
  absl::StatusOr<bool> Evaluate(const VariableReader& variables, bool strict = false) const;

  const std::vector<Variable>& variables() const;
  const std::vector<Variable>& ReferencedVariables() const { return variables(); }
  absl::string_view source() const;

 private:
  friend absl::StatusOr<std::shared_ptr<const Program>> Compile(absl::string_view,
                                                                const CompileOptions&,
                                                                Diagnostic*);
  explicit Program(std::unique_ptr<internal::Plan> plan);
  std::unique_ptr<internal::Plan> plan_;
};

// Parse, check and plan once. On error: InvalidArgument whose message is the rendered
// diagnostic, and *diagnostic (if given) filled so a caller can shift positions into a file.
absl::StatusOr<std::shared_ptr<const Program>> Compile(absl::string_view text,
                                                       const CompileOptions& options = {},
                                                       Diagnostic* diagnostic = nullptr);

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_PROGRAM_H_
