#include "agent/output/event_queue.h"

#include <utility>

namespace gatehouse {

EventQueue::EventQueue(size_t capacity, std::string name)
    : capacity_(capacity == 0 ? 1 : capacity),
      name_(std::move(name)),
      backpressure_waits_(MetricsRegistry::Global().GetCounter(
          "gatehouse_output_queue_backpressure_waits_total",
          "Publishes that waited because the output queue was full.", {{"queue", name_}})),
      depth_(MetricsRegistry::Global().GetGauge("gatehouse_output_queue_events",
                                                "Events waiting in the output queue.",
                                                {{"queue", name_}})) {}

bool EventQueue::Push(Event event) {
  absl::MutexLock lock(&mu_);
  if (!closed_ && events_.size() >= capacity_) {
    backpressure_waits_->Increment();
    auto room_or_closed = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return closed_ || events_.size() < capacity_;
    };
    mu_.Await(absl::Condition(&room_or_closed));
  }
  if (closed_) return false;
  events_.push_back(std::move(event));
  depth_->Set(static_cast<double>(events_.size()));
  return true;
}

size_t EventQueue::PopBatch(size_t max_events, absl::Duration timeout, std::vector<Event>* out) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_ || !events_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  size_t moved = 0;
  while (moved < max_events && !events_.empty()) {
    out->push_back(std::move(events_.front()));
    events_.pop_front();
    ++moved;
  }
  depth_->Set(static_cast<double>(events_.size()));
  return moved;
}

void EventQueue::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool EventQueue::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

size_t EventQueue::size() const {
  absl::MutexLock lock(&mu_);
  return events_.size();
}

}  // namespace gatehouse
