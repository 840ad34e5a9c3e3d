// `gatehouse check --policy FILE`: loads the policy (conditions compiled, outputs and provider
// options checked) and prints a short summary; warnings go to stderr. Exit 2 on a policy error.
#include <iostream>
#include <string>

#include "agent/cli/command.h"
#include "agent/policy/loader.h"
#include "conditions/conditions.h"

namespace gatehouse::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("check", "Validate a policy and summarise it");
  auto policy_path = std::make_shared<std::string>();
  auto strict = std::make_shared<bool>(false);
  command->add_option("--policy", *policy_path, "The policy file (YAML)")->required();
  command->add_flag("--strict", *strict, "A missing variable in a condition is an error");
  command->callback([&exit_code, policy_path, strict] {
    conditions::MapVariables resolver(Value(Value::Map{}));
    policy::LoadOptions options;
    options.resolver = &resolver;
    options.force_strict = *strict;
    auto policy = policy::LoadPolicyFile(*policy_path, options);
    if (!policy.ok()) {
      std::cerr << policy.status().message() << "\n";
      exit_code = kExitInvalidInput;
      return;
    }
    for (const std::string& warning : policy->warnings) std::cerr << warning << "\n";
    size_t conditions = 0, supported = 0;
    for (const auto& input : policy->inputs) {
      conditions += input.conditions.size();
      supported += input.supported ? 1 : 0;
    }
    std::cout << *policy_path << ": ok: " << policy->inputs.size() << " inputs (" << supported
              << " supported), " << conditions << " conditions, " << policy->providers.size()
              << " providers, " << policy->outputs.size() << " outputs, "
              << policy->warnings.size() << " warnings\n";
    exit_code = kExitOk;
  });
}

}  // namespace gatehouse::cli
