// The `local_dynamic` dynamic provider: one mapping per item of `items:` in its policy section;
// each input that reads `local_dynamic.*` is rendered once per item.
#include <memory>
#include <utility>
#include <vector>

#include "agent/provider/provider.h"
#include "agent/registry/registry.h"
#include "providers/local_dynamic/local_dynamic_items.h"

namespace gatehouse::providers {
namespace {

// Thread-compatible: the provider runner calls Start and Stop from one thread.
class LocalDynamicProvider final : public Provider {
 public:
  explicit LocalDynamicProvider(std::vector<LocalDynamicItem> items) : items_(std::move(items)) {}

  absl::Status Start(ProviderSink* sink) override {
    for (const LocalDynamicItem& item : items_) {
      sink->UpsertMapping(item.id, item.vars, item.processors);
    }
    return absl::OkStatus();
  }
  void Stop() override {}

 private:
  const std::vector<LocalDynamicItem> items_;
};

class LocalDynamicProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "local_dynamic"; }
  Kind kind() const override { return Kind::kDynamic; }
  absl::string_view description() const override {
    return "Fixed mappings from the policy (providers.local_dynamic.items: [{vars, processors, "
           "id}]): one input copy each, variables as local_dynamic.<key>.";
  }
  const OptionTable& options() const override {
    static const auto* const table = new OptionTable{
        {"items", OptionType::kList, Value(Value::List{}),
         "The mappings: each {vars: map, processors: list (optional), id: string (optional, "
         "default the index)}."},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    const Value* items = options.Find("items");
    absl::StatusOr<std::vector<LocalDynamicItem>> parsed =
        ParseLocalDynamicItems(items != nullptr ? *items : Value());
    if (!parsed.ok()) return parsed.status();
    return std::make_unique<LocalDynamicProvider>(*std::move(parsed));
  }
};

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, LocalDynamicProviderFactory);

}  // namespace
}  // namespace gatehouse::providers
