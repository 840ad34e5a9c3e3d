#include "agent/cli/command.h"

namespace gatehouse::cli {

void AddExplainCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("explain", "Explain, for every input, why it is on or off");
  command->allow_extras();
  command->callback([&exit_code] {
    exit_code = CommandNotInThisBuild("explain", "the policy loader (issue #4)");
  });
}

}  // namespace gatehouse::cli
