#include "common/worker_pool.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(WorkerPoolTest, EveryIndexRunsExactlyOnce) {
  WorkerPool pool(3);
  ASSERT_EQ(pool.threads(), 3);
  for (size_t n : {0, 1, 2, 7, 1000}) {
    std::vector<std::atomic<int>> calls(n);
    pool.Run(n, [&](size_t i) { calls[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(WorkerPoolTest, RunReturnsOnlyAfterEveryTaskHasReturned) {
  WorkerPool pool(2);
  for (int round = 0; round < 200; ++round) {
    std::atomic<int> finished{0};
    pool.Run(4, [&](size_t) {
      std::this_thread::yield();
      finished.fetch_add(1);
    });
    ASSERT_EQ(finished.load(), 4) << "round " << round;
  }
}

TEST(WorkerPoolTest, HelpersReallyRunTasks) {
  WorkerPool pool(2);
  // Two tasks that each wait for the other: only two threads at once can finish them.
  std::atomic<int> started{0};
  absl::Mutex mu;
  std::set<std::thread::id> threads;
  pool.Run(2, [&](size_t) {
    started.fetch_add(1);
    while (started.load() < 2) std::this_thread::yield();
    absl::MutexLock lock(&mu);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 1u);
  EXPECT_EQ(pool.helper_tasks(), 1u);
}

TEST(WorkerPoolTest, WhatTasksWroteIsVisibleAfterRun) {
  WorkerPool pool(2);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::vector<int>> out(64);  // plain writes, one slot per task
    pool.Run(out.size(), [&](size_t i) { out[i].assign(100, static_cast<int>(i) + round); });
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_EQ(out[i], std::vector<int>(100, static_cast<int>(i) + round)) << round;
    }
  }
}

TEST(WorkerPoolTest, OneThreadRunsInlineInOrder) {
  WorkerPool pool(1);
  EXPECT_EQ(pool.threads(), 1);
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  pool.Run(5, [&](size_t i) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(WorkerPool(0).threads(), 1);
}

TEST(WorkerPoolTest, ConcurrentCallersTakeTurns) {
  WorkerPool pool(2);
  std::atomic<int> running_jobs{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> total{0};
  auto caller = [&] {
    for (int round = 0; round < 50; ++round) {
      pool.Run(3, [&](size_t i) {
        if (i == 0 && running_jobs.fetch_add(1) != 0) overlaps.fetch_add(1);
        total.fetch_add(1);
        if (i == 0) running_jobs.fetch_sub(1);
      });
    }
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 2 * 50 * 3);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(WorkerPoolTest, ThreadsForHonoursAnExplicitCountAndCapsTheDefault) {
  EXPECT_EQ(WorkerPool::ThreadsFor(3, 2), 3);
  const int automatic = WorkerPool::ThreadsFor(0, 2);
  EXPECT_GE(automatic, 1);
  EXPECT_LE(automatic, 2);
}

}  // namespace
}  // namespace gatehouse
