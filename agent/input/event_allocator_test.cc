#include "agent/input/event_allocator.h"

#include <deque>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agent/input/event.h"
#include "gtest/gtest.h"

namespace gatehouse {
namespace {

// An event shaped like a state_container one: nested objects, short and long strings, numbers.
Event MakeEvent(int i) {
  Event event = Event::object();
  event["@timestamp"] = "2026-11-21T08:39:58.792Z";
  event["kubernetes"]["container"]["name"] = absl::StrCat("c", i);
  event["kubernetes"]["container"]["id"] = std::string(64, static_cast<char>('a' + i % 26));
  event["kubernetes"]["pod"]["name"] = absl::StrCat("app-", i, "-7d9f8c6b5-00000");
  event["kubernetes"]["container"]["memory"]["limit"]["bytes"] = int64_t{1} << 30;
  event["kubernetes"]["labels"] = Event::array({"a", "b", i});
  return event;
}

// The same document built as plain nlohmann::json (std::allocator): what the arena's bytes
// must still say when the event is read back.
std::string Expected(int i) {
  nlohmann::json expected = {
      {"@timestamp", "2026-11-21T08:39:58.792Z"},
      {"kubernetes",
       {{"container",
         {{"id", std::string(64, static_cast<char>('a' + i % 26))},
          {"memory", {{"limit", {{"bytes", int64_t{1} << 30}}}}},
          {"name", absl::StrCat("c", i)}}},
        {"labels", {"a", "b", i}},
        {"pod", {{"name", absl::StrCat("app-", i, "-7d9f8c6b5-00000")}}}}}};
  return expected.dump();
}

int64_t LiveChunks() { return event_arena::GetStats().chunks_live; }

// Every thread that has built an event keeps one chunk to carve from: the test's own thread
// takes its chunk before counting, so that checks on this thread do not change the count.
class EventAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_EQ(MakeEvent(0).dump(), Expected(0));
    before_ = LiveChunks();
  }
  int64_t before_ = 0;
};

TEST_F(EventAllocatorTest, EventsBuiltOnOneThreadAndFreedOnAnotherGiveEveryChunkBack) {
  std::vector<Event> built;
  std::thread producer([&] {
    for (int i = 0; i < 20000; ++i) built.push_back(MakeEvent(i));
  });
  producer.join();  // the producer has left its last chunk
  EXPECT_GT(LiveChunks(), before_ + 10) << "20,000 events fill many 64 KiB chunks";
  for (int i = 0; i < 20000; i += 997) EXPECT_EQ(built[i].dump(), Expected(i));
  built.clear();
  built.shrink_to_fit();
  EXPECT_EQ(LiveChunks(), before_);
}

// A queue between an input's thread and the output's, as in the agent.
struct EventQueue {
  absl::Mutex mu;
  std::deque<std::pair<int, Event>> items ABSL_GUARDED_BY(mu);
  bool done ABSL_GUARDED_BY(mu) = false;
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !items.empty() || done; }
};

TEST_F(EventAllocatorTest, ConsumerFreesWhileProducerKeepsBuilding) {
  EventQueue queue;
  int checked = 0;
  std::thread consumer([&] {
    while (true) {
      std::pair<int, Event> item;
      {
        absl::MutexLock lock(&queue.mu);
        queue.mu.Await(absl::Condition(&queue, &EventQueue::Ready));
        if (queue.items.empty()) return;
        item = std::move(queue.items.front());
        queue.items.pop_front();
      }
      if (item.first % 101 == 0) {
        EXPECT_EQ(item.second.dump(), Expected(item.first));
        ++checked;
      }
      // item.second is freed here, on the consumer thread.
    }
  });
  std::thread producer([&] {
    for (int i = 0; i < 30000; ++i) {
      Event event = MakeEvent(i);
      absl::MutexLock lock(&queue.mu);
      queue.items.emplace_back(i, std::move(event));
    }
    absl::MutexLock lock(&queue.mu);
    queue.done = true;
  });
  producer.join();
  consumer.join();
  EXPECT_EQ(checked, 30000 / 101 + 1);
  EXPECT_EQ(LiveChunks(), before_);
}

TEST_F(EventAllocatorTest, ThreadThatBuildsAndDropsTemporariesStaysInOneChunk) {
  std::thread worker([&] {
    for (int i = 0; i < 50000; ++i) {
      Event temporary = MakeEvent(i);
      ASSERT_EQ(temporary["kubernetes"]["container"]["name"], absl::StrCat("c", i));
    }
    EXPECT_EQ(LiveChunks(), before_ + 1);
  });
  worker.join();
  EXPECT_EQ(LiveChunks(), before_);
}

TEST_F(EventAllocatorTest, LargeArraysAndObjectsBypassTheArena) {
  std::thread worker([&] {
    Event big = Event::array();
    for (int i = 0; i < 5000; ++i) big.push_back(i);  // 80 KB of elements: operator new
    Event wide = Event::object();
    for (int i = 0; i < 500; ++i) wide[absl::StrCat("k", 1000 + i)] = i;
    EXPECT_EQ(big.size(), 5000u);
    EXPECT_EQ(big[4999], 4999);
    EXPECT_EQ(wide["k1499"], 499);
  });
  worker.join();
  EXPECT_EQ(LiveChunks(), before_);
}

TEST_F(EventAllocatorTest, EventsOfThreadLocalsDestroyedAtThreadExitAreFreed) {
  struct BuildsAtExit {
    ~BuildsAtExit() {
      // Runs after the arena settled the thread's chunk: still a working allocator.
      Event late = MakeEvent(7);
      EXPECT_EQ(late.dump(), Expected(7));
    }
  };
  std::thread worker([] {
    static thread_local BuildsAtExit builds_at_exit;
    static thread_local Event kept = MakeEvent(3);
    (void)builds_at_exit;
    EXPECT_EQ(kept.dump(), Expected(3));
  });
  worker.join();
  EXPECT_EQ(LiveChunks(), before_);
}

TEST_F(EventAllocatorTest, CopiesAndConversionsKeepTheDocument) {
  const Event original = MakeEvent(42);
  Event copy = original;
  copy["kubernetes"]["pod"]["uid"] = "6b1f0c1e-0000-4000-8000-100000000042";
  const nlohmann::json plain = original;  // to std::map-based JSON and back
  EXPECT_EQ(Event(plain), original);
  EXPECT_EQ(plain.dump(), original.dump());
  EXPECT_NE(copy, original);
  copy["kubernetes"]["pod"].erase("uid");
  EXPECT_EQ(copy, original);
}

}  // namespace
}  // namespace gatehouse
