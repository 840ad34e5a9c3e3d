// Registers the `kubernetes_leasepool` provider.
#include "agent/registry/registry.h"
#include "providers/kubernetes_leasepool/lease_pool_provider.h"

namespace gatehouse::providers {
namespace {

class LeasePoolProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "kubernetes_leasepool"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "Lease pools as counting semaphores: cold_start (limits agents starting up at once) "
           "and delegation (names the delegated agents).";
  }
  const OptionTable& options() const override {
    static const OptionTable* const table = new OptionTable{
        {"pools", OptionType::kMap,
         Value(Value::Map{
             {"cold_start", Value(Value::Map{{"count", Value(10)}, {"max_hold", Value("60s")}})},
             {"delegation", Value(Value::Map{{"count", Value(2)}})}}),
         "{cold_start: {count, max_hold}, delegation: {count}}"},
        {"node_name", OptionType::kString, Value(), "lease holder; default $NODE_NAME, else the agent id"},
        {"leader_leaseduration", OptionType::kDuration, Value("15s"), "lease duration"},
        {"leader_renewdeadline", OptionType::kDuration, Value("10s"), "renew deadline"},
        {"leader_retryperiod", OptionType::kDuration, Value("2s"), "retry period"},
        {"kube_config", OptionType::kString, Value(), "kubeconfig path"},
        {"kube_client_options", OptionType::kMap,
         Value(Value::Map{{"qps", Value(5)}, {"burst", Value(10)}}), "{qps, burst}"},
        {"namespace", OptionType::kString, Value(), "namespace of the Leases"},
        {"backend", OptionType::kString, Value("kubernetes"), "kubernetes | file"},
        {"lease_dir", OptionType::kString, Value(), "folder for backend: file"},
        {"follower_mode", OptionType::kString, Value("watch"),
         "watch | poll: how an agent waits for a Lease someone else holds"},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    auto settings = ParseLeasePoolOptions(options, context);
    if (!settings.ok()) return settings.status();
    auto provider =
        LeasePoolProvider::Create(*std::move(settings), context.clock, context.startup_gate);
    if (!provider.ok()) return provider.status();
    return std::unique_ptr<Provider>(std::move(*provider));
  }
};

}  // namespace

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, LeasePoolProviderFactory);

}  // namespace gatehouse::providers
