// PolicyLoader: YAML text → Policy. Every error is InvalidArgument and reads
// "file:line:col: error: <what> (key '<key>')", with the offending source line and a caret for
// conditions. Warnings (unsupported input types, unknown providers, variables no provider can
// publish) go to Policy::warnings and do not fail the load.
#ifndef GATEHOUSE_AGENT_POLICY_LOADER_H_
#define GATEHOUSE_AGENT_POLICY_LOADER_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/policy/condition.h"
#include "agent/policy/policy.h"
#include "common/value.h"
#include "conditions/variables.h"

namespace gatehouse::policy {

// What a provider name means to the loader.
struct ProviderInfo {
  bool dynamic = false;
  // Checks and completes the provider's options (ApplyOptions over its option table).
  std::function<absl::StatusOr<Value>(const Value& options)> apply_options;
};

struct LoadOptions {
  // Interns every variable path of values and conditions. Required.
  conditions::VariableResolver* resolver = nullptr;
  // Defaults to LanguageConditionCompiler().
  ConditionCompiler compiler;
  // Provider lookup; defaults to Registry<ProviderFactory>. nullopt: no such provider.
  std::function<std::optional<ProviderInfo>(absl::string_view name)> find_provider;
  // Input types this build implements; defaults to Registry<InputFactory>.
  std::function<bool(absl::string_view type)> input_supported;
  // Checks one `processors:` list (of a supported input); defaults to the pipeline's
  // ValidateProcessors (agent/pipeline/processors.h).
  std::function<absl::Status(const Value& processors)> validate_processors;
  // Forces strict mode on (the `--strict` flag) whatever the policy says.
  bool force_strict = false;
};

// The default `find_provider`: Registry<ProviderFactory>::Global(), options checked by the
// factory's table (`enabled` passes through). Callers that know more providers (render --vars)
// wrap it.
std::optional<ProviderInfo> FindRegisteredProvider(absl::string_view name);

absl::StatusOr<Policy> LoadPolicyText(absl::string_view text, absl::string_view file_name,
                                      const LoadOptions& options);
absl::StatusOr<Policy> LoadPolicyFile(const std::string& path, const LoadOptions& options);

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_LOADER_H_
