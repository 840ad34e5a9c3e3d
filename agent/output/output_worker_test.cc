#include "agent/output/output_worker.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

// Records what it is given; shares its log with the test.
struct Record {
  absl::Mutex mu;
  std::vector<int> written ABSL_GUARDED_BY(mu);
  int flushes ABSL_GUARDED_BY(mu) = 0;
};

class RecordingOutput final : public Output {
 public:
  explicit RecordingOutput(Record* record) : record_(record) {}
  absl::Status Write(const std::vector<Event>& batch) override {
    absl::MutexLock lock(&record_->mu);
    for (const Event& e : batch) record_->written.push_back(e["n"].get<int>());
    return absl::OkStatus();
  }
  absl::Status Flush() override {
    absl::MutexLock lock(&record_->mu);
    ++record_->flushes;
    return absl::OkStatus();
  }

 private:
  Record* record_;
};

TEST(OutputWorkerTest, DrainWritesAndFlushesEverythingQueued) {
  Record record;
  EventQueue queue(4, "worker_test");
  ASSERT_OK_AND_ASSIGN(auto worker,
                       OutputWorker::Create(std::make_unique<RecordingOutput>(&record), &queue,
                                            {.name = "worker_test", .max_batch = 3}));
  worker->Start();
  for (int n = 0; n < 10; ++n) ASSERT_TRUE(queue.Push(Event{{"n", n}}));
  ASSERT_OK(worker->Drain());
  {
    absl::MutexLock lock(&record.mu);
    ASSERT_EQ(record.written.size(), 10u);
    for (int n = 0; n < 10; ++n) EXPECT_EQ(record.written[n], n);
    EXPECT_GE(record.flushes, 1);
  }
  ASSERT_OK(worker->Stop());
  ASSERT_OK(worker->Stop());
  EXPECT_EQ(worker->events_written(), 10);
}

TEST(OutputWorkerTest, StopWithoutStartWritesWhatIsQueued) {
  Record record;
  EventQueue queue(8, "worker_test2");
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(queue.Push(Event{{"n", n}}));
  ASSERT_OK_AND_ASSIGN(auto worker, OutputWorker::Create(std::make_unique<RecordingOutput>(&record),
                                                         &queue, {.name = "worker_test2"}));
  ASSERT_OK(worker->Stop());
  absl::MutexLock lock(&record.mu);
  EXPECT_EQ(record.written.size(), 3u);
  EXPECT_EQ(record.flushes, 1);
  EXPECT_FALSE(queue.Push(Event::object()));
}

}  // namespace
}  // namespace gatehouse
