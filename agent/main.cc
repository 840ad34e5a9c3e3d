// gatehouse: the agent and its tools. `gatehouse --help` lists the sub-commands.
#include <string>

#include "CLI/CLI.hpp"
#include "agent/cli/command.h"
#include "agent/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Gatehouse: an agent whose inputs are switched on and off by conditions over variables "
      "that providers publish.",
      "gatehouse"};
  app.set_version_flag("--version", std::string("gatehouse ") + gatehouse::kVersion);
  app.require_subcommand(1);

  int exit_code = gatehouse::cli::kExitOk;
  gatehouse::cli::AddRunCommand(app, exit_code);
  gatehouse::cli::AddCheckCommand(app, exit_code);
  gatehouse::cli::AddEvalCommand(app, exit_code);
  gatehouse::cli::AddRenderCommand(app, exit_code);
  gatehouse::cli::AddExplainCommand(app, exit_code);
  gatehouse::cli::AddPluginsCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : gatehouse::cli::kExitUsage;
  }
  return exit_code;
}
