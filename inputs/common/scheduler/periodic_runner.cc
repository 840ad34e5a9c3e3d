#include "inputs/common/scheduler/periodic_runner.h"

#include <utility>

namespace gatehouse {

PeriodicRunner::PeriodicRunner(absl::Duration period, Clock* clock, std::function<void()> task,
                               std::function<void(int64_t)> on_skip)
    : period_(period > absl::ZeroDuration() ? period : absl::Seconds(1)),
      clock_(clock),
      task_(std::move(task)),
      on_skip_(std::move(on_skip)) {}

PeriodicRunner::~PeriodicRunner() { Stop(); }

void PeriodicRunner::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || cancel_.HasBeenNotified()) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicRunner::Stop() {
  std::thread thread;
  {
    absl::MutexLock lock(&mu_);
    if (!cancel_.HasBeenNotified()) cancel_.Notify();
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

void PeriodicRunner::Loop() {
  absl::Time next = clock_->MonotonicNow();
  while (!cancel_.HasBeenNotified()) {
    task_();
    runs_.fetch_add(1);
    next += period_;
    // Ticks that passed while the task ran are skipped, not run back to back.
    const absl::Time now = clock_->MonotonicNow();
    int64_t skipped = 0;
    while (next < now) {
      next += period_;
      ++skipped;
    }
    if (skipped > 0) {
      skipped_.fetch_add(skipped);
      if (on_skip_) on_skip_(skipped);
    }
    if (!clock_->SleepUntil(next, &cancel_)) break;
  }
}

}  // namespace gatehouse
