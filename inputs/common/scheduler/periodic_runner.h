// Runs a task every `period` on an injected clock, on its own thread. Runs never overlap: when a
// run (a slow fetch) is still going at the next tick, that tick is skipped and counted, and the
// schedule stays on its grid (start + k * period).
//
// Thread contract: thread-safe. Start once; Stop is safe without Start and twice; it cancels the
// wait and blocks until an in-flight run has returned.
#ifndef GATEHOUSE_INPUTS_COMMON_SCHEDULER_PERIODIC_RUNNER_H_
#define GATEHOUSE_INPUTS_COMMON_SCHEDULER_PERIODIC_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace gatehouse {

class PeriodicRunner {
 public:
  // `task` runs first right after Start, then at every tick. `on_skip` (optional) is called with
  // the number of ticks skipped because a run overran.
  PeriodicRunner(absl::Duration period, Clock* clock, std::function<void()> task,
                 std::function<void(int64_t)> on_skip = nullptr);
  ~PeriodicRunner();  // Stop()
  PeriodicRunner(const PeriodicRunner&) = delete;
  PeriodicRunner& operator=(const PeriodicRunner&) = delete;

  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // True once Stop was called (for tasks that want to give up early).
  bool stopping() const { return cancel_.HasBeenNotified(); }

  int64_t runs() const { return runs_.load(); }
  int64_t skipped() const { return skipped_.load(); }

 private:
  void Loop();

  const absl::Duration period_;
  Clock* const clock_;
  const std::function<void()> task_;
  const std::function<void(int64_t)> on_skip_;
  absl::Notification cancel_;
  std::atomic<int64_t> runs_{0};
  std::atomic<int64_t> skipped_{0};

  absl::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_INPUTS_COMMON_SCHEDULER_PERIODIC_RUNNER_H_
