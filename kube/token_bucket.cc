#include "kube/token_bucket.h"

#include <algorithm>

namespace gatehouse::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock* clock)
    : qps_(qps),
      burst_(std::max(1, burst)),
      clock_(clock),
      tokens_(std::max(1, burst)),
      last_(clock->MonotonicNow()) {}

bool TokenBucket::Acquire(absl::Time monotonic_deadline, absl::Notification* cancel) {
  if (qps_ <= 0) return true;
  absl::Time ready;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->MonotonicNow();
    tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * qps_);
    last_ = now;
    // Reserve the token now (the balance may go negative), then wait for it to be earned.
    tokens_ -= 1;
    if (tokens_ >= 0) return true;
    ready = now + absl::Seconds(-tokens_ / qps_);
    if (ready > monotonic_deadline) {
      tokens_ += 1;  // give the reservation back
      return false;
    }
  }
  return clock_->SleepUntil(ready, cancel);
}

}  // namespace gatehouse::kube
