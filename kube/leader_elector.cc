#include "kube/leader_elector.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "kube/kube_client.h"
#include "kube/kube_errors.h"

namespace gatehouse::kube {

absl::Status ValidateElectorConfig(const ElectorConfig& config) {
  auto text = [](absl::Duration d) { return absl::FormatDuration(d); };
  if (config.lease_duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("leader_leaseduration must be greater than zero");
  }
  if (config.renew_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("leader_renewdeadline must be greater than zero");
  }
  if (config.retry_period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("leader_retryperiod must be greater than zero");
  }
  if (config.lease_duration < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("leader_leaseduration (", text(config.lease_duration),
                     ") must be at least 1s: Leases store whole seconds"));
  }
  if (config.lease_duration <= config.renew_deadline) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leader_leaseduration (", text(config.lease_duration),
        ") must be greater than leader_renewdeadline (", text(config.renew_deadline), ")"));
  }
  if (config.renew_deadline <= config.retry_period * kJitterFactor) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leader_renewdeadline (", text(config.renew_deadline),
        ") must be greater than leader_retryperiod x 1.2, the jitter factor (",
        text(config.retry_period * kJitterFactor), ")"));
  }
  if (config.identity.empty()) {
    return absl::InvalidArgumentError("the leader election identity must not be empty");
  }
  return absl::OkStatus();
}

LeaderElector::LeaderElector(ElectorConfig config, LeaseLock* lock, ElectorCallbacks callbacks,
                             Clock* clock)
    : config_(std::move(config)), lock_(lock), callbacks_(std::move(callbacks)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<LeaderElector>> LeaderElector::Create(ElectorConfig config,
                                                                     LeaseLock* lock,
                                                                     ElectorCallbacks callbacks,
                                                                     Clock* clock) {
  absl::Status status = ValidateElectorConfig(config);
  if (!status.ok()) return status;
  return std::unique_ptr<LeaderElector>(
      new LeaderElector(std::move(config), lock, std::move(callbacks), clock));
}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  if (started_.exchange(true)) return;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (started_.load() && !joined_.exchange(true) && thread_.joinable()) thread_.join();
}

void LeaderElector::Resign() { resign_.store(true); }

std::string LeaderElector::Holder() const {
  absl::MutexLock lock(&mu_);
  return holder_;
}

absl::Status LeaderElector::LastError() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

void LeaderElector::SetError(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    last_error_ = status;
  }
  if (!status.ok() && callbacks_.on_error) callbacks_.on_error(status);
}

absl::Duration LeaderElector::Jittered() {
  double r;
  {
    absl::MutexLock lock(&mu_);
    r = absl::Uniform(rng_, 0.0, 1.0);
  }
  return config_.retry_period * (1.0 + r * kJitterFactor);
}

void LeaderElector::Observe(const Lease& lease) {
  std::string changed_holder;
  bool holder_changed = false;
  {
    absl::MutexLock lock(&mu_);
    // Only a change of the record restarts the expiry clock: time is ours, never the server's.
    if (!observed_.has_value() || observed_->record != lease.record) {
      observed_time_ = clock_->MonotonicNow();
    }
    observed_ = lease;
    if (holder_ != lease.record.holder_identity) {
      holder_ = lease.record.holder_identity;
      changed_holder = holder_;
      holder_changed = true;
    }
  }
  if (holder_changed && callbacks_.on_holder_changed) callbacks_.on_holder_changed(changed_holder);
}

