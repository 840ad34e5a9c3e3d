// Client-side rate limit: a token bucket (client-go's default for us is qps 5, burst 10) on an
// injected clock.
//
// Thread contract: thread-safe.
#ifndef GATEHOUSE_KUBE_TOKEN_BUCKET_H_
#define GATEHOUSE_KUBE_TOKEN_BUCKET_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace gatehouse::kube {

class TokenBucket {
 public:
  // qps <= 0 means no limit.
  TokenBucket(double qps, int burst, Clock* clock);

  // Takes a token, waiting for one if needed. False when `cancel` fired or the wait would pass
  // `monotonic_deadline`.
  bool Acquire(absl::Time monotonic_deadline, absl::Notification* cancel);

 private:
  const double qps_;
  const double burst_;
  Clock* const clock_;
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_TOKEN_BUCKET_H_
