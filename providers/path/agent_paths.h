// The agent's folders (the `path` provider's logic): home, config, data and logs, each either
// configured or derived from home the way Elastic Agent does (config = home, data = home/data,
// logs = home/logs).
#ifndef GATEHOUSE_PROVIDERS_PATH_AGENT_PATHS_H_
#define GATEHOUSE_PROVIDERS_PATH_AGENT_PATHS_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/value.h"

namespace gatehouse::providers {

// `options` went through ApplyOptions with the path provider's table (all optional strings).
// `cwd` is home when none is configured; `context_data_path` is data when set and none is
// configured. Relative paths are resolved against home.
absl::StatusOr<Value::Map> AgentPaths(const Value& options, const std::string& cwd,
                                      const std::string& context_data_path);

}  // namespace gatehouse::providers

#endif  // GATEHOUSE_PROVIDERS_PATH_AGENT_PATHS_H_
