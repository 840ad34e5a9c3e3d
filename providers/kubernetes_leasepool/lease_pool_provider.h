// The `kubernetes_leasepool` provider (what the Sysdig agent calls node leases): pools of Leases
// `<prefix>-0 .. <prefix>-(count-1)` used as counting semaphores, holder = the node name.
//  - cold_start: holds input starts (StartupGate) until one lease is won, then releases it when
//    the first collections are done or after max_hold; publishes cold_start.state
//    (waiting, held, done).
//  - delegation: the holders are the cluster's delegated agents, until they stop; publishes
//    delegation.held and delegation.lease.
// One elector per Lease; an agent keeps the first Lease of a pool it wins and resigns the others.
//
// Thread contract: Start/Stop from one thread; electors and the cold-start coordinator run on
// their own threads and publish through the sink.
#ifndef GATEHOUSE_PROVIDERS_KUBERNETES_LEASEPOOL_LEASE_POOL_PROVIDER_H_
#define GATEHOUSE_PROVIDERS_KUBERNETES_LEASEPOOL_LEASE_POOL_PROVIDER_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "agent/provider/provider.h"
#include "kube/lease_backend.h"
#include "kube/leader_elector.h"

namespace gatehouse::providers {

struct LeasePoolSettings {
  int cold_start_count = 10;
  absl::Duration cold_start_max_hold = absl::Seconds(60);
  int delegation_count = 2;
  std::string holder;  // the node name
  kube::ElectorConfig elector;  // timings (identity is `holder`)
  kube::LeaseBackendOptions backend;
};

absl::StatusOr<LeasePoolSettings> ParseLeasePoolOptions(const Value& options,
                                                        const ProviderContext& context);

class LeasePoolProvider final : public Provider {
 public:
  static absl::StatusOr<std::unique_ptr<LeasePoolProvider>> Create(LeasePoolSettings settings,
                                                                    Clock* clock,
                                                                    StartupGate* gate);
  ~LeasePoolProvider() override;

  absl::Status Start(ProviderSink* sink) override;
  void Stop() override;

 private:
  struct Pool {
    std::string prefix;
    std::vector<std::unique_ptr<kube::LeaseLock>> locks;
    std::vector<std::unique_ptr<kube::LeaderElector>> electors;
    int held = -1;  // guarded by the provider's mu_
  };
  LeasePoolProvider(LeasePoolSettings settings, Clock* clock, StartupGate* gate);
  absl::Status BuildPool(Pool* pool, const std::string& prefix, int count);
  void Won(Pool* pool, int index) ABSL_LOCKS_EXCLUDED(mu_);
  void Lost(Pool* pool, int index) ABSL_LOCKS_EXCLUDED(mu_);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ColdStartCoordinator();
  bool ColdWonOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return cold_won_ || stopping_;
  }

  const LeasePoolSettings settings_;
  Clock* const clock_;
  StartupGate* const gate_;
  std::unique_ptr<kube::LeaseBackend> backend_;
  Pool cold_;
  Pool delegation_;
  std::thread coordinator_;
  absl::Notification cold_finished_;  // first collections done, or stopping
  bool started_ = false;

  mutable absl::Mutex mu_;
  ProviderSink* sink_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string cold_state_ ABSL_GUARDED_BY(mu_) = "waiting";
  bool cold_won_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gatehouse::providers

#endif  // GATEHOUSE_PROVIDERS_KUBERNETES_LEASEPOOL_LEASE_POOL_PROVIDER_H_
