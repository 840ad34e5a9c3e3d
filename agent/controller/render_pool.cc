#include "agent/controller/render_pool.h"

#include <algorithm>

namespace gatehouse::controller {

RenderPool::RenderPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

RenderPool::~RenderPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
}

int RenderPool::DefaultThreads() {
  const unsigned cores = std::thread::hardware_concurrency();  // 0: unknown
  return static_cast<int>(std::clamp(cores, 1u, 2u));
}

void RenderPool::RunTasks(absl::FunctionRef<void(size_t)> task, size_t n) {
  for (size_t i = next_.fetch_add(1, std::memory_order_relaxed); i < n;
       i = next_.fetch_add(1, std::memory_order_relaxed)) {
    task(i);
  }
}

void RenderPool::Run(size_t n, absl::FunctionRef<void(size_t)> task) {
  if (workers_.empty() || n <= 1) {
    for (size_t i = 0; i < n; ++i) task(i);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    next_.store(0, std::memory_order_relaxed);
    task_ = &task;
    size_ = n;
    ++job_;
    open_ = true;
  }
  RunTasks(task, n);
  absl::MutexLock lock(&mu_);
  open_ = false;  // a worker that wakes from now on finds nothing to join
  auto finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return joined_ == 0; };
  mu_.Await(absl::Condition(&finished));
  task_ = nullptr;
}

void RenderPool::WorkerLoop() {
  uint64_t seen = 0;  // the last job this worker looked at
  while (true) {
    const absl::FunctionRef<void(size_t)>* task;
    size_t n;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this, &seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (open_ && job_ != seen);
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      seen = job_;
      ++joined_;
      task = task_;
      n = size_;
    }
    RunTasks(*task, n);
    absl::MutexLock lock(&mu_);
    --joined_;
  }
}

}  // namespace gatehouse::controller
