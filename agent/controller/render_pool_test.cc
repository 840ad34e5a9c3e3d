#include "agent/controller/render_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace gatehouse::controller {
namespace {

TEST(RenderPoolTest, RunsEveryTaskOnceWithAnyThreadCount) {
  for (int threads : {0, 1, 2, 4}) {
    RenderPool pool(threads);
    EXPECT_EQ(pool.threads(), std::max(threads, 1));
    for (size_t n : {0, 1, 2, 7, 1000}) {
      // Many jobs in a row: a worker that wakes late must not run a finished job's tasks.
      for (int round = 0; round < 20; ++round) {
        std::vector<std::atomic<int>> runs(n);
        pool.Run(n, [&runs](size_t i) { runs[i].fetch_add(1, std::memory_order_relaxed); });
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << threads << " " << n;
      }
    }
  }
}

TEST(RenderPoolTest, OneThreadRunsTasksInOrderOnTheCaller) {
  RenderPool pool(1);
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  bool elsewhere = false;
  pool.Run(5, [&](size_t i) {
    order.push_back(i);
    elsewhere = elsewhere || std::this_thread::get_id() != caller;
  });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(elsewhere);
}

TEST(RenderPoolTest, TwoThreadsRunTasksAtTheSameTime) {
  RenderPool pool(2);
  // The caller claims task 0 and waits in it until task 1 has started: only the worker can run
  // task 1 meanwhile.
  for (int round = 0; round < 10; ++round) {
    absl::Notification second_started;
    std::thread::id first_thread, second_thread;
    bool overlapped = false;
    pool.Run(2, [&](size_t i) {
      if (i == 0) {
        first_thread = std::this_thread::get_id();
        overlapped = second_started.WaitForNotificationWithTimeout(absl::Seconds(30));
      } else {
        second_thread = std::this_thread::get_id();
        second_started.Notify();
      }
    });
    EXPECT_TRUE(overlapped);
    EXPECT_NE(first_thread, second_thread);
  }
}

TEST(RenderPoolTest, WhatTasksWroteIsVisibleAfterRun) {
  RenderPool pool(2);
  std::vector<std::vector<int>> out(64);  // plain (non-atomic) writes, one slot per task
  pool.Run(out.size(), [&out](size_t i) {
    for (int k = 0; k <= static_cast<int>(i); ++k) out[i].push_back(k);
  });
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i].size(), i + 1);
}

TEST(RenderPoolTest, DefaultIsTwoThreadsAtMost) {
  EXPECT_GE(RenderPool::DefaultThreads(), 1);
  EXPECT_LE(RenderPool::DefaultThreads(), 2);
  EXPECT_EQ(RenderPool::DefaultThreads(),
            std::thread::hardware_concurrency() >= 2 ? 2 : 1);
}

}  // namespace
}  // namespace gatehouse::controller
