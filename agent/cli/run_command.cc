#include "agent/cli/command.h"

namespace gatehouse::cli {

void AddRunCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("run", "Run the agent on a policy");
  command->allow_extras();
  command->callback([&exit_code] {
    exit_code = CommandNotInThisBuild("run", "the agent daemon (issue #7)");
  });
}

}  // namespace gatehouse::cli
