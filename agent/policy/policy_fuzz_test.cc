// Fuzzes the policy loader: any bytes must give a Policy or a positioned error, never a crash;
// an input rendered twice over the same variables (the second a replay) renders the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/policy/loader.h"
#include "agent/policy/render.h"
#include "conditions/conditions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using gatehouse::Value;
  // Variables the corpus reads, so that inputs render (and replay) rather than stop at a
  // missing value.
  static const Value* const kRoot = new Value(Value::Map{
      {"env", Value(Value::Map{{"NODE_NAME", Value("node-1")}, {"MODE", Value("x")}})},
      {"host", Value(Value::Map{{"platform", Value("linux")}, {"name", Value("node-1")}})},
      {"kubernetes_leaderelection", Value(Value::Map{{"leader", Value(true)}})},
      {"kubernetes",
       Value(Value::Map{
           {"pod", Value(Value::Map{{"name", Value("p")}, {"ip", Value("10.0.0.1")}})},
           {"labels", Value(Value::Map{{"app", Value("web")}, {"scrape", Value(true)}})},
           {"container", Value(Value::Map{{"id", Value("c1")}})}})}});
  gatehouse::conditions::MapVariables vars(*kRoot);
  gatehouse::policy::LoadOptions options;
  options.resolver = &vars;
  options.find_provider = [](absl::string_view) {
    return std::optional<gatehouse::policy::ProviderInfo>();
  };
  options.input_supported = [](absl::string_view) { return true; };
  auto policy = gatehouse::policy::LoadPolicyText(text, "fuzz.yml", options);
  if (policy.ok()) {
    for (const auto& input : policy->inputs) {
      const gatehouse::policy::RenderResult first =
          gatehouse::policy::RenderInput(input, vars, false);
      // Rendered again over the same variables (replayed when the input has a plan): the same.
      // Configs are compared as JSON: a NaN in one is not equal to itself.
      gatehouse::policy::RenderResult again = first;
      gatehouse::policy::RenderInputInto(input, vars, false, nullptr, &again);
      if (again.on != first.on || again.reason != first.reason || again.id != first.id ||
          again.config.ToJson() != first.config.ToJson() || again.variables != first.variables) {
        std::abort();
      }
    }
  }
  return 0;
}
