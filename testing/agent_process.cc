#include "testing/agent_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace gatehouse::testing {

namespace fs = std::filesystem;

std::string Runfile(const std::string& path) {
  return fs::path(std::getenv("TEST_SRCDIR")) / "gatehouse" / path;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

namespace {

std::string ShellQuote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

CommandResult RunGatehouse(const std::vector<std::string>& args, const std::string& stdin_text) {
  const fs::path dir = std::getenv("TEST_TMPDIR");
  const fs::path in = dir / "gatehouse.stdin", out = dir / "gatehouse.stdout",
                 err = dir / "gatehouse.stderr";
  std::ofstream(in, std::ios::binary) << stdin_text;
  std::string command = "agent/gatehouse";
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  command += " < " + in.string() + " > " + out.string() + " 2> " + err.string();
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool Eventually(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return condition();
}

nlohmann::json StatusAt(int port) {
  if (port == 0) return nlohmann::json();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, 300000);
  client.set_read_timeout(2, 0);
  auto response = client.Get("/status");
  if (!response || response->status != 200) return nlohmann::json();
  return nlohmann::json::parse(response->body, nullptr, false);
}

std::string InputStateAt(int port, const std::string& id) {
  nlohmann::json status = StatusAt(port);
  if (!status.is_object() || !status.contains("inputs")) return "";
  for (const auto& input : status["inputs"]) {
    if (input.value("id", "") == id) return input.value("state", "");
  }
  return "";
}

AgentProcess::AgentProcess(const fs::path& policy, const fs::path& data,
                           const std::map<std::string, std::string>& env,
                           const std::string& shutdown_timeout)
    : data_(data), log_(data / "agent.log") {
  fs::create_directories(data);
  // Everything that allocates or takes a lock happens before fork: in a multithreaded parent
  // (test servers, samplers) the child may only call async-signal-safe functions, or it can hang
  // on a lock another thread held at the fork (seen under ASan with twenty agents).
  const std::string binary = Runfile("agent/gatehouse");
  const std::vector<std::string> args = {binary,         "run",
                                         "--policy",     policy.string(),
                                         "--path.data",  data.string(),
                                         "--status-addr", "127.0.0.1:0",
                                         "--shutdown-timeout", shutdown_timeout};
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    if (env.count(text.substr(0, text.find('='))) == 0) environment.push_back(text);
  }
  for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  for (const std::string& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const int log_fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_ = fork();
  if (pid_ == 0) {
    if (log_fd < 0 || dup2(log_fd, STDERR_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0) {
      _exit(127);
    }
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  if (log_fd >= 0) close(log_fd);
}

AgentProcess::~AgentProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string AgentProcess::log() const { return ReadFile(log_); }

bool AgentProcess::WaitForLog(const std::string& text, absl::Duration timeout) const {
  return Eventually([&] { return absl::StrContains(log(), text); }, timeout);
}

int AgentProcess::WaitForStatusPort() {
  if (status_port_ != 0) return status_port_;
  const std::string line = "monitoring on http://127.0.0.1:";
  if (!WaitForLog(line)) return 0;
  const std::string text = log();
  const size_t at = text.find(line) + line.size();
  if (!absl::SimpleAtoi(text.substr(at, text.find(' ', at) - at), &status_port_)) {
    status_port_ = 0;
  }
  return status_port_;
}

nlohmann::json AgentProcess::Status() { return StatusAt(WaitForStatusPort()); }

std::string AgentProcess::InputState(const std::string& id) {
  return InputStateAt(WaitForStatusPort(), id);
}

bool AgentProcess::Alive() {
  httplib::Client client("127.0.0.1", WaitForStatusPort());
  auto response = client.Get("/liveness");
  return response && response->status == 200;
}

std::vector<nlohmann::json> AgentProcess::Events() const {
  std::vector<nlohmann::json> events;
  std::ifstream in(data_ / "events.ndjson");
  std::string line;
  while (std::getline(in, line)) events.push_back(nlohmann::json::parse(line, nullptr, false));
  return events;
}

void AgentProcess::Signal(int signal) {
  signalled_ = true;
  kill(pid_, signal);
}

int AgentProcess::Wait(absl::Duration timeout) {
  int status = 0;
  const bool done = Eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
  if (!done) return -1;
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace gatehouse::testing
