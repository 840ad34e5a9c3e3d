// gatehouse run: the agent daemon.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/cli/command.h"
#include "agent/daemon/agent.h"
#include "agent/daemon/file_watcher.h"
#include "agent/daemon/signal_watcher.h"
#include "agent/plugin/plugin_loader.h"
#include "agent/registry/options.h"
#include "common/logging.h"
#include "common/malloc_tuning.h"

namespace gatehouse::cli {
namespace {

struct RunFlags {
  std::string policy;
  std::vector<std::string> plugin_dirs;
  std::string data_path = "data";
  std::string status_addr;
  std::string log_level = "info";
  std::string log_format = "human";
  std::string shutdown_timeout = "30s";
  bool strict = false;
  bool no_watch = false;
};

int Run(const RunFlags& flags) {
  TuneMallocForEventBursts();  // the agent's allocation pattern: see common/malloc_tuning.h
  if (absl::Status s = logging::SetLevel(flags.log_level); !s.ok()) {
    std::fprintf(stderr, "gatehouse run: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  }
  if (absl::Status s = logging::SetFormat(flags.log_format); !s.ok()) {
    std::fprintf(stderr, "gatehouse run: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<int64_t> timeout_ms = ParseDurationMillis(flags.shutdown_timeout);
  if (!timeout_ms.ok()) {
    std::fprintf(stderr, "gatehouse run: --shutdown-timeout: %s\n",
                 std::string(timeout_ms.status().message()).c_str());
    return kExitUsage;
  }
  // Before any thread starts, so only the signal watcher receives SIGTERM/SIGINT/SIGHUP.
  BlockTerminationSignals();

  for (const std::string& dir : flags.plugin_dirs) {
    absl::StatusOr<PluginDirectoryReport> report = LoadProviderPluginDirectory(dir);
    if (!report.ok()) {
      GH_LOG_ERROR("plugins: {}", std::string(report.status().message()));
      return kExitFailure;
    }
    for (const auto& path : report->loaded) GH_LOG_INFO("plugin loaded: {}", path);
    for (const auto& refused : report->refused) {
      GH_LOG_ERROR("plugin refused: {}", std::string(refused.message()));
    }
  }

  AgentOptions options;
  options.policy_path = flags.policy;
  options.data_path = flags.data_path;
  options.strict = flags.strict;
  if (!flags.status_addr.empty()) options.status_addr = flags.status_addr;
  options.shutdown_timeout = absl::Milliseconds(*timeout_ms);
  absl::StatusOr<std::unique_ptr<Agent>> agent = Agent::Start(options);
  if (!agent.ok()) {
    GH_LOG_ERROR("cannot start: {}", std::string(agent.status().message()));
    return agent.status().code() == absl::StatusCode::kInvalidArgument ? kExitInvalidInput
                                                                        : kExitFailure;
  }
  Agent* running = agent->get();
  SignalWatcher signals({[running](int signal) {
                           GH_LOG_INFO("signal {} received: shutting down", signal);
                           running->RequestStop();
                         },
                         [running] {
                           GH_LOG_INFO("SIGHUP received: reloading the policy");
                           running->RequestReload();
                         }});
  std::unique_ptr<FileWatcher> watcher;
  if (!flags.no_watch) {
    absl::StatusOr<std::unique_ptr<FileWatcher>> created =
        FileWatcher::Create(flags.policy, absl::Milliseconds(300), [running] {
          GH_LOG_INFO("policy file changed: reloading");
          running->RequestReload();
        });
    if (created.ok()) {
      watcher = *std::move(created);
    } else {
      GH_LOG_WARN("not watching the policy file: {} (SIGHUP still reloads)",
                  std::string(created.status().message()));
    }
  }
  absl::Status finished = running->Run();
  watcher.reset();
  if (!finished.ok()) {
    GH_LOG_ERROR("{}", std::string(finished.message()));
    std::fflush(stderr);
    std::_Exit(kExitFailure);  // threads are still stuck in the shutdown: do not join them
  }
  agent->reset();
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* command = app.add_subcommand(
      "run", "Run the agent on a policy: providers, conditions, inputs and outputs");
  command->add_option("--policy", flags->policy, "The policy file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--plugin-dir", flags->plugin_dirs,
                      "Load every lib*_provider.so of this folder (repeatable)");
  command->add_option("--path.data", flags->data_path,
                      "The agent's data folder (agent id, file leases, event files)")
      ->capture_default_str();
  command->add_option("--status-addr", flags->status_addr,
                      "Serve /status, /metrics and /liveness on host:port (overrides "
                      "agent.monitoring.http)");
  command->add_flag("--strict", flags->strict,
                    "A variable without a value is an error in conditions");
  command->add_option("--log-level", flags->log_level, "debug, info, warn or error")
      ->capture_default_str();
  command->add_option("--log-format", flags->log_format, "human or json")
      ->capture_default_str();
  command->add_option("--shutdown-timeout", flags->shutdown_timeout,
                      "Longest a SIGTERM shutdown may take before the agent exits with 1")
      ->capture_default_str();
  command->add_flag("--no-watch", flags->no_watch,
                    "Do not reload when the policy file changes (SIGHUP still reloads)");
  command->callback([flags, &exit_code] { exit_code = Run(*flags); });
}

}  // namespace gatehouse::cli
