#include "agent/cli/command.h"

namespace gatehouse::cli {

void AddPluginsCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("plugins", "List every provider, input and output with its options");
  command->allow_extras();
  command->callback([&exit_code] {
    exit_code = CommandNotInThisBuild("plugins", "the plugin registry (issue #4)");
  });
}

}  // namespace gatehouse::cli
