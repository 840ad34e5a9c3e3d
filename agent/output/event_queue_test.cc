#include "agent/output/event_queue.h"

#include <thread>

#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(EventQueueTest, PopsInOrderInBatches) {
  EventQueue queue(8, "queue_test");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.Push(Event{{"i", i}}));
  std::vector<Event> out;
  EXPECT_EQ(queue.PopBatch(3, absl::ZeroDuration(), &out), 3u);
  EXPECT_EQ(queue.PopBatch(3, absl::ZeroDuration(), &out), 2u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i]["i"], i);
  EXPECT_EQ(queue.PopBatch(3, absl::ZeroDuration(), &out), 0u);
}

TEST(EventQueueTest, CloseWakesBlockedPublisherAndKeepsQueuedEvents) {
  EventQueue queue(1, "queue_close_test");
  ASSERT_TRUE(queue.Push(Event{{"i", 0}}));
  bool pushed = true;
  std::thread blocked([&] { pushed = queue.Push(Event{{"i", 1}}); });
  while (queue.backpressure_waits() == 0) std::this_thread::yield();
  queue.Close();
  blocked.join();
  EXPECT_FALSE(pushed);
  std::vector<Event> out;
  EXPECT_EQ(queue.PopBatch(10, absl::Seconds(5), &out), 1u);
  EXPECT_EQ(queue.PopBatch(10, absl::Seconds(5), &out), 0u);  // closed: returns at once
  EXPECT_FALSE(queue.Push(Event::object()));
}

}  // namespace
}  // namespace gatehouse
