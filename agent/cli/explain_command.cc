// `gatehouse explain --policy FILE [--vars FILE] [--strict]`: for every input and copy, whether it
// is on, its conditions, the value of every variable they read (missing shown as such) and why.
// Colour only when stdout is a terminal (and NO_COLOR is unset). Exit 2 on a policy error.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/cli/command.h"
#include "agent/cli/policy_snapshot.h"
#include "common/logging.h"

namespace gatehouse::cli {
namespace {

struct Palette {
  const char* on = "";
  const char* off = "";
  const char* failed = "";
  const char* dim = "";
  const char* bold = "";
  const char* reset = "";
};

Palette PaletteFor(bool colour) {
  if (!colour) return {};
  return {"\033[32m", "\033[33m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"};
}

struct Tally {
  int on = 0, off = 0, failed = 0, unsupported = 0;
};

void ExplainInput(const RenderedInput& input, const Palette& p, Tally* tally, std::ostream& out) {
  const policy::InputSpec& spec = *input.spec;
  out << p.bold << spec.id << p.reset << "  " << spec.type;
  if (!spec.supported) out << "  " << p.failed << "(type not supported by this build)" << p.reset;
  if (!input.dynamic_provider.empty()) {
    out << "  " << p.dim << "(one copy per '" << input.dynamic_provider << "' mapping)" << p.reset;
  }
  out << "\n";
  if (spec.conditions.empty()) out << "  " << p.dim << "no condition" << p.reset << "\n";
  for (const policy::ConditionSpec& condition : spec.conditions) {
    out << "  condition  " << condition.text << "  " << p.dim << "(" << condition.where
        << ", line " << condition.position.line << ")" << p.reset << "\n";
  }
  for (const policy::RenderResult& copy : input.copies) {
    const char* colour;
    const char* state;
    std::string reason = copy.reason;
    if (copy.on && spec.supported) {
      colour = p.on, state = "ON  ", ++tally->on;
    } else if (copy.on) {
      colour = p.failed, state = "UNSUPPORTED", ++tally->unsupported;
      reason = absl::StrCat("input type '", spec.type, "' is not supported by this build");
    } else if (copy.failed) {
      colour = p.failed, state = "FAILED", ++tally->failed;
    } else {
      colour = p.off, state = "OFF ", ++tally->off;
    }
    out << "  " << colour << p.bold << state << p.reset << " " << copy.id << "\n";
    for (const auto& [path, value] : copy.variables) {
      out << "       " << path << " = ";
      if (value.is_null()) {
        out << p.dim << "missing" << p.reset << "\n";
      } else {
        out << value.ToJson() << "\n";
      }
    }
    if (!reason.empty()) out << "       " << colour << "why: " << reason << p.reset << "\n";
  }
  out << "\n";
}

}  // namespace

void AddExplainCommand(CLI::App& app, int& exit_code) {
  CLI::App* command =
      app.add_subcommand("explain", "Explain, for every input, why it is on or off");
  auto options = std::make_shared<SnapshotOptions>();
  command->add_option("--policy", options->policy_path, "The policy file (YAML)")->required();
  command->add_option("--vars", options->vars_path,
                      "Pin the variables instead of running the static providers (see render)");
  command->add_flag("--strict", options->strict, "A missing variable in a condition is an error");
  command->callback([&exit_code, options] {
    (void)logging::SetLevel("warn");  // provider start lines would bury the output
    auto snapshot = PolicySnapshot::Create(*options);
    if (!snapshot.ok()) {
      std::cerr << snapshot.status().message() << "\n";
      exit_code = kExitInvalidInput;
      return;
    }
    const bool colour = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    const Palette p = PaletteFor(colour);
    const PolicySnapshot& s = **snapshot;
    std::cout << p.bold << "policy " << s.policy().file << p.reset << p.dim
              << "  (variables from " << s.variables_source() << "; strict "
              << (s.strict() ? "on" : "off") << ")" << p.reset << "\n";
    for (const std::string& warning : s.policy().warnings) {
      std::cout << p.off << warning << p.reset << "\n";
    }
    for (const std::string& note : s.notes()) std::cout << p.off << "note: " << note << p.reset << "\n";
    std::cout << "\n";
    Tally tally;
    for (const RenderedInput& input : s.inputs()) ExplainInput(input, p, &tally, std::cout);
    std::cout << s.inputs().size() << " inputs: " << p.on << tally.on << " on" << p.reset << ", "
              << p.off << tally.off << " off" << p.reset << ", " << p.failed << tally.failed
              << " failed, " << tally.unsupported << " unsupported" << p.reset << "\n";
    exit_code = kExitOk;
  });
}

}  // namespace gatehouse::cli
