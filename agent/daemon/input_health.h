// What each input copy did lately (for /status): last collection time and error, events sent.
// Hands every copy an InputObserver that knows its id.
//
// Thread contract: thread-safe.
#ifndef GATEHOUSE_AGENT_DAEMON_INPUT_HEALTH_H_
#define GATEHOUSE_AGENT_DAEMON_INPUT_HEALTH_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/input/input.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/value.h"

namespace gatehouse {

class InputHealth {
 public:
  explicit InputHealth(Clock* clock = &Clock::Real());
  ~InputHealth();

  // The observer for copy `id` (created on first use, kept for the agent's life).
  InputObserver* ObserverFor(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);

  // {last_collection, last_error, events, collections, failures} for copy `id` (null if never).
  Value ToValue(const std::string& id) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Record {
    absl::Time last_collection = absl::InfinitePast();
    std::string last_error;
    int64_t events = 0;
    int64_t collections = 0;
    int64_t failures = 0;
  };
  class CopyObserver;

  void Succeeded(const std::string& id, int64_t events) ABSL_LOCKS_EXCLUDED(mu_);
  void Failed(const std::string& id, const absl::Status& error) ABSL_LOCKS_EXCLUDED(mu_);

  Clock* const clock_;
  Counter* const collections_ok_;
  Counter* const collections_failed_;
  mutable absl::Mutex mu_;
  std::map<std::string, Record> records_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<CopyObserver>> observers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_DAEMON_INPUT_HEALTH_H_
