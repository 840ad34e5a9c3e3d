#include "agent/cli/command.h"

namespace gatehouse::cli {

void AddRenderCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("render", "Render a policy's inputs once and print them as JSON");
  command->allow_extras();
  command->callback([&exit_code] {
    exit_code = CommandNotInThisBuild("render", "the policy loader (issue #4)");
  });
}

}  // namespace gatehouse::cli
