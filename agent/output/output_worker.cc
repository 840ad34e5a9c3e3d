#include "agent/output/output_worker.h"

#include <utility>
#include <vector>

#include "common/logging.h"

namespace gatehouse {

absl::StatusOr<std::unique_ptr<OutputWorker>> OutputWorker::Create(std::unique_ptr<Output> output,
                                                                   EventQueue* queue,
                                                                   OutputWorkerOptions options) {
  if (output == nullptr) return absl::InvalidArgumentError("output worker: null output");
  if (queue == nullptr) return absl::InvalidArgumentError("output worker: null queue");
  if (options.max_batch == 0) options.max_batch = 1;
  return std::unique_ptr<OutputWorker>(
      new OutputWorker(std::move(output), queue, std::move(options)));
}

OutputWorker::OutputWorker(std::unique_ptr<Output> output, EventQueue* queue,
                           OutputWorkerOptions options)
    : output_(std::move(output)),
      queue_(queue),
      options_(std::move(options)),
      written_(MetricsRegistry::Global().GetCounter("gatehouse_output_events_written_total",
                                                    "Events written by the output.",
                                                    {{"output", options_.name}})),
      write_errors_(MetricsRegistry::Global().GetCounter(
          "gatehouse_output_write_errors_total", "Failed output writes and flushes.",
          {{"output", options_.name}})),
      last_flush_(options_.clock->MonotonicNow()) {}

OutputWorker::~OutputWorker() { Stop().IgnoreError(); }

void OutputWorker::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopped_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void OutputWorker::RecordError(absl::Status status) {
  write_errors_->Increment();
  GH_LOG_ERROR("output '{}': {}", options_.name, status.ToString());
  absl::MutexLock lock(&mu_);
  last_error_ = std::move(status);
}

void OutputWorker::FlushNow() {
  if (dirty_) {
    absl::Status status = output_->Flush();
    if (!status.ok()) RecordError(std::move(status));
  }
  dirty_ = false;
  last_flush_ = options_.clock->MonotonicNow();
}

bool OutputWorker::WriteOneBatch(absl::Duration wait) {
  std::vector<Event> batch;
  batch.reserve(options_.max_batch);
  size_t n = queue_->PopBatch(options_.max_batch, wait, &batch);
  if (n > 0) {
    absl::Status status = output_->Write(batch);
    if (status.ok()) {
      written_->Increment(static_cast<int64_t>(n));
    } else {
      RecordError(std::move(status));
    }
    dirty_ = true;
  }
  if (dirty_ && options_.clock->MonotonicNow() - last_flush_ >= options_.flush_interval) {
    FlushNow();
  }
  return n > 0 || !queue_->closed();
}

void OutputWorker::Run() {
  while (true) {
    int64_t requested;
    {
      absl::MutexLock lock(&mu_);
      requested = drain_requested_;
    }
    bool more = WriteOneBatch(absl::Milliseconds(100));
    bool drain_due = false;
    if (queue_->size() == 0) {
      absl::MutexLock lock(&mu_);
      drain_due = drained_generation_ < requested;
    }
    if (drain_due) {
      FlushNow();
      absl::MutexLock lock(&mu_);
      if (drained_generation_ < requested) drained_generation_ = requested;
    }
    if (!more) break;
  }
  FlushNow();
}

absl::Status OutputWorker::Drain() {
  absl::MutexLock lock(&mu_);
  if (!started_ || stopped_) return last_error_;
  const int64_t target = ++drain_requested_;
  auto done = [this, target]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return drained_generation_ >= target;
  };
  mu_.Await(absl::Condition(&done));
  return last_error_;
}

absl::Status OutputWorker::Stop() {
  std::thread thread;
  bool was_started;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return last_error_;
    stopped_ = true;
    was_started = started_;
    thread = std::move(thread_);
  }
  queue_->Close();
  if (was_started) {
    thread.join();
  } else {
    while (WriteOneBatch(absl::ZeroDuration())) {
    }
    FlushNow();
  }
  absl::MutexLock lock(&mu_);
  // Wake any Drain() caller: everything is written now.
  drained_generation_ = drain_requested_;
  return last_error_;
}

}  // namespace gatehouse
