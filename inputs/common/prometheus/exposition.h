// The Prometheus text exposition format (version 0.0.4), parsed without copying: names, label
// values and HELP texts are string_views into the scraped body, except label values with escapes
// (`\"`, `\\`, `\n`), which are unescaped once into storage owned by the Exposition.
//
// Robust to garbage: a malformed line is skipped and reported with its line number; every other
// line is still used. Unknown TYPE names are kept as `kUnknown` (their samples still parse).
//
// Thread contract: an Exposition is immutable after Parse and thread-safe to read; it refers to
// the body it was parsed from, which must outlive it.
#ifndef GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_H_
#define GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace gatehouse::prometheus {

enum class MetricType : uint8_t { kUntyped, kCounter, kGauge, kHistogram, kSummary, kUnknown };

absl::string_view MetricTypeName(MetricType type);

struct Label {
  absl::string_view name;
  absl::string_view value;  // unescaped
};

struct Sample {
  absl::string_view name;
  uint32_t label_begin = 0;  // index into Exposition::all_labels()
  uint32_t label_count = 0;
  uint32_t line = 0;  // 1-based line number in the body
  bool has_timestamp = false;
  double value = 0;
  int64_t timestamp_ms = 0;
};

struct MetricFamily {
  absl::string_view name;
  absl::string_view help;  // raw (HELP escapes `\\` and `\n` are left as written)
  MetricType type = MetricType::kUntyped;
  absl::string_view type_text;  // as written ("gauge", "stateset", ...); empty without TYPE
};

// The metric families a reader uses, so the parser can skip the others without parsing their
// lines (a kube-state-metrics body is mostly families a given metricset never reads). Names
// match a family exactly (with its `_bucket`, `_sum`, `_count` samples); prefixes match every
// family whose name starts with them. An empty filter accepts everything.
//
// Thread contract: thread-compatible; immutable once built, then safe to share.
class FamilyFilter {
 public:
  FamilyFilter& AddName(absl::string_view name);
  FamilyFilter& AddPrefix(absl::string_view prefix);
  bool accepts_all() const { return names_.empty() && prefixes_.empty(); }
  bool Accepts(absl::string_view family_or_sample_name) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::string> prefixes_;
};

struct ParseError {
  uint32_t line = 0;
  std::string message;  // "line 12: label value for 'pod' is not terminated"
};

class Exposition {
 public:
  // At most this many errors are kept with their text; error_count() counts all of them.
  static constexpr size_t kMaxKeptErrors = 20;

  // Parses `body`; never fails as a whole (see errors()). `body` must outlive the result.
  static Exposition Parse(absl::string_view body);
  // The same into an existing Exposition, reusing its memory: a scraper that keeps one per
  // stream touches no fresh pages in steady state.
  void Reparse(absl::string_view body);
  // Only the lines (samples, HELP, TYPE) of families `filter` accepts; the other lines are
  // skipped unchecked (they are counted in line_count() but never reported as errors).
  void Reparse(absl::string_view body, const FamilyFilter& filter);

  const std::vector<Sample>& samples() const { return samples_; }
  const std::vector<MetricFamily>& families() const { return families_; }
  absl::Span<const Label> labels(const Sample& sample) const {
    return absl::MakeConstSpan(labels_.data() + sample.label_begin, sample.label_count);
  }
  // The value of label `name` on `sample`, or `fallback` when the sample lacks it.
  absl::string_view LabelValue(const Sample& sample, absl::string_view name,
                               absl::string_view fallback = {}) const;
  const MetricFamily* FindFamily(absl::string_view name) const;

  const std::vector<ParseError>& errors() const { return errors_; }
  size_t error_count() const { return error_count_; }
  size_t line_count() const { return line_count_; }
  // "2 malformed lines; first: line 3: ..." or "" when there were none.
  std::string ErrorSummary() const;

 private:
  friend class ExpositionParser;
  std::vector<Sample> samples_;
  std::vector<Label> labels_;
  std::vector<MetricFamily> families_;
  std::deque<std::string> unescaped_;  // a deque never moves its strings: views stay valid
  std::vector<ParseError> errors_;
  size_t error_count_ = 0;
  size_t line_count_ = 0;
};

}  // namespace gatehouse::prometheus

#endif  // GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_H_
