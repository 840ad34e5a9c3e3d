// The `path` context provider: path.home, path.config, path.data and path.logs.
#include <unistd.h>

#include <memory>
#include <string>

#include "agent/provider/provider.h"
#include "agent/provider/static_context_provider.h"
#include "agent/registry/registry.h"
#include "providers/path/agent_paths.h"

namespace gatehouse::providers {
namespace {

std::string WorkingDirectory() {
  char buffer[4096];
  return getcwd(buffer, sizeof(buffer)) != nullptr ? std::string(buffer) : std::string();
}

class PathProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "path"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "The agent's folders: path.home, path.config, path.data, path.logs.";
  }
  const OptionTable& options() const override {
    static const auto* const table = new OptionTable{
        {"home", OptionType::kString, Value(), "Home folder (default: the working directory)."},
        {"config", OptionType::kString, Value(), "Config folder (default: home)."},
        {"data", OptionType::kString, Value(),
         "Data folder (default: the agent's data path, else home/data)."},
        {"logs", OptionType::kString, Value(), "Logs folder (default: home/logs)."},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    absl::StatusOr<Value::Map> paths = AgentPaths(options, WorkingDirectory(), context.data_path);
    if (!paths.ok()) return paths.status();
    return std::make_unique<StaticContextProvider>(
        [mapping = *paths]() -> absl::StatusOr<Value::Map> { return mapping; });
  }
};

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, PathProviderFactory);

}  // namespace
}  // namespace gatehouse::providers
