// A few helper threads that work through the pieces of one job beside the thread that asks.
// Run(n, task) calls task(0), ..., task(n - 1), each exactly once, on the calling thread and the
// helpers (whichever is free takes the next index), and returns when every call has returned.
// The split adapts to a helper that wakes late or not at all (its core busy elsewhere): the
// caller never waits for a helper that has not joined, only for tasks that joined helpers run.
// Helpers sleep between jobs, so an idle pool costs nothing but its threads' stacks. What a
// task wrote is visible to the caller when Run returns.
//
// Used for the large, independent parts of one burst of work (the pieces of a 47 MB scrape body,
// the events of 10,000 containers): a job should be worth far more than a thread's wake-up
// (tens of microseconds), so callers run small jobs inline.
//
// Thread contract: Run is thread-safe, but jobs do not overlap: a second caller waits for the
// first job to finish. Tasks of one job run concurrently with each other.
#ifndef GATEHOUSE_COMMON_WORKER_POOL_H_
#define GATEHOUSE_COMMON_WORKER_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace gatehouse {

class WorkerPool {
 public:
  // `threads` counts the calling thread: 1 means no helper (Run calls every task inline).
  // Values below 1 are taken as 1.
  explicit WorkerPool(int threads);
  ~WorkerPool();  // waits for the helpers to exit; no job may be running
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const { return static_cast<int>(helpers_.size()) + 1; }
  // How many tasks the helpers (not the callers) have run so far: shows that work was shared.
  uint64_t helper_tasks() const { return helper_tasks_.load(std::memory_order_relaxed); }

  void Run(size_t n, absl::FunctionRef<void(size_t)> task) ABSL_LOCKS_EXCLUDED(mu_, run_mu_);

  // The thread count a pool should use when the user asked for `requested` (0: as many as the
  // machine has cores, at most `cap`).
  static int ThreadsFor(int requested, int cap);

 private:
  void HelperLoop();
  // Takes indices from next_ until the job is done; returns how many it ran.
  size_t Work(absl::FunctionRef<void(size_t)> task, size_t n);

  absl::Mutex run_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one job at a time
  absl::Mutex mu_;
  uint64_t job_ ABSL_GUARDED_BY(mu_) = 0;  // bumped for each job the helpers should join
  const absl::FunctionRef<void(size_t)>* task_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t n_ ABSL_GUARDED_BY(mu_) = 0;
  bool open_ ABSL_GUARDED_BY(mu_) = false;  // helpers may still join job `job_`
  int joined_ ABSL_GUARDED_BY(mu_) = 0;     // helpers running tasks of the current job
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> next_{0};  // the next index to hand out in the current job
  std::atomic<uint64_t> helper_tasks_{0};
  // Released by the caller when it hands out a job and by each helper when it leaves one,
  // acquired on the other side. mu_ already orders them; this edge is one ThreadSanitizer can
  // see, since Debian's absl (mu_) is not built with it.
  std::atomic<uint64_t> handoff_{0};
  std::vector<std::thread> helpers_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_WORKER_POOL_H_
