// Fuzzes the policy loader: any bytes must give a Policy or a positioned error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/policy/loader.h"
#include "agent/policy/render.h"
#include "conditions/conditions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  gatehouse::conditions::MapVariables vars(gatehouse::Value(gatehouse::Value::Map{}));
  gatehouse::policy::LoadOptions options;
  options.resolver = &vars;
  options.find_provider = [](absl::string_view) {
    return std::optional<gatehouse::policy::ProviderInfo>();
  };
  options.input_supported = [](absl::string_view) { return true; };
  auto policy = gatehouse::policy::LoadPolicyText(text, "fuzz.yml", options);
  if (policy.ok()) {
    for (const auto& input : policy->inputs) gatehouse::policy::RenderInput(input, vars, false);
  }
  return 0;
}
