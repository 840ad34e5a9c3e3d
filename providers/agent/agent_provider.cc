// The `agent` context provider: this agent's id (from the provider context: configured, or
// hostname-based) and the Gatehouse version, as `agent.id` and `agent.version`.
#include <memory>

#include "agent/provider/provider.h"
#include "agent/provider/static_context_provider.h"
#include "agent/registry/registry.h"
#include "agent/version.h"

namespace gatehouse::providers {
namespace {

class AgentProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "agent"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "This agent: agent.id and agent.version.";
  }
  const OptionTable& options() const override {
    static const auto* const table = new OptionTable{};
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    Value::Map mapping{{"id", context.agent_id}, {"version", kVersion}};
    return std::make_unique<StaticContextProvider>(
        [mapping]() -> absl::StatusOr<Value::Map> { return mapping; });
  }
};

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, AgentProviderFactory);

}  // namespace
}  // namespace gatehouse::providers
