// The `gatehouse` sub-commands. Each lives in its own file and adds itself to the CLI11 app;
// its callback stores the process exit code. Exit codes are documented in docs/cli.md.
#ifndef GATEHOUSE_AGENT_CLI_COMMAND_H_
#define GATEHOUSE_AGENT_CLI_COMMAND_H_

#include "CLI/CLI.hpp"

namespace gatehouse::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // the agent failed while running
inline constexpr int kExitInvalidInput = 2;  // a policy or condition does not compile
inline constexpr int kExitEvalError = 3;     // a condition failed while evaluating
inline constexpr int kExitUsage = 64;        // bad command line, or a command this build lacks

void AddRunCommand(CLI::App& app, int& exit_code);
void AddCheckCommand(CLI::App& app, int& exit_code);
void AddEvalCommand(CLI::App& app, int& exit_code);
void AddRenderCommand(CLI::App& app, int& exit_code);
void AddExplainCommand(CLI::App& app, int& exit_code);
void AddPluginsCommand(CLI::App& app, int& exit_code);

// For a sub-command whose implementation has not landed in this build: says which issue brings
// it and returns kExitUsage.
int CommandNotInThisBuild(const char* command, const char* what_brings_it);

}  // namespace gatehouse::cli

#endif  // GATEHOUSE_AGENT_CLI_COMMAND_H_
