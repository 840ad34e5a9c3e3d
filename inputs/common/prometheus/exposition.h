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
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/worker_pool.h"

namespace gatehouse::prometheus {

enum class MetricType : uint8_t { kUntyped, kCounter, kGauge, kHistogram, kSummary, kUnknown };

absl::string_view MetricTypeName(MetricType type);

struct Label {
  absl::string_view name;
  absl::string_view value;  // unescaped
};

struct Sample {
  absl::string_view name;
  uint32_t label_begin = 0;  // where its labels start in its piece's labels (Exposition::labels)
  uint32_t label_count = 0;
  uint32_t line = 0;  // 1-based line number in the body
  bool has_timestamp = false;
  uint8_t piece = 0;  // which piece of a parallel parse holds its labels; 0 otherwise
  double value = 0;
  int64_t timestamp_ms = 0;
};

struct MetricFamily {
  absl::string_view name;
  absl::string_view help;  // raw (HELP escapes `\\` and `\n` are left as written)
  MetricType type = MetricType::kUntyped;
  absl::string_view type_text;  // as written ("gauge", "stateset", ...); empty without TYPE
  uint32_t type_line = 0;       // the line of its TYPE line; 0 without one
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

  // The same on the threads of `workers`: the body is cut at line starts into pieces of at least
  // `min_piece_bytes` (a few per thread, so that a thread that finishes early takes another),
  // each piece is parsed on its own, and the pieces are joined in order. The result reads exactly
  // like Reparse(body, filter)'s: the same samples, labels, families, errors and line numbers.
  // A body too small for two pieces, or a pool of one thread, is parsed on the calling thread.
  static constexpr size_t kMinPieceBytes = size_t{1} << 20;
  void Reparse(absl::string_view body, const FamilyFilter& filter, WorkerPool& workers,
               size_t min_piece_bytes = kMinPieceBytes);

  const std::vector<Sample>& samples() const { return samples_; }
  const std::vector<MetricFamily>& families() const { return families_; }
  absl::Span<const Label> labels(const Sample& sample) const {
    return absl::MakeConstSpan(LabelsOf(sample), sample.label_count);
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
  static constexpr size_t kMaxPieces = 64;  // Sample::piece is a byte

  const Label* LabelsOf(const Sample& sample) const {
    return (sample.piece == 0 ? labels_ : pieces_[sample.piece - 1]->labels_).data() +
           sample.label_begin;
  }
  void Clear();
  // Appends pieces_[0, count) (parsed on their own) to this Exposition, the body's first piece.
  void JoinPieces(size_t count);

  std::vector<Sample> samples_;
  std::vector<Label> labels_;
  std::vector<MetricFamily> families_;
  std::deque<std::string> unescaped_;  // a deque never moves its strings: views stay valid
  std::vector<ParseError> errors_;
  size_t error_count_ = 0;
  size_t line_count_ = 0;
  // Pieces 1, 2, ... of the last parallel parse (their labels and unescaped values; the rest is
  // joined into this one). Kept between parses for their memory.
  std::vector<std::unique_ptr<Exposition>> pieces_;
};

}  // namespace gatehouse::prometheus

#endif  // GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_H_
