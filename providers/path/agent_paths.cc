#include "providers/path/agent_paths.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::providers {
namespace {

std::string StringOption(const Value& options, absl::string_view key) {
  const Value* value = options.Find(key);
  return value != nullptr && value->is_string() ? value->as_string() : std::string();
}

std::string Under(const std::string& home, const std::string& path) {
  if (path.empty() || absl::StartsWith(path, "/")) return path;
  return absl::StrCat(home, absl::EndsWith(home, "/") ? "" : "/", path);
}

}  // namespace

absl::StatusOr<Value::Map> AgentPaths(const Value& options, const std::string& cwd,
                                      const std::string& context_data_path) {
  std::string home = StringOption(options, "home");
  if (home.empty()) home = cwd;
  if (home.empty()) {
    return absl::FailedPreconditionError("path provider: no 'home' configured and no working directory");
  }
  home = Under(cwd, home);
  std::string config = Under(home, StringOption(options, "config"));
  std::string data = Under(home, StringOption(options, "data"));
  std::string logs = Under(home, StringOption(options, "logs"));
  if (config.empty()) config = home;
  if (data.empty()) data = context_data_path.empty() ? Under(home, "data") : context_data_path;
  if (logs.empty()) logs = Under(home, "logs");
  return Value::Map{{"home", home}, {"config", config}, {"data", data}, {"logs", logs}};
}

}  // namespace gatehouse::providers
