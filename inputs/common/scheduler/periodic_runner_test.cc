#include "inputs/common/scheduler/periodic_runner.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace gatehouse {
namespace {

// Blocks (real time, bounded) until `predicate` holds; the clock under test is a FakeClock.
template <typename P>
bool Eventually(P predicate) {
  for (int i = 0; i < 100000 && !predicate(); ++i) absl::SleepFor(absl::Microseconds(100));
  return predicate();
}

TEST(PeriodicRunnerTest, RunsAtStartThenEveryPeriodOfTheFakeClock) {
  FakeClock clock;
  std::atomic<int> runs{0};
  PeriodicRunner runner(absl::Seconds(10), &clock, [&] { runs.fetch_add(1); });
  runner.Start();
  ASSERT_TRUE(clock.AwaitSleepers(1));
  EXPECT_EQ(runs.load(), 1);
  clock.Advance(absl::Seconds(9));
  EXPECT_EQ(runs.load(), 1);
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(10));
  ASSERT_TRUE(Eventually([&] { return runs.load() == 3; }));
  runner.Stop();
  EXPECT_EQ(runner.skipped(), 0);
}

TEST(PeriodicRunnerTest, SlowRunSkipsTicksInsteadOfOverlapping) {
  FakeClock clock;
  std::atomic<int> runs{0};
  std::atomic<int> concurrent{0};
  std::atomic<int> max_concurrent{0};
  absl::Notification release;
  std::atomic<int64_t> reported_skips{0};
  PeriodicRunner runner(
      absl::Seconds(10), &clock,
      [&] {
        int now = concurrent.fetch_add(1) + 1;
        if (now > max_concurrent.load()) max_concurrent.store(now);
        if (runs.fetch_add(1) == 1) release.WaitForNotification();  // the second run is slow
        concurrent.fetch_sub(1);
      },
      [&](int64_t n) { reported_skips.fetch_add(n); });
  runner.Start();
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(10));  // second run starts and hangs
  ASSERT_TRUE(Eventually([&] { return runs.load() == 2; }));
  clock.Advance(absl::Seconds(35));  // ticks at +20s, +30s, +40s pass during the slow run
  release.Notify();
  ASSERT_TRUE(clock.AwaitSleepers(1));
  EXPECT_EQ(runner.skipped(), 3);
  EXPECT_EQ(reported_skips.load(), 3);
  EXPECT_EQ(runs.load(), 2);
  clock.Advance(absl::Seconds(5));  // back on the grid: +50s
  ASSERT_TRUE(Eventually([&] { return runs.load() == 3; }));
  runner.Stop();
  EXPECT_EQ(max_concurrent.load(), 1);
}

TEST(PeriodicRunnerTest, StopIsSafeWithoutStartAndTwiceAndWaitsForTheRun) {
  FakeClock clock;
  {
    PeriodicRunner idle(absl::Seconds(1), &clock, [] {});
    idle.Stop();
    idle.Stop();
  }
  std::atomic<bool> in_run{false};
  std::atomic<bool> finished{false};
  absl::Notification entered;
  absl::Notification release;
  PeriodicRunner runner(absl::Seconds(1), &clock, [&] {
    in_run = true;
    entered.Notify();
    release.WaitForNotification();
    finished = true;
  });
  runner.Start();
  entered.WaitForNotification();
  std::thread stopper([&] { runner.Stop(); });
  EXPECT_FALSE(finished.load());
  release.Notify();
  stopper.join();
  EXPECT_TRUE(finished.load());  // Stop returned only after the run
  EXPECT_TRUE(runner.stopping());
  runner.Stop();
  runner.Start();  // no restart after Stop
  EXPECT_EQ(runner.runs(), 1);
}

}  // namespace
}  // namespace gatehouse
