// The bounded in-memory queue between inputs (through their pipelines) and one output.
// When it is full, publishers wait (back-pressure) and every such wait is counted in
// `gatehouse_output_queue_backpressure_waits_total{queue="<name>"}`.
//
// Thread contract: thread-safe; any number of producers, one consumer (the OutputWorker).
#ifndef GATEHOUSE_AGENT_OUTPUT_EVENT_QUEUE_H_
#define GATEHOUSE_AGENT_OUTPUT_EVENT_QUEUE_H_

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/input/event.h"
#include "common/metrics.h"

namespace gatehouse {

class EventQueue {
 public:
  // `capacity` >= 1 events; `name` labels the queue's metrics (the output's name).
  explicit EventQueue(size_t capacity, std::string name = "default");
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Appends `event`, waiting while the queue is full. Returns false (and drops the event) only
  // when the queue is closed.
  bool Push(Event event) ABSL_LOCKS_EXCLUDED(mu_);

  // Moves up to `max_events` events into `out` (appended), waiting up to `timeout` (real time)
  // for the first one. Returns the number moved; 0 on timeout, or when closed and empty.
  size_t PopBatch(size_t max_events, absl::Duration timeout, std::vector<Event>* out)
      ABSL_LOCKS_EXCLUDED(mu_);

  // After Close, Push fails at once (waiting publishers wake and fail) and PopBatch still
  // returns what is left. Idempotent.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

  bool closed() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t capacity() const { return capacity_; }
  const std::string& name() const { return name_; }
  // Pushes that had to wait for room, since construction.
  int64_t backpressure_waits() const { return backpressure_waits_->value(); }

 private:
  const size_t capacity_;
  const std::string name_;
  Counter* const backpressure_waits_;
  Gauge* const depth_;

  mutable absl::Mutex mu_;
  std::deque<Event> events_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_OUTPUT_EVENT_QUEUE_H_
