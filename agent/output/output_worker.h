// Drains one EventQueue into one Output on its own thread: batches, retries nothing silently
// (a failed write is logged and counted), flushes periodically and on shutdown.
//
// Thread contract: thread-safe. Start once; Stop is safe without Start and twice.
#ifndef GATEHOUSE_AGENT_OUTPUT_OUTPUT_WORKER_H_
#define GATEHOUSE_AGENT_OUTPUT_OUTPUT_WORKER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/output/event_queue.h"
#include "agent/output/output.h"
#include "common/clock.h"
#include "common/metrics.h"

namespace gatehouse {

struct OutputWorkerOptions {
  std::string name = "default";  // the output's name in the policy (metrics label, logs)
  size_t max_batch = 512;
  // Flush (fsync for files) at most this long after a write; also on Stop and Drain.
  absl::Duration flush_interval = absl::Seconds(1);
  Clock* clock = &Clock::Real();
};

class OutputWorker {
 public:
  // `queue` must outlive the worker.
  static absl::StatusOr<std::unique_ptr<OutputWorker>> Create(std::unique_ptr<Output> output,
                                                              EventQueue* queue,
                                                              OutputWorkerOptions options = {});
  ~OutputWorker();  // Stop()

  // Starts the consumer thread.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until every event pushed before the call is written and flushed (the queue stays
  // open). Returns the last write or flush error, if any.
  absl::Status Drain() ABSL_LOCKS_EXCLUDED(mu_);
  // Closes the queue, writes everything left in it, flushes and joins the thread. Returns the
  // last write or flush error. Safe without Start (then it writes what is queued itself).
  absl::Status Stop() ABSL_LOCKS_EXCLUDED(mu_);

  int64_t events_written() const { return written_->value(); }
  int64_t write_errors() const { return write_errors_->value(); }

 private:
  OutputWorker(std::unique_ptr<Output> output, EventQueue* queue, OutputWorkerOptions options);
  void Run();
  // Pops and writes one batch; false when the queue is closed and empty.
  bool WriteOneBatch(absl::Duration wait);
  void FlushNow();
  void RecordError(absl::Status status) ABSL_LOCKS_EXCLUDED(mu_);

  std::unique_ptr<Output> output_;  // only the worker thread (or Stop without Start) uses it
  EventQueue* const queue_;
  const OutputWorkerOptions options_;
  Counter* const written_;
  Counter* const write_errors_;
  absl::Time last_flush_;            // worker thread only
  bool dirty_ = false;               // worker thread only: written since the last flush

  absl::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  // Drain requests: the worker flushes and bumps `drained_generation_` once the queue is empty.
  int64_t drain_requested_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t drained_generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_OUTPUT_OUTPUT_WORKER_H_
