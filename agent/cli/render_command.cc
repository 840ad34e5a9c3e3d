// `gatehouse render --policy FILE [--vars FILE] [--strict]`: renders every input once and prints
// {"inputs": [<each copy that is on, full config>], "off": [{"id", "reason"}]} as JSON on stdout.
// Inputs of a type this build lacks are listed under "off" (they would not run). Notes (providers
// not run, warnings) go to stderr. Exit 2 on a policy or variables-file error.
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/cli/command.h"
#include "agent/cli/policy_snapshot.h"
#include "common/logging.h"
#include "common/value_json.h"
#include "nlohmann/json.hpp"

namespace gatehouse::cli {
namespace {

nlohmann::json RenderJson(const PolicySnapshot& snapshot) {
  nlohmann::json on = nlohmann::json::array();
  nlohmann::json off = nlohmann::json::array();
  for (const RenderedInput& input : snapshot.inputs()) {
    for (const policy::RenderResult& copy : input.copies) {
      if (copy.on && input.spec->supported) {
        on.push_back(ValueToJson(copy.config));
        continue;
      }
      const std::string reason =
          copy.on ? absl::StrCat("input type '", input.spec->type,
                                 "' is not supported by this build")
                  : copy.reason;
      off.push_back({{"id", copy.id}, {"reason", reason}});
    }
  }
  return {{"inputs", std::move(on)}, {"off", std::move(off)}};
}

}  // namespace

void AddRenderCommand(CLI::App& app, int& exit_code) {
  CLI::App* command =
      app.add_subcommand("render", "Render a policy's inputs once and print them as JSON");
  auto options = std::make_shared<SnapshotOptions>();
  command->add_option("--policy", options->policy_path, "The policy file (YAML)")->required();
  command->add_option("--vars", options->vars_path,
                      "Pin the variables instead of running the static providers: "
                      "{context: {provider: mapping}, dynamic: {provider: [{id, mapping, "
                      "processors}]}} (YAML or JSON)");
  command->add_flag("--strict", options->strict, "A missing variable in a condition is an error");
  command->callback([&exit_code, options] {
    (void)logging::SetLevel("warn");  // provider start lines would bury the output
    auto snapshot = PolicySnapshot::Create(*options);
    if (!snapshot.ok()) {
      std::cerr << snapshot.status().message() << "\n";
      exit_code = kExitInvalidInput;
      return;
    }
    for (const std::string& warning : (*snapshot)->policy().warnings) std::cerr << warning << "\n";
    for (const std::string& note : (*snapshot)->notes()) std::cerr << "note: " << note << "\n";
    std::cout << RenderJson(**snapshot).dump(2) << "\n";
    exit_code = kExitOk;
  });
}

}  // namespace gatehouse::cli
