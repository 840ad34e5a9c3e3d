// The `env` context provider: every environment variable of the agent process, as
// `env.<NAME>` (`${env.NODE_NAME}`, or `${NODE_NAME}` with the default provider prefix).
#include <memory>

#include "agent/provider/provider.h"
#include "agent/provider/static_context_provider.h"
#include "agent/registry/registry.h"
#include "providers/env/environment.h"

extern char** environ;

namespace gatehouse::providers {
namespace {

class EnvProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "env"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "Every environment variable of the agent process, as env.<NAME>.";
  }
  const OptionTable& options() const override {
    static const auto* const table = new OptionTable{};
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    return std::make_unique<StaticContextProvider>(
        []() -> absl::StatusOr<Value::Map> { return EnvironmentMapping(environ); });
  }
};

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, EnvProviderFactory);

}  // namespace
}  // namespace gatehouse::providers
