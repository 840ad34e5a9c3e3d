// Registers the `kubernetes_leaderelection` provider.
#include "absl/strings/str_cat.h"
#include "agent/registry/registry.h"
#include "providers/kubernetes_leaderelection/leader_election_provider.h"

namespace gatehouse::providers {
namespace {

class LeaderElectionProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "kubernetes_leaderelection"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "Elects one leader among the agents through a Kubernetes Lease (or a lease file); "
           "publishes leader, holder and identity.";
  }
  const OptionTable& options() const override {
    static const OptionTable* const table = new OptionTable{
        {"leader_lease", OptionType::kString, Value("gatehouse-cluster-leader"),
         "name of the Lease"},
        {"leader_leaseduration", OptionType::kDuration, Value("15s"),
         "how long a lease is valid without renewal (a duration or seconds)"},
        {"leader_renewdeadline", OptionType::kDuration, Value("10s"),
         "the leader steps down when it cannot renew within this"},
        {"leader_retryperiod", OptionType::kDuration, Value("2s"),
         "time between attempts (candidates add up to 120% jitter)"},
        {"kube_config", OptionType::kString, Value(),
         "kubeconfig path; default $KUBECONFIG, else in-cluster"},
        {"kube_client_options", OptionType::kMap,
         Value(Value::Map{{"qps", Value(5)}, {"burst", Value(10)}}),
         "client-side rate limit {qps, burst}"},
        {"namespace", OptionType::kString, Value(),
         "namespace of the Lease; default from the kubeconfig context, POD_NAMESPACE, the "
         "service account, else default"},
        {"backend", OptionType::kString, Value("kubernetes"), "kubernetes | file"},
        {"lease_dir", OptionType::kString, Value(),
         "folder of lease files for backend: file; default <path.data>/leases"},
        {"identity", OptionType::kString, Value(),
         "this agent's identity; default gatehouse-leader-$POD_NAME, else the agent id"},
        {"follower_mode", OptionType::kString, Value("watch"),
         "watch | poll: how followers wait for the lease (watch: one long-lived request)"},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    auto settings = ParseLeaderElectionOptions(options, context);
    if (!settings.ok()) return settings.status();
    auto provider = LeaderElectionProvider::Create(*std::move(settings), context.clock);
    if (!provider.ok()) return provider.status();
    return std::unique_ptr<Provider>(std::move(*provider));
  }
};

}  // namespace

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, LeaderElectionProviderFactory);

}  // namespace gatehouse::providers
