// Binds policy conditions to the condition language of conditions/.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/policy/condition.h"
#include "conditions/conditions.h"

namespace gatehouse::policy {
namespace {

class LanguageCondition final : public CompiledCondition {
 public:
  explicit LanguageCondition(std::shared_ptr<const conditions::Program> program)
      : program_(std::move(program)) {
    for (const auto& v : program_->variables()) variables_.emplace_back(v.path, v.slot);
  }

  absl::StatusOr<bool> Evaluate(const conditions::VariableReader& vars,
                                bool strict) const override {
    return program_->Evaluate(vars, strict);
  }
  const std::vector<std::pair<std::string, conditions::Slot>>& variables() const override {
    return variables_;
  }

 private:
  std::shared_ptr<const conditions::Program> program_;
  std::vector<std::pair<std::string, conditions::Slot>> variables_;
};

}  // namespace

ConditionCompiler LanguageConditionCompiler() {
  return [](absl::string_view text, conditions::VariableResolver* resolver,
            ConditionCompileError* error)
             -> absl::StatusOr<std::shared_ptr<const CompiledCondition>> {
    conditions::CompileOptions options;
    options.resolver = resolver;
    conditions::Diagnostic diagnostic;
    auto program = conditions::Compile(text, options, &diagnostic);
    if (!program.ok()) {
      if (error != nullptr) {
        error->line = diagnostic.line > 0 ? diagnostic.line : 1;
        error->column = diagnostic.column > 0 ? diagnostic.column : 1;
        error->message = diagnostic.message.empty() ? std::string(program.status().message())
                                                    : diagnostic.message;
      }
      return program.status();
    }
    return std::make_shared<const LanguageCondition>(*std::move(program));
  };
}

}  // namespace gatehouse::policy
