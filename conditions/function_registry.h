// The functions a condition may call: the 16 built-ins of the language and any a user adds.
#ifndef GATEHOUSE_CONDITIONS_FUNCTION_REGISTRY_H_
#define GATEHOUSE_CONDITIONS_FUNCTION_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/value.h"

namespace gatehouse::conditions {

// A function body. `args` are borrowed for the duration of the call (never null: a missing
// variable arrives as a null Value). Write the result to `*result` and return OK, or return
// InvalidArgument with a message for the policy author ("the first argument must be an array,
// got int"); the evaluator prefixes it with the call's source text. Must be thread-safe.
using FunctionImpl =
    std::function<absl::Status(absl::Span<const Value* const> args, Value* result)>;

inline constexpr int kVariadic = -1;

struct FunctionSpec {
  std::string name;  // letters, digits, '_'; not a keyword
  int min_args = 0;
  int max_args = kVariadic;  // kVariadic: no upper bound
  // A pure function of its arguments: a call with constant arguments is evaluated once at
  // compile time (and an error there is a compile error).
  bool pure = true;
  FunctionImpl impl;
};

// Built-ins plus user functions, looked up by name at compile time. Thread-compatible: register
// everything first; a registry that is no longer modified may be read from many threads.
// Compiled programs hold their functions by shared_ptr, so they may outlive the registry.
//
//   FunctionRegistry functions = FunctionRegistry::WithBuiltins();
//   RETURN_IF_ERROR(functions.Register({.name = "isEven", .min_args = 1, .max_args = 1,
//       .impl = [](absl::Span<const Value* const> args, Value* result) -> absl::Status {
//         if (!args[0]->is_int()) return absl::InvalidArgumentError("needs an int");
//         *result = Value(args[0]->as_int() % 2 == 0);
//         return absl::OkStatus();
//       }}));
//   ASSIGN_OR_RETURN(auto program, Compile("isEven(${n})", {.functions = &functions}));
class FunctionRegistry {
 public:
  FunctionRegistry() = default;  // empty: not even the built-ins
  FunctionRegistry(const FunctionRegistry&) = default;
  FunctionRegistry& operator=(const FunctionRegistry&) = default;

  // The 16 built-ins of the language; never destroyed.
  static const FunctionRegistry& Builtins();
  // A copy of the built-ins, to extend with user functions.
  static FunctionRegistry WithBuiltins();

  // AlreadyExists when the name is taken; InvalidArgument for a bad name, arity or no body.
  absl::Status Register(FunctionSpec spec);

  // nullptr when unknown.
  std::shared_ptr<const FunctionSpec> Find(absl::string_view name) const;
  // Sorted names, for messages ("did you mean") and docs.
  std::vector<std::string> Names() const;

 private:
  absl::flat_hash_map<std::string, std::shared_ptr<const FunctionSpec>> functions_;
};

// Registers the built-ins (arrayContains ... string) into `registry`.
absl::Status RegisterBuiltinFunctions(FunctionRegistry* registry);

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_FUNCTION_REGISTRY_H_
