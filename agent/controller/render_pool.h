// RenderPool: a few persistent threads that share one large Apply's rendering with the thread
// that calls it (the controller's event loop). See docs/architecture.md, Threads.
//
// Run(n, task) runs task(0) ... task(n - 1) once each, on the calling thread and on the workers
// that wake in time, and returns when every one has run. Tasks are claimed in order from a
// shared counter, so the split adapts to a worker that wakes late or not at all (its core busy
// with something else): the caller never waits for a worker that has not joined, only for the
// tasks that joined workers are running. Each task must touch only its own data; what a task
// wrote is visible to the caller when Run returns.
//
// Thread contract: Run is called from one thread at a time (the controller's event loop).
// Idle workers block (no spinning).
#ifndef GATEHOUSE_AGENT_CONTROLLER_RENDER_POOL_H_
#define GATEHOUSE_AGENT_CONTROLLER_RENDER_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace gatehouse::controller {

class RenderPool {
 public:
  // `threads` counts the caller: `threads - 1` workers (none when `threads` <= 1, and Run then
  // runs every task on the caller, in order).
  explicit RenderPool(int threads);
  ~RenderPool();  // joins the workers
  RenderPool(const RenderPool&) = delete;
  RenderPool& operator=(const RenderPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void Run(size_t n, absl::FunctionRef<void(size_t)> task) ABSL_LOCKS_EXCLUDED(mu_);

  // The default thread count: min(2, the hardware's cores), at least 1.
  static int DefaultThreads();

 private:
  void WorkerLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // Claims and runs tasks of the current job until none is left.
  void RunTasks(absl::FunctionRef<void(size_t)> task, size_t n);

  absl::Mutex mu_;
  uint64_t job_ ABSL_GUARDED_BY(mu_) = 0;   // one more for every Run that uses the workers
  bool open_ ABSL_GUARDED_BY(mu_) = false;  // workers may join job `job_`
  int joined_ ABSL_GUARDED_BY(mu_) = 0;     // workers running tasks of the current job
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The current job (valid while `open_` or `joined_` > 0).
  const absl::FunctionRef<void(size_t)>* task_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
  // The next task to claim; reset before a job opens (published to the workers by `mu_`).
  std::atomic<size_t> next_{0};

  std::vector<std::thread> workers_;  // last: they start after everything above exists
};

}  // namespace gatehouse::controller

#endif  // GATEHOUSE_AGENT_CONTROLLER_RENDER_POOL_H_
