#include "agent/daemon/signal_watcher.h"

#include <signal.h>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(SignalWatcherTest, TermStopsAndHupReloads) {
  BlockTerminationSignals();
  absl::Notification stopped;
  absl::Notification reloaded;
  int stop_signal = 0;
  SignalWatcher watcher({[&](int signal) {
                           stop_signal = signal;
                           stopped.Notify();
                         },
                         [&] { reloaded.Notify(); }});
  kill(getpid(), SIGHUP);
  EXPECT_TRUE(reloaded.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(stopped.HasBeenNotified());
  kill(getpid(), SIGTERM);
  EXPECT_TRUE(stopped.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(stop_signal, SIGTERM);
}

}  // namespace
}  // namespace gatehouse
