// ProviderRunner: runs the providers a policy references or enables, publishing into a
// VariableStore; restarts a provider that fails (Start error or ProviderSink::Fail) after an
// exponential back-off measured on the injected clock; reports each provider's state for /status.
//
// Thread contract: thread-safe. Start and Stop are called by the agent (Stop is idempotent and
// safe without Start); States may be called from any thread. Providers' Fail calls arrive on
// their own threads; the runner's supervisor thread does the stopping and restarting.
#ifndef GATEHOUSE_AGENT_PROVIDER_PROVIDER_RUNNER_H_
#define GATEHOUSE_AGENT_PROVIDER_PROVIDER_RUNNER_H_

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/provider/provider.h"
#include "agent/store/variable_store.h"
#include "common/clock.h"
#include "common/value.h"

namespace gatehouse {

// One provider to run: its name (the factory's name) and its raw options from the policy.
struct ProviderConfig {
  std::string name;
  Value options;  // the provider's policy section (without `enabled`), or null
};

struct ProviderSelection {
  std::vector<ProviderConfig> run;   // sorted by name
  std::vector<std::string> unknown;  // configured under `providers:` but not registered
};

// Which providers run: every registered one under `providers:` whose `enabled` is not false,
// plus every namespace in `referenced` that names a registered provider and is not disabled.
// Configured names with no registered provider (Elastic's `kubernetes`, say) are returned in
// `unknown` for the caller to warn about; referenced namespaces with no provider are ignored (the
// policy loader warns about those). An entry that is neither a map nor null, or an `enabled`
// that is not a bool, is an error naming it.
absl::StatusOr<ProviderSelection> SelectProviders(const Value& providers_section,
                                                  const std::set<std::string>& referenced);

struct ProviderRunnerOptions {
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(1);
  // A provider that ran at least this long before failing starts again from initial_backoff.
  absl::Duration reset_backoff_after = absl::Minutes(2);
};

// A provider's state as /status shows it.
struct ProviderState {
  enum class Phase { kStopped, kRunning, kFailed };
  std::string name;
  ProviderFactory::Kind kind = ProviderFactory::Kind::kContext;
  Phase phase = Phase::kStopped;
  absl::Status last_error;  // OK when it never failed
  int restarts = 0;
  absl::Time next_restart = absl::InfinitePast();  // monotonic; meaningful while kFailed
};
absl::string_view ProviderPhaseName(ProviderState::Phase phase);

class ProviderRunner {
 public:
  // Looks every provider up in Registry<ProviderFactory>::Global(), applies its option table
  // (`enabled` passes through) and creates nothing yet. Errors name the provider and option.
  // `store` must outlive the runner; `context.clock` drives the back-off.
  static absl::StatusOr<std::unique_ptr<ProviderRunner>> Create(
      VariableStore* store, std::vector<ProviderConfig> providers, ProviderContext context,
      ProviderRunnerOptions options = {});

  ~ProviderRunner();
  ProviderRunner(const ProviderRunner&) = delete;
  ProviderRunner& operator=(const ProviderRunner&) = delete;

  // Creates and starts every provider; one that fails is reported and retried, so this only
  // fails when called twice.
  absl::Status Start();
  // Stops every provider and the supervisor; waits for them.
  void Stop();

  std::vector<ProviderState> States() const;
  // [{name, kind, state, error, restarts}] for /status.
  Value StatesToValue() const;

 private:
  struct Entry;

  ProviderRunner(VariableStore* store, ProviderContext context, ProviderRunnerOptions options);

  // Creates and starts a new instance of `entry` (outside mu_: providers may call back).
  void Launch(Entry* entry) ABSL_LOCKS_EXCLUDED(mu_);
  void MarkFailedLocked(Entry* entry, absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnFail(Entry* entry, int instance, absl::Status status) ABSL_LOCKS_EXCLUDED(mu_);
  void Supervise() ABSL_LOCKS_EXCLUDED(mu_);
  void WakeSupervisorLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  VariableStore* const store_;
  const ProviderContext context_;
  const ProviderRunnerOptions options_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set when a provider failed and the supervisor has not handled it yet.
  bool failure_pending_ ABSL_GUARDED_BY(mu_) = false;
  // Wakes the supervisor while it sleeps on the clock; replaced for every sleep.
  std::shared_ptr<absl::Notification> wake_ ABSL_GUARDED_BY(mu_);
  std::thread supervisor_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PROVIDER_PROVIDER_RUNNER_H_
