#include "agent/cli/command.h"

namespace gatehouse::cli {

void AddEvalCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("eval", "Evaluate a condition expression");
  command->allow_extras();
  command->callback([&exit_code] {
    exit_code = CommandNotInThisBuild("eval", "the condition language (issue #3)");
  });
}

}  // namespace gatehouse::cli
