// Test helpers for driving real `gatehouse run` processes: spawn one from runfiles, read its
// log, its /status and its file output, signal it and wait for it.
//
// Thread contract: AgentProcess is thread-compatible; InputStateAt is thread-safe.
#ifndef GATEHOUSE_TESTING_AGENT_PROCESS_H_
#define GATEHOUSE_TESTING_AGENT_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace gatehouse::testing {

// A file of this workspace's runfiles ("agent/gatehouse").
std::string Runfile(const std::string& path);
std::string ReadFile(const std::filesystem::path& path);
// An empty folder under TEST_TMPDIR.
std::filesystem::path FreshDir(const std::string& name);
// Polls `condition` every 50 ms until it holds or `timeout` passes; its last value.
bool Eventually(const std::function<bool()>& condition, absl::Duration timeout);

// The /status document of the agent on `port` (null when unreachable, discarded when not JSON).
nlohmann::json StatusAt(int port);

// One finished `gatehouse` command: exit code (-1 if killed by a signal) and what it printed.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the workspace's `agent/gatehouse` with `args` (each passed as one argument, quoted for
// the shell) and `stdin_text` on its standard input; waits for it.
CommandResult RunGatehouse(const std::vector<std::string>& args,
                           const std::string& stdin_text = "");

// The state of input copy `id` in the /status of the agent on `port` ("" when unreachable or
// absent).
std::string InputStateAt(int port, const std::string& id);

// One `gatehouse run --policy P --path.data D --status-addr 127.0.0.1:0` child process; its
// stdout and stderr go to `<data>/agent.log`. Killed (SIGKILL) on destruction if still running.
class AgentProcess {
 public:
  AgentProcess(const std::filesystem::path& policy, const std::filesystem::path& data,
               const std::map<std::string, std::string>& env,
               const std::string& shutdown_timeout = "20s");
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  std::string log() const;
  bool WaitForLog(const std::string& text, absl::Duration timeout = absl::Seconds(20)) const;
  // The /status port from the log line `monitoring on http://127.0.0.1:PORT`; 0 if it never came.
  int WaitForStatusPort();
  nlohmann::json Status();
  std::string InputState(const std::string& id);
  bool Alive();
  // The lines of `<data>/events.ndjson`, parsed (a torn line parses as a discarded value).
  std::vector<nlohmann::json> Events() const;

  void Signal(int signal);
  bool signalled() const { return signalled_; }
  // Waits for the process; its exit code, or -1 on timeout or death by a signal.
  int Wait(absl::Duration timeout = absl::Seconds(30));
  bool exited() const { return exited_; }

 private:
  std::filesystem::path data_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
  bool signalled_ = false;
  int status_port_ = 0;
};

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_AGENT_PROCESS_H_
