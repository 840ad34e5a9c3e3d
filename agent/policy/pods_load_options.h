// LoadOptions for the policy tests: `pods` is a dynamic provider, every other namespace a
// context provider, every input type supported.
#ifndef GATEHOUSE_AGENT_POLICY_PODS_LOAD_OPTIONS_H_
#define GATEHOUSE_AGENT_POLICY_PODS_LOAD_OPTIONS_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "agent/policy/loader.h"
#include "conditions/variables.h"

namespace gatehouse::policy {

inline LoadOptions PodsLoadOptions(conditions::VariableResolver* resolver) {
  LoadOptions options;
  options.resolver = resolver;
  options.find_provider = [](absl::string_view name) -> std::optional<ProviderInfo> {
    return ProviderInfo{name == "pods", nullptr};
  };
  options.input_supported = [](absl::string_view) { return true; };
  return options;
}

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_PODS_LOAD_OPTIONS_H_
