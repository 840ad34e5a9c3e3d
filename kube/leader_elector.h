// Leader election on a LeaseLock, following client-go's tools/leaderelection so Gatehouse agents
// and client-go programs can share a Lease:
//  - one attempt: GET (POST on 404); remember when the record last changed on our own monotonic
//    clock; someone else's unexpired lease (observed + duration > now) is left alone; otherwise
//    PUT with the resourceVersion we read (409: lost the round);
//  - candidates retry every retryPeriod x (1 + rand x 1.2); the leader renews every retryPeriod
//    and steps down when no renewal succeeded within renewDeadline, before anyone can take over;
//  - after losing, compete again; on Stop() a leader releases (holder "", duration 1);
//  - followers may watch the Lease instead of polling it (FollowerMode::kWatch), re-listing on
//    410 and falling back to polling when the watch fails.
//
// Thread contract: thread-safe. Callbacks run on the elector's own thread, one at a time; they
// must not call Stop() (Resign() is fine).
#ifndef GATEHOUSE_KUBE_LEADER_ELECTOR_H_
#define GATEHOUSE_KUBE_LEADER_ELECTOR_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "kube/lease_lock.h"

namespace gatehouse::kube {

inline constexpr double kJitterFactor = 1.2;

enum class FollowerMode { kPoll, kWatch };

struct ElectorConfig {
  std::string identity;
  absl::Duration lease_duration = absl::Seconds(15);
  absl::Duration renew_deadline = absl::Seconds(10);
  absl::Duration retry_period = absl::Seconds(2);
  FollowerMode follower_mode = FollowerMode::kPoll;
  bool release_on_stop = true;
  // Consulted before taking a Lease someone else could hold; false: do not compete now (lease
  // pools use it to hold at most one Lease of a pool).
  std::function<bool()> may_acquire;
};

// The reference's checks, as InvalidArgument naming the option:
// leaseDuration > renewDeadline > retryPeriod x 1.2 > 0, and an identity.
absl::Status ValidateElectorConfig(const ElectorConfig& config);

struct ElectorCallbacks {
  std::function<void()> on_started_leading;
  std::function<void(const std::string& reason)> on_stopped_leading;
  // The holder we observe changed ("" when the Lease is free).
  std::function<void(const std::string& holder)> on_holder_changed;
  // An attempt failed with an API error (not a lost round): 403, 401, outage... Called on every
  // failure; `Describe` tells where.
  std::function<void(const absl::Status& error)> on_error;
};

class LeaderElector {
 public:
  // `lock` and `clock` outlive the elector.
  static absl::StatusOr<std::unique_ptr<LeaderElector>> Create(ElectorConfig config,
                                                               LeaseLock* lock,
                                                               ElectorCallbacks callbacks,
                                                               Clock* clock);
  ~LeaderElector();

  // Starts the elector's thread (once).
  void Start();
  // Stops competing; a leader steps down (on_stopped_leading) and releases the Lease. Waits for
  // the thread. Safe without Start and twice.
  void Stop();
  // From any thread, callbacks included: a leader steps down and releases, then competes again
  // (subject to may_acquire).
  void Resign();

  bool IsLeader() const { return leader_.load(); }
  std::string Holder() const;
  // The last API error, OK after a successful attempt.
  absl::Status LastError() const;
  const ElectorConfig& config() const { return config_; }

  // One acquire-or-renew attempt (exposed for tests and benchmarks): true when we hold the Lease
  // afterwards.
  bool TryAcquireOrRenew(absl::Time monotonic_deadline);

 private:
  LeaderElector(ElectorConfig config, LeaseLock* lock, ElectorCallbacks callbacks, Clock* clock);
  void Run();
  // Waits between attempts as a candidate: polling sleep, or a watch until the observed lease
  // could expire. False when stopping.
  bool WaitAsCandidate();
  bool SleepFor(absl::Duration d) { return clock_->SleepFor(d, &stop_); }
  absl::Duration Jittered();
  void Lead();
  void Release();
  void Observe(const Lease& lease);
  void SetError(const absl::Status& status);

  const ElectorConfig config_;
  LeaseLock* const lock_;
  const ElectorCallbacks callbacks_;
  Clock* const clock_;

  absl::Notification stop_;
  std::atomic<bool> resign_{false};
  std::atomic<bool> leader_{false};
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<bool> joined_{false};

  mutable absl::Mutex mu_;
  std::optional<Lease> observed_ ABSL_GUARDED_BY(mu_);
  absl::Time observed_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();  // monotonic
  std::string holder_ ABSL_GUARDED_BY(mu_);
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  absl::BitGen rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_LEADER_ELECTOR_H_
