#include "agent/daemon/input_health.h"

#include "absl/time/clock.h"
#include "common/logging.h"

namespace gatehouse {

class InputHealth::CopyObserver final : public InputObserver {
 public:
  CopyObserver(InputHealth* health, std::string id) : health_(health), id_(std::move(id)) {}
  void CollectionSucceeded(absl::string_view stream_id, int64_t events) override {
    health_->Succeeded(id_, events);
  }
  void CollectionFailed(absl::string_view stream_id, const absl::Status& error) override {
    GH_LOG_WARN("input {} stream {}: collection failed: {}", id_, std::string(stream_id),
                std::string(error.message()));
    health_->Failed(id_, error);
  }

 private:
  InputHealth* const health_;
  const std::string id_;
};

InputHealth::InputHealth(Clock* clock)
    : clock_(clock),
      collections_ok_(MetricsRegistry::Global().GetCounter(
          "gatehouse_input_collections_total", "Collections by inputs, by result",
          {{"result", "success"}})),
      collections_failed_(MetricsRegistry::Global().GetCounter(
          "gatehouse_input_collections_total", "Collections by inputs, by result",
          {{"result", "failure"}})) {}

InputHealth::~InputHealth() = default;

InputObserver* InputHealth::ObserverFor(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto& observer = observers_[id];
  if (!observer) observer = std::make_unique<CopyObserver>(this, id);
  return observer.get();
}

void InputHealth::Succeeded(const std::string& id, int64_t events) {
  collections_ok_->Increment();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  Record& record = records_[id];
  record.last_collection = now;
  record.last_error.clear();
  record.events += events;
  ++record.collections;
}

void InputHealth::Failed(const std::string& id, const absl::Status& error) {
  collections_failed_->Increment();
  absl::MutexLock lock(&mu_);
  Record& record = records_[id];
  record.last_error = std::string(error.message());
  ++record.failures;
}

Value InputHealth::ToValue(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(id);
  if (it == records_.end()) return Value();
  const Record& r = it->second;
  Value::Map out;
  out["last_collection"] = r.last_collection == absl::InfinitePast()
                               ? Value()
                               : Value(absl::FormatTime(absl::RFC3339_sec, r.last_collection,
                                                        absl::UTCTimeZone()));
  out["last_error"] = r.last_error.empty() ? Value() : Value(r.last_error);
  out["events"] = Value(static_cast<int64_t>(r.events));
  out["collections"] = Value(static_cast<int64_t>(r.collections));
  out["failures"] = Value(static_cast<int64_t>(r.failures));
  return Value(std::move(out));
}

}  // namespace gatehouse
