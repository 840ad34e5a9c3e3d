#include "common/clock.h"

#include <thread>

#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(FakeClockTest, SleeperWakesWhenAdvancedPastDeadline) {
  FakeClock clock;
  const absl::Time start = clock.MonotonicNow();
  bool reached = false;
  std::thread sleeper([&] { reached = clock.SleepFor(absl::Seconds(10), nullptr); });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.sleepers(), 1) << "woke before the deadline";
  clock.Advance(absl::Seconds(5));
  sleeper.join();
  EXPECT_TRUE(reached);
  EXPECT_EQ(clock.MonotonicNow() - start, absl::Seconds(10));
}

TEST(FakeClockTest, CancelEndsTheSleep) {
  FakeClock clock;
  absl::Notification cancel;
  bool reached = true;
  std::thread sleeper([&] { reached = clock.SleepFor(absl::Hours(1), &cancel); });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  cancel.Notify();
  sleeper.join();
  EXPECT_FALSE(reached);
}

TEST(RealClockTest, MonotonicAdvancesAndCancelIsPrompt) {
  RealClock clock;
  const absl::Time a = clock.MonotonicNow();
  EXPECT_TRUE(clock.SleepFor(absl::Milliseconds(5), nullptr));
  EXPECT_GE(clock.MonotonicNow() - a, absl::Milliseconds(5));
  absl::Notification cancel;
  cancel.Notify();
  EXPECT_FALSE(clock.SleepFor(absl::Hours(1), &cancel));
}

}  // namespace
}  // namespace gatehouse
