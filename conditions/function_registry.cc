#include "conditions/function_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::conditions {
namespace {

bool IsKeyword(absl::string_view name) {
  for (absl::string_view keyword :
       {"and", "AND", "or", "OR", "not", "NOT", "true", "TRUE", "false", "FALSE"}) {
    if (name == keyword) return true;
  }
  return false;
}

bool IsValidName(absl::string_view name) {
  if (name.empty() || !(absl::ascii_isalpha(name[0]) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

}  // namespace

const FunctionRegistry& FunctionRegistry::Builtins() {
  static const FunctionRegistry* const kBuiltins = [] {
    auto* registry = new FunctionRegistry();
    // The built-ins are fixed; a failure here is a programming error caught by every test.
    if (!RegisterBuiltinFunctions(registry).ok()) std::abort();
    return registry;
  }();
  return *kBuiltins;
}

FunctionRegistry FunctionRegistry::WithBuiltins() { return Builtins(); }

absl::Status FunctionRegistry::Register(FunctionSpec spec) {
  if (!IsValidName(spec.name) || IsKeyword(spec.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "function name '", spec.name,
        "' is not valid: use letters, digits and '_', starting with a letter, not a keyword"));
  }
  if (spec.min_args < 0 || (spec.max_args != kVariadic && spec.max_args < spec.min_args)) {
    return absl::InvalidArgumentError(absl::StrCat("function '", spec.name,
                                                   "': bad arity ", spec.min_args, "..",
                                                   spec.max_args));
  }
  if (!spec.impl) {
    return absl::InvalidArgumentError(absl::StrCat("function '", spec.name, "' has no body"));
  }
  const std::string name = spec.name;
  auto [it, inserted] =
      functions_.try_emplace(name, std::make_shared<const FunctionSpec>(std::move(spec)));
  if (!inserted) {
    return absl::AlreadyExistsError(
        absl::StrCat("function '", name, "' is already registered"));
  }
  return absl::OkStatus();
}

std::shared_ptr<const FunctionSpec> FunctionRegistry::Find(absl::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

std::vector<std::string> FunctionRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(functions_.size());
  for (const auto& [name, spec] : functions_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace gatehouse::conditions
