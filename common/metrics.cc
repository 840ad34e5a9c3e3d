#include "common/metrics.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/value.h"

namespace gatehouse {
namespace {

void AtomicAdd(std::atomic<double>& target, double delta) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  return FormatShortestDouble(v);
}

void AppendEscapedLabelValue(absl::string_view value, std::string* out) {
  for (char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

std::string LabelText(const MetricLabels& labels, absl::string_view extra_key = "",
                      absl::string_view extra_value = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out.push_back(',');
    first = false;
    absl::StrAppend(&out, key, "=\"");
    AppendEscapedLabelValue(value, &out);
    out.push_back('"');
  }
  if (!extra_key.empty()) {
    if (!first) out.push_back(',');
    absl::StrAppend(&out, extra_key, "=\"", extra_value, "\"");
  }
  out.push_back('}');
  return out;
}

void AppendHelp(absl::string_view help, std::string* out) {
  for (char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

void Gauge::Add(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<int64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < upper_bounds_.size() && v > upper_bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.upper_bounds = upper_bounds_;
  int64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  snapshot.count = running;
  return snapshot;
}

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry* const registry = new MetricsRegistry();
  return *registry;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(absl::string_view name,
                                                    absl::string_view help, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
  }
  return it->second;
}

Counter* MetricsRegistry::GetCounter(absl::string_view name, absl::string_view help,
                                     MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, help, Kind::kCounter).counters[std::move(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(absl::string_view name, absl::string_view help,
                                 MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, help, Kind::kGauge).gauges[std::move(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(absl::string_view name, absl::string_view help,
                                         std::vector<double> upper_bounds, MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, help, Kind::kHistogram).histograms[std::move(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(upper_bounds));
  return slot.get();
}

std::string MetricsRegistry::RenderPrometheus() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    absl::StrAppend(&out, "# HELP ", name, " ");
    AppendHelp(family.help, &out);
    out.push_back('\n');
    switch (family.kind) {
      case Kind::kCounter:
        absl::StrAppend(&out, "# TYPE ", name, " counter\n");
        for (const auto& [labels, counter] : family.counters) {
          absl::StrAppend(&out, name, LabelText(labels), " ", counter->value(), "\n");
        }
        break;
      case Kind::kGauge:
        absl::StrAppend(&out, "# TYPE ", name, " gauge\n");
        for (const auto& [labels, gauge] : family.gauges) {
          absl::StrAppend(&out, name, LabelText(labels), " ", FormatNumber(gauge->value()), "\n");
        }
        break;
      case Kind::kHistogram:
        absl::StrAppend(&out, "# TYPE ", name, " histogram\n");
        for (const auto& [labels, histogram] : family.histograms) {
          const Histogram::Snapshot s = histogram->Read();
          for (size_t i = 0; i < s.cumulative_counts.size(); ++i) {
            const std::string le =
                i < s.upper_bounds.size() ? FormatNumber(s.upper_bounds[i]) : "+Inf";
            absl::StrAppend(&out, name, "_bucket", LabelText(labels, "le", le), " ",
                            s.cumulative_counts[i], "\n");
          }
          absl::StrAppend(&out, name, "_sum", LabelText(labels), " ", FormatNumber(s.sum), "\n");
          absl::StrAppend(&out, name, "_count", LabelText(labels), " ", s.count, "\n");
        }
        break;
    }
  }
  return out;
}

}  // namespace gatehouse