bool LeaderElector::TryAcquireOrRenew(absl::Time monotonic_deadline) {
  const LockCallOptions call{monotonic_deadline, &stop_};
  const absl::Time now = clock_->Now();  // informational only
  LeaseRecord record;
  record.holder_identity = config_.identity;
  record.lease_duration_seconds = static_cast<int64_t>(
      std::ceil(absl::ToDoubleSeconds(config_.lease_duration)));
  record.acquire_time = now;
  record.renew_time = now;

  // The leader's fast path (as client-go's since 1.27): PUT over the Lease we wrote last, with
  // its version, and skip the GET. The compare-and-swap is the same; a conflict (someone else
  // wrote) falls back to the GET below.
  std::optional<Lease> last_written;
  if (leader_.load()) {
    absl::MutexLock lock(&mu_);
    if (observed_.has_value() && observed_->record.holder_identity == config_.identity) {
      last_written = observed_;
    }
  }
  if (last_written.has_value()) {
    LeaseRecord renewal = record;
    renewal.acquire_time = last_written->record.acquire_time;
    renewal.lease_transitions = last_written->record.lease_transitions;
    absl::StatusOr<Lease> updated = lock_->Update(*last_written, renewal, call);
    if (updated.ok()) {
      Observe(*updated);
      SetError(absl::OkStatus());
      return true;
    }
    if (!IsKubeConflict(updated.status())) {
      SetError(updated.status());
      return false;
    }
  }

  absl::StatusOr<Lease> current = lock_->Get(call);
  if (!current.ok()) {
    if (current.status().code() != absl::StatusCode::kNotFound) {
      SetError(current.status());
      return false;
    }
    if (config_.may_acquire && !config_.may_acquire()) return false;
    absl::StatusOr<Lease> created = lock_->Create(record, call);
    if (!created.ok()) {
      // AlreadyExists: someone else created it first, we lost this round.
      SetError(IsKubeAlreadyExists(created.status()) ? absl::OkStatus() : created.status());
      return false;
    }
    Observe(*created);
    SetError(absl::OkStatus());
    return true;
  }
  Observe(*current);
  const LeaseRecord& old = current->record;
  const bool ours = old.holder_identity == config_.identity;
  if (!ours && !old.holder_identity.empty()) {
    absl::MutexLock lock(&mu_);
    if (observed_time_ + absl::Seconds(old.lease_duration_seconds) > clock_->MonotonicNow()) {
      last_error_ = absl::OkStatus();
      return false;  // someone else's lease has not expired by our own clock
    }
  }
  if (!ours && config_.may_acquire && !config_.may_acquire()) return false;
  if (ours) {
    record.acquire_time = old.acquire_time;
    record.lease_transitions = old.lease_transitions;
  } else {
    record.lease_transitions = old.lease_transitions + 1;
  }
  absl::StatusOr<Lease> updated = lock_->Update(*current, record, call);
  if (!updated.ok()) {
    SetError(IsKubeConflict(updated.status()) ? absl::OkStatus() : updated.status());
    return false;
  }
  Observe(*updated);
  SetError(absl::OkStatus());
  return true;
}

bool LeaderElector::WaitAsCandidate() {
  if (config_.follower_mode == FollowerMode::kPoll) return SleepFor(Jittered());
  // Watch: stay on one long-lived request while someone else holds an unexpired lease; attempt
  // again when it is released, deleted, or could have expired by our own clock. When the server
  // ends the stream (its timeoutSeconds), resume from the last version seen, without a GET.
  while (true) {
    std::string resource_version;
    absl::Time expiry;
    {
      absl::MutexLock lock(&mu_);
      if (observed_.has_value() && !observed_->resource_version.empty() &&
          !observed_->record.holder_identity.empty() &&
          observed_->record.holder_identity != config_.identity) {
        resource_version = observed_->resource_version;
        expiry = observed_time_ + absl::Seconds(observed_->record.lease_duration_seconds);
      }
    }
    if (resource_version.empty() || expiry <= clock_->MonotonicNow()) return SleepFor(Jittered());
    const absl::Time opened = clock_->MonotonicNow();
    bool attempt_now = false;
    absl::Status status = lock_->Watch(
        resource_version,
        [&](const std::optional<Lease>& lease) {
          if (!lease.has_value()) {
            attempt_now = true;  // deleted
            return false;
          }
          Observe(*lease);
          absl::MutexLock lock(&mu_);
          if (lease->record.holder_identity.empty()) {
            attempt_now = true;  // released: take it at once
            return false;
          }
          expiry = observed_time_ + absl::Seconds(lease->record.lease_duration_seconds);
          return true;
        },
        [&] { return clock_->MonotonicNow() >= expiry; }, {absl::InfiniteFuture(), &stop_});
    if (stop_.HasBeenNotified()) return false;
    if (attempt_now || IsGone(status)) return true;  // attempt (after 410: a GET re-lists)
    if (!status.ok()) {
      if (status.code() != absl::StatusCode::kUnimplemented) SetError(status);
      return SleepFor(Jittered());  // fall back to polling for this round
    }
    const absl::Time now = clock_->MonotonicNow();
    if (now >= expiry) return true;  // could have expired: attempt
    // The server ended the stream. A long one is its timeout: resume at once. One that ended
    // early (a proxy, a restarting server) gets a polling pause and a GET, so we never spin.
    if (now - opened < config_.retry_period) return SleepFor(std::min(Jittered(), expiry - now));
  }
}

