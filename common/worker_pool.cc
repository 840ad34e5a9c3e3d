#include "common/worker_pool.h"

#include <algorithm>

namespace gatehouse {

WorkerPool::WorkerPool(int threads) {
  for (int i = 1; i < threads; ++i) helpers_.emplace_back([this] { HelperLoop(); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& helper : helpers_) helper.join();
}

int WorkerPool::ThreadsFor(int requested, int cap) {
  if (requested > 0) return requested;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, std::min(cores, cap));
}

size_t WorkerPool::Work(absl::FunctionRef<void(size_t)> task, size_t n) {
  size_t ran = 0;
  for (size_t i = next_.fetch_add(1, std::memory_order_relaxed); i < n;
       i = next_.fetch_add(1, std::memory_order_relaxed)) {
    task(i);
    ++ran;
  }
  return ran;
}

void WorkerPool::Run(size_t n, absl::FunctionRef<void(size_t)> task) {
  if (helpers_.empty() || n <= 1) {
    for (size_t i = 0; i < n; ++i) task(i);
    return;
  }
  absl::MutexLock run_lock(&run_mu_);
  {
    absl::MutexLock lock(&mu_);
    handoff_.load(std::memory_order_acquire);  // after the last job, whoever ran it
    next_.store(0, std::memory_order_relaxed);
    task_ = &task;
    n_ = n;
    open_ = true;
    ++job_;
    handoff_.fetch_add(1, std::memory_order_release);
  }
  Work(task, n);
  // Every index is taken. A helper that has not joined yet is not waited for (on a busy machine
  // it may wake long after); one that has may still be running a task.
  absl::MutexLock lock(&mu_);
  handoff_.load(std::memory_order_acquire);
  open_ = false;
  auto joined_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return joined_ == 0; };
  mu_.Await(absl::Condition(&joined_done));
  handoff_.load(std::memory_order_acquire);
  task_ = nullptr;
}

void WorkerPool::HelperLoop() {
  uint64_t done = 0;  // the last job this helper joined
  while (true) {
    const absl::FunctionRef<void(size_t)>* task;
    size_t n;
    {
      absl::MutexLock lock(&mu_);
      auto job_or_stop = [this, &done]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (open_ && job_ != done);
      };
      mu_.Await(absl::Condition(&job_or_stop));
      handoff_.load(std::memory_order_acquire);
      if (!open_ || job_ == done) return;  // stopping
      done = job_;
      ++joined_;
      task = task_;
      n = n_;
    }
    helper_tasks_.fetch_add(Work(*task, n), std::memory_order_relaxed);
    absl::MutexLock lock(&mu_);
    --joined_;
    handoff_.fetch_add(1, std::memory_order_release);
  }
}

}  // namespace gatehouse
