// Clocks. Everything that waits for a period or a deadline takes a Clock, so tests advance a
// FakeClock instead of sleeping.
//
// Thread contract: both clocks are thread-safe.
#ifndef GATEHOUSE_COMMON_CLOCK_H_
#define GATEHOUSE_COMMON_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace gatehouse {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time: for timestamps in events and the informational times in leases.
  virtual absl::Time Now() = 0;
  // A clock that never jumps (CLOCK_MONOTONIC): for expiry and deadlines. Only differences
  // between two readings mean anything.
  virtual absl::Time MonotonicNow() = 0;
  // Waits until MonotonicNow() >= deadline (returns true) or `cancel` is notified (returns false;
  // `cancel` may be null).
  virtual bool SleepUntil(absl::Time monotonic_deadline, absl::Notification* cancel) = 0;
  bool SleepFor(absl::Duration duration, absl::Notification* cancel) {
    return SleepUntil(MonotonicNow() + duration, cancel);
  }

  // The process-wide real clock.
  static Clock& Real();
};

class RealClock final : public Clock {
 public:
  absl::Time Now() override;
  absl::Time MonotonicNow() override;
  bool SleepUntil(absl::Time monotonic_deadline, absl::Notification* cancel) override;
};

// A clock that moves only when told to. Sleepers wake when Advance() passes their deadline.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'800'000'000));

  absl::Time Now() override;
  absl::Time MonotonicNow() override;
  bool SleepUntil(absl::Time monotonic_deadline, absl::Notification* cancel) override;

  void Advance(absl::Duration duration);
  // How many threads are inside SleepUntil right now (tests wait for a sleeper to arrive).
  int sleepers();
  // Blocks (in real time, up to `timeout`) until at least `count` threads sleep.
  bool AwaitSleepers(int count, absl::Duration timeout = absl::Seconds(10));

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  int sleepers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_CLOCK_H_