void LeaderElector::Lead() {
  leader_.store(true);
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();
  absl::Time last_renew = clock_->MonotonicNow();
  std::string reason;
  bool release = false;
  while (reason.empty()) {
    if (!SleepFor(config_.retry_period)) {
      reason = "stopping";
      release = config_.release_on_stop;
      break;
    }
    if (resign_.load()) {
      reason = "resigned";
      release = true;
      break;
    }
    // No renewal within the renew deadline: step down. Others can take over only after the
    // lease duration measured from their own observation of our last write, which came after
    // `last_renew`, and lease duration > renew deadline.
    const absl::Time deadline = last_renew + config_.renew_deadline;
    bool renewed = false;
    while (!renewed && reason.empty()) {
      const absl::Time start = clock_->MonotonicNow();
      if (start >= deadline) break;
      if (TryAcquireOrRenew(deadline)) {
        last_renew = start;
        renewed = true;
        break;
      }
      const std::string holder = Holder();
      if (!holder.empty() && holder != config_.identity) {
        reason = absl::StrCat("the lease is now held by ", holder);
        break;
      }
      if (!clock_->SleepUntil(std::min(start + config_.retry_period, deadline), &stop_)) {
        reason = "stopping";
        release = config_.release_on_stop;
      }
    }
    if (!renewed && reason.empty()) {
      const absl::Status error = LastError();
      reason = absl::StrCat("no renewal within the renew deadline (",
                            absl::FormatDuration(config_.renew_deadline), ")",
                            error.ok() ? "" : ": ", error.ok() ? "" : error.message());
    }
  }
  leader_.store(false);
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading(reason);
  if (release) Release();
  resign_.store(false);
}

void LeaderElector::Release() {
  // GET; if we still hold it, PUT holder "" with duration 1 (transitions unchanged); on a
  // conflict GET again. Bounded by the renew deadline, and works while stopping.
  const absl::Time deadline = clock_->MonotonicNow() + config_.renew_deadline;
  const LockCallOptions call{deadline, nullptr};
  for (int attempt = 0; attempt < 5 && clock_->MonotonicNow() < deadline; ++attempt) {
    absl::StatusOr<Lease> current = lock_->Get(call);
    if (!current.ok()) return;
    if (current->record.holder_identity != config_.identity) return;
    LeaseRecord record = current->record;
    record.holder_identity = "";
    record.lease_duration_seconds = 1;
    record.renew_time = clock_->Now();
    absl::StatusOr<Lease> updated = lock_->Update(*current, record, call);
    if (updated.ok()) {
      Observe(*updated);
      return;
    }
    if (!IsKubeConflict(updated.status())) return;
  }
}

void LeaderElector::Run() {
  while (!stop_.HasBeenNotified()) {
    bool acquired = false;
    while (!stop_.HasBeenNotified()) {
      if (!resign_.load() &&
          TryAcquireOrRenew(clock_->MonotonicNow() + config_.renew_deadline)) {
        acquired = true;
        break;
      }
      resign_.store(false);
      if (!WaitAsCandidate()) break;
    }
    if (!acquired) break;
    Lead();  // returns after stepping down; then compete again
  }
}

}  // namespace gatehouse::kube
