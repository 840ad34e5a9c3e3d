#include "agent/cli/command.h"

namespace gatehouse::cli {

void AddCheckCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("check", "Validate a policy and summarise it");
  command->allow_extras();
  command->callback([&exit_code] {
    exit_code = CommandNotInThisBuild("check", "the policy loader (issue #4)");
  });
}

}  // namespace gatehouse::cli
