// The `kubernetes_leaderelection` provider: one LeaderElector on one Lease; publishes
// `leader` (false from the start, true while leading), `holder` and `identity`.
//
// Thread contract: Start/Stop from one thread; the elector's callbacks publish from the
// elector's thread.
#ifndef GATEHOUSE_PROVIDERS_KUBERNETES_LEADERELECTION_LEADER_ELECTION_PROVIDER_H_
#define GATEHOUSE_PROVIDERS_KUBERNETES_LEADERELECTION_LEADER_ELECTION_PROVIDER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/provider/provider.h"
#include "common/metrics.h"
#include "kube/lease_backend.h"
#include "kube/leader_elector.h"

namespace gatehouse::providers {

// The provider's settings, after option parsing.
struct LeaderElectionSettings {
  std::string lease_name = "gatehouse-cluster-leader";
  kube::ElectorConfig elector;
  kube::LeaseBackendOptions backend;
};

// Reads the options (defaults filled by ApplyOptions; durations in milliseconds) and validates
// the timings with the reference's reasons.
absl::StatusOr<LeaderElectionSettings> ParseLeaderElectionOptions(const Value& options,
                                                                  const ProviderContext& context);

class LeaderElectionProvider final : public Provider {
 public:
  static absl::StatusOr<std::unique_ptr<LeaderElectionProvider>> Create(
      LeaderElectionSettings settings, Clock* clock);
  ~LeaderElectionProvider() override;

  absl::Status Start(ProviderSink* sink) override;
  void Stop() override;

 private:
  LeaderElectionProvider(LeaderElectionSettings settings, Clock* clock);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnError(const absl::Status& error);

  const LeaderElectionSettings settings_;
  Clock* const clock_;
  std::unique_ptr<kube::LeaseBackend> backend_;
  std::unique_ptr<kube::LeaseLock> lock_;
  std::unique_ptr<kube::LeaderElector> elector_;
  Gauge* leader_gauge_ = nullptr;

  absl::Mutex mu_;
  ProviderSink* sink_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool leader_ ABSL_GUARDED_BY(mu_) = false;
  std::string holder_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse::providers

#endif  // GATEHOUSE_PROVIDERS_KUBERNETES_LEADERELECTION_LEADER_ELECTION_PROVIDER_H_
