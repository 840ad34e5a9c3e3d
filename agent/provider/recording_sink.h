// A ProviderSink that records every call, for provider tests. Thread-safe.
#ifndef GATEHOUSE_AGENT_PROVIDER_RECORDING_SINK_H_
#define GATEHOUSE_AGENT_PROVIDER_RECORDING_SINK_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/provider/provider.h"
#include "common/value.h"

namespace gatehouse {

class RecordingSink final : public ProviderSink {
 public:
  struct Mapping {
    Value mapping;
    Value processors;
  };

  void Publish(Value::Map mapping) override {
    absl::MutexLock lock(&mu_);
    published_.push_back(Value(std::move(mapping)));
  }
  void UpsertMapping(absl::string_view id, Value::Map mapping, Value processors) override {
    absl::MutexLock lock(&mu_);
    mappings_[std::string(id)] = Mapping{Value(std::move(mapping)), std::move(processors)};
  }
  void RemoveMapping(absl::string_view id) override {
    absl::MutexLock lock(&mu_);
    mappings_.erase(std::string(id));
  }
  void Fail(absl::Status status) override {
    absl::MutexLock lock(&mu_);
    failures_.push_back(std::move(status));
  }

  // Every mapping Publish received, oldest first.
  std::vector<Value> published() const {
    absl::MutexLock lock(&mu_);
    return published_;
  }
  // The last published mapping (null when none).
  Value last() const {
    absl::MutexLock lock(&mu_);
    return published_.empty() ? Value() : published_.back();
  }
  // Blocks (in real time, up to `timeout`) until Publish has been called `count` times.
  bool AwaitPublished(size_t count, absl::Duration timeout = absl::Seconds(10)) const {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return published_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
  std::map<std::string, Mapping> mappings() const {
    absl::MutexLock lock(&mu_);
    return mappings_;
  }
  std::vector<absl::Status> failures() const {
    absl::MutexLock lock(&mu_);
    return failures_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Value> published_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Mapping> mappings_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Status> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PROVIDER_RECORDING_SINK_H_
