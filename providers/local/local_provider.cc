// The `local` context provider: the `vars:` map of its policy section, as `local.<key>`.
#include <memory>

#include "agent/provider/provider.h"
#include "agent/provider/static_context_provider.h"
#include "agent/registry/registry.h"

namespace gatehouse::providers {
namespace {

class LocalProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "local"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "Fixed variables from the policy (providers.local.vars), as local.<key>.";
  }
  const OptionTable& options() const override {
    static const auto* const table = new OptionTable{
        {"vars", OptionType::kMap, Value(Value::Map{}), "The variables to publish."},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    const Value* vars = options.Find("vars");
    Value::Map mapping = vars != nullptr ? vars->as_map() : Value::Map{};
    return std::make_unique<StaticContextProvider>(
        [mapping]() -> absl::StatusOr<Value::Map> { return mapping; });
  }
};

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, LocalProviderFactory);

}  // namespace
}  // namespace gatehouse::providers
