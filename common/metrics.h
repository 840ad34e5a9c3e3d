// The agent's own metrics, rendered in the Prometheus text format at GET /metrics.
// Components get their series once (at construction) and update them on hot paths without locks.
//
// Thread contract: everything here is thread-safe.
#ifndef GATEHOUSE_COMMON_METRICS_H_
#define GATEHOUSE_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace gatehouse {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  // Cumulative counts per upper bound (+Inf last), the sum and the count.
  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<int64_t> cumulative_counts;
    double sum = 0;
    int64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> buckets_;  // one per bound, plus +Inf
  std::atomic<double> sum_{0};
  std::atomic<int64_t> count_{0};
};

class MetricsRegistry {
 public:
  // The process-wide registry (never destroyed).
  static MetricsRegistry& Global();

  // The same (name, labels) always returns the same series; the first call's `help` is kept.
  // Names follow Prometheus rules and start with `gatehouse_`.
  Counter* GetCounter(absl::string_view name, absl::string_view help, MetricLabels labels = {});
  Gauge* GetGauge(absl::string_view name, absl::string_view help, MetricLabels labels = {});
  Histogram* GetHistogram(absl::string_view name, absl::string_view help,
                          std::vector<double> upper_bounds, MetricLabels labels = {});

  // Every series in the Prometheus text exposition format (version 0.0.4).
  std::string RenderPrometheus() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(absl::string_view name, absl::string_view help, Kind kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_METRICS_H_
