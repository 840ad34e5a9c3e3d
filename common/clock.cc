#include "common/clock.h"

#include <time.h>

namespace gatehouse {

Clock& Clock::Real() {
  static RealClock* const clock = new RealClock();
  return *clock;
}

absl::Time RealClock::Now() { return absl::Now(); }

absl::Time RealClock::MonotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::UnixEpoch() + absl::Seconds(ts.tv_sec) + absl::Nanoseconds(ts.tv_nsec);
}

bool RealClock::SleepUntil(absl::Time monotonic_deadline, absl::Notification* cancel) {
  for (;;) {
    const absl::Duration left = monotonic_deadline - MonotonicNow();
    if (left <= absl::ZeroDuration()) return true;
    if (cancel == nullptr) {
      absl::SleepFor(left);
    } else if (cancel->WaitForNotificationWithTimeout(left)) {
      return false;
    }
  }
}

FakeClock::FakeClock(absl::Time start) : now_(start) {}

absl::Time FakeClock::Now() {
  absl::MutexLock lock(&mu_);
  return now_;
}

absl::Time FakeClock::MonotonicNow() { return Now(); }

bool FakeClock::SleepUntil(absl::Time monotonic_deadline, absl::Notification* cancel) {
  absl::MutexLock lock(&mu_);
  ++sleepers_;
  bool reached = false;
  for (;;) {
    if (now_ >= monotonic_deadline) {
      reached = true;
      break;
    }
    if (cancel != nullptr && cancel->HasBeenNotified()) break;
    // Cancellation is a Notification we cannot wait on jointly: look again every millisecond.
    auto deadline_reached = [this, monotonic_deadline]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return now_ >= monotonic_deadline;
    };
    mu_.AwaitWithTimeout(absl::Condition(&deadline_reached), absl::Milliseconds(1));
  }
  --sleepers_;
  return reached;
}

void FakeClock::Advance(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  now_ += duration;
}

int FakeClock::sleepers() {
  absl::MutexLock lock(&mu_);
  return sleepers_;
}

bool FakeClock::AwaitSleepers(int count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return sleepers_ >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

}  // namespace gatehouse
