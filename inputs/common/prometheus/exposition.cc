#include "inputs/common/prometheus/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "absl/strings/str_cat.h"

namespace gatehouse::prometheus {
namespace {

// Character classes, one table lookup per byte on the hot path.
constexpr uint8_t kNameStart = 1;   // [a-zA-Z_:]
constexpr uint8_t kNameChar = 2;    // [a-zA-Z0-9_:]
constexpr uint8_t kLabelStart = 4;  // [a-zA-Z_]
constexpr uint8_t kLabelChar = 8;   // [a-zA-Z0-9_]

struct CharTable {
  uint8_t bits[256] = {};
  constexpr CharTable() {
    for (int c = 0; c < 256; ++c) {
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      const bool digit = c >= '0' && c <= '9';
      if (alpha || c == ':') bits[c] |= kNameStart;
      if (alpha || digit || c == ':') bits[c] |= kNameChar;
      if (alpha) bits[c] |= kLabelStart;
      if (alpha || digit) bits[c] |= kLabelChar;
    }
  }
};
constexpr CharTable kChars;

inline bool Is(char c, uint8_t cls) { return kChars.bits[static_cast<uint8_t>(c)] & cls; }
inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

MetricType TypeFromText(absl::string_view t) {
  if (t == "counter") return MetricType::kCounter;
  if (t == "gauge") return MetricType::kGauge;
  if (t == "histogram") return MetricType::kHistogram;
  if (t == "summary") return MetricType::kSummary;
  if (t == "untyped") return MetricType::kUntyped;
  return MetricType::kUnknown;
}

std::string SecondTypeLine(absl::string_view family) {
  return absl::StrCat("second TYPE line for '", family, "'");
}

// Case-insensitive equality with a lower-case literal.
bool EqualsLower(absl::string_view text, absl::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

ParseError LineError(uint32_t line, absl::string_view message) {
  return {line, absl::StrCat("line ", line, ": ", message)};
}

// Parses one body into an Exposition. Each line is handled by a small state machine over
// [p, end) with the positions kept as raw pointers for speed.
class ExpositionParser {
 public:
  ExpositionParser(absl::string_view body, const FamilyFilter* filter, Exposition* out)
      : body_(body),
        filter_(filter != nullptr && !filter->accepts_all() ? filter : nullptr),
        out_(out) {}

  void Run() {
    const char* p = body_.data();
    const char* const end = p + body_.size();
    // Sized for kube-state-metrics lines (~150-400 bytes, 4-9 labels); reserved pages that are
    // never touched cost nothing.
    out_->samples_.reserve(std::max(out_->samples_.capacity(), body_.size() / 64));
    out_->labels_.reserve(std::max(out_->labels_.capacity(), body_.size() / 20));
    uint32_t line = 0;
    while (p < end) {
      ++line;
      const char* eol = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (eol == nullptr) eol = end;
      const char* line_end = eol;
      if (line_end > p && line_end[-1] == '\r') --line_end;
      if (filter_ == nullptr || Wanted(p, line_end)) ParseLine(p, line_end, line);
      p = eol + 1;
    }
    out_->line_count_ = line;
  }

 private:
  void Error(uint32_t line, absl::string_view message) {
    ++out_->error_count_;
    if (out_->errors_.size() < Exposition::kMaxKeptErrors) {
      out_->errors_.push_back(LineError(line, message));
    }
  }

  // Whether the filter accepts the family of this line. Lines come grouped by family, so the
  // verdict for the previous name is reused while the line starts with that name.
  bool Wanted(const char* p, const char* end) {
    while (p < end && IsBlank(*p)) ++p;
    if (p == end) return false;
    if (*p == '#') {
      ++p;
      absl::string_view keyword = Token(p, end);
      if (keyword != "HELP" && keyword != "TYPE") return false;  // a plain comment
      while (p < end && IsBlank(*p)) ++p;
    }
    if (p == end) return true;  // "# TYPE" and no name: ParseComment reports it
    const size_t n = last_name_.size();
    if (n != 0 && static_cast<size_t>(end - p) >= n && std::memcmp(p, last_name_.data(), n) == 0 &&
        (static_cast<size_t>(end - p) == n || !Is(p[n], kNameChar))) {
      known_name_ = absl::string_view(p, n);  // ParseSample need not scan it again
      return last_wanted_;
    }
    // A malformed name is parsed (and reported) rather than silently skipped.
    if (!Is(*p, kNameStart)) return true;
    const char* name_end = p + 1;
    while (name_end < end && Is(*name_end, kNameChar)) ++name_end;
    last_name_ = absl::string_view(p, name_end - p);
    last_wanted_ = filter_->Accepts(last_name_);
    return last_wanted_;
  }

  void ParseLine(const char* p, const char* end, uint32_t line) {
    while (p < end && IsBlank(*p)) ++p;
    if (p == end) return;
    if (*p == '#') {
      ParseComment(p + 1, end, line);
      return;
    }
    ParseSample(p, end, line);
  }

  static absl::string_view Token(const char*& p, const char* end) {
    while (p < end && IsBlank(*p)) ++p;
    const char* start = p;
    while (p < end && !IsBlank(*p)) ++p;
    return absl::string_view(start, p - start);
  }

  static bool IsMetricName(absl::string_view name) {
    if (name.empty() || !Is(name[0], kNameStart)) return false;
    for (char c : name) {
      if (!Is(c, kNameChar)) return false;
    }
    return true;
  }

  MetricFamily& FamilyFor(absl::string_view name) {
    if (!out_->families_.empty() && out_->families_.back().name == name) {
      return out_->families_.back();
    }
    if (const MetricFamily* f = out_->FindFamily(name)) return const_cast<MetricFamily&>(*f);
    out_->families_.push_back(MetricFamily{name, {}, MetricType::kUntyped, {}});
    return out_->families_.back();
  }

  void ParseComment(const char* p, const char* end, uint32_t line) {
    absl::string_view keyword = Token(p, end);
    if (keyword != "HELP" && keyword != "TYPE") return;  // a plain comment
    absl::string_view name = Token(p, end);
    if (!IsMetricName(name)) {
      Error(line,
            absl::StrCat(keyword, " line has an invalid metric name '", name.substr(0, 64), "'"));
      return;
    }
    while (p < end && IsBlank(*p)) ++p;
    absl::string_view rest(p, end - p);
    MetricFamily& family = FamilyFor(name);
    if (keyword == "HELP") {
      family.help = rest;
      return;
    }
    while (!rest.empty() && IsBlank(rest.back())) rest.remove_suffix(1);
    if (rest.empty()) {
      Error(line, absl::StrCat("TYPE line for '", name, "' has no type"));
      return;
    }
    if (!family.type_text.empty()) {
      Error(line, SecondTypeLine(name));
      return;
    }
    family.type_text = rest;
    family.type = TypeFromText(rest);
    family.type_line = line;
  }

  // The first '"' or '\\' in [p, end), or end: one pass, 16 bytes at a time where SSE2 is
  // there (every x86-64), instead of two memchr calls per label value.
  static const char* FindQuoteOrBackslash(const char* p, const char* end) {
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const int mask = _mm_movemask_epi8(
          _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
      if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
      p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\') ++p;
    return p;
  }

  // The first byte in [p, end) that is not [a-zA-Z0-9_], or end; 16 bytes at a time with SSE2.
  static const char* SkipLabelChars(const char* p, const char* end) {
#ifdef __SSE2__
    while (end - p >= 16) {
      const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // Signed compares: bytes >= 0x80 are negative and fall outside every range.
      auto in = [&c](char lo, char hi) {
        return _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(static_cast<char>(lo - 1))),
                             _mm_cmplt_epi8(c, _mm_set1_epi8(static_cast<char>(hi + 1))));
      };
      const __m128i ok =
          _mm_or_si128(_mm_or_si128(in('a', 'z'), in('A', 'Z')),
                       _mm_or_si128(in('0', '9'), _mm_cmpeq_epi8(c, _mm_set1_epi8('_'))));
      const unsigned stop = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
      if (stop != 0) return p + __builtin_ctz(stop);
      p += 16;
    }
#endif
    while (p < end && Is(*p, kLabelChar)) ++p;
    return p;
  }

  // Returns false (after reporting) on a malformed label set; `p` ends after '}'.
  bool ParseLabels(const char*& p, const char* end, uint32_t line) {
    seen_names_ = 0;
    ++p;  // '{'
    while (true) {
      while (p < end && IsBlank(*p)) ++p;
      if (p == end) {
        Error(line, "label set is not closed with '}'");
        return false;
      }
      if (*p == '}') {
        ++p;
        return true;
      }
      const char* name_start = p;
      if (!Is(*p, kLabelStart)) {
        Error(line, absl::StrCat("invalid label name at column ", Column(p)));
        return false;
      }
      p = SkipLabelChars(p + 1, end);
      absl::string_view label_name(name_start, p - name_start);
      if (end - p >= 2 && p[0] == '=' && p[1] == '"') {
        p += 2;  // name="value", as exporters write it: no blanks to skip
      } else {
        while (p < end && IsBlank(*p)) ++p;
        if (p == end || *p != '=') {
          Error(line, absl::StrCat("expected '=' after label name '", label_name, "'"));
          return false;
        }
        ++p;
        while (p < end && IsBlank(*p)) ++p;
        if (p == end || *p != '"') {
          Error(line, absl::StrCat("label value for '", label_name, "' must be quoted"));
          return false;
        }
        ++p;
      }
      const char* value_start = p;
      bool escaped = false;
      // Fast path: the first quote ends the value unless a backslash comes before it.
      const char* stop = FindQuoteOrBackslash(p, end);
      if (stop != end && *stop == '"') {
        p = stop;
      } else {
        while (p < end && *p != '"') {
          if (*p == '\\') {
            escaped = true;
            if (++p == end) break;
          }
          ++p;
        }
      }
      if (p == end) {
        Error(line, absl::StrCat("label value for '", label_name, "' is not terminated"));
        return false;
      }
      absl::string_view raw(value_start, p - value_start);
      ++p;  // closing quote
      absl::string_view value = raw;
      if (escaped) {
        std::string unescaped;
        if (!Unescape(raw, &unescaped)) {
          Error(line, absl::StrCat("label value for '", label_name,
                                   "' has an invalid escape (only \\\\, \\\" and \\n)"));
          return false;
        }
        out_->unescaped_.push_back(std::move(unescaped));
        value = out_->unescaped_.back();
      }
      // Duplicates: a 64-bit set of (length, first byte) hashes of the names seen on this line
      // rules most names out without comparing; only a possible match compares names.
      const uint64_t bit = uint64_t{1} << ((label_name.size() * 7 + label_name[0]) & 63);
      if (seen_names_ & bit) {
        for (size_t i = label_start_; i < out_->labels_.size(); ++i) {
          if (out_->labels_[i].name == label_name) {
            Error(line, absl::StrCat("duplicate label '", label_name, "'"));
            return false;
          }
        }
      }
      seen_names_ |= bit;
      out_->labels_.push_back(Label{label_name, value});
      if (p < end && *p == ',') {  // the usual separator, right after the quote
        ++p;
        continue;
      }
      while (p < end && IsBlank(*p)) ++p;
      if (p < end && *p == ',') {
        ++p;
      } else if (p < end && *p != '}') {
        Error(line, absl::StrCat("expected ',' or '}' after the value of '", label_name, "'"));
        return false;
      }
    }
  }

  static bool Unescape(absl::string_view raw, std::string* out) {
    out->reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (++i == raw.size()) return false;
      switch (raw[i]) {
        case '\\':
          out->push_back('\\');
          break;
        case '"':
          out->push_back('"');
          break;
        case 'n':
          out->push_back('\n');
          break;
        default:
          return false;
      }
    }
    return true;
  }

  static bool ParseValue(absl::string_view text, double* value) {
    if (text.empty()) return false;
    const char* first = text.data();
    const char* last = first + text.size();
    bool negative = false;
    if (*first == '+' || *first == '-') {
      negative = *first == '-';
      ++first;
      if (first == last) return false;
    }
    absl::string_view body(first, last - first);
    if (EqualsLower(body, "inf") || EqualsLower(body, "infinity")) {
      *value = negative ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
      return true;
    }
    if (EqualsLower(body, "nan")) {
      *value = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (*first == '+' || *first == '-') return false;
    // Fast path: whole numbers of up to 15 digits (0/1 flags, byte counts) are exact doubles.
    if (last - first <= 15) {
      int64_t whole = 0;
      const char* d = first;
      while (d < last && *d >= '0' && *d <= '9') whole = whole * 10 + (*d++ - '0');
      if (d == last) {
        *value = negative ? -static_cast<double>(whole) : static_cast<double>(whole);
        return true;
      }
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec == std::errc::result_out_of_range) {
      // Overflow to infinity and underflow to zero, like strtod.
      v = std::strtod(std::string(text).c_str(), nullptr);
      *value = v;
      return ptr == last;
    }
    if (ec != std::errc() || ptr != last) return false;
    *value = negative ? -v : v;
    return true;
  }

  static bool ParseTimestamp(absl::string_view text, int64_t* ms) {
    const char* first = text.data();
    const char* last = first + text.size();
    if (first != last && *first == '+') ++first;
    auto [ptr, ec] = std::from_chars(first, last, *ms);
    return ec == std::errc() && ptr == last && first != last;
  }

  size_t Column(const char* p) const { return static_cast<size_t>(p - line_start_) + 1; }

  void ParseSample(const char* p, const char* end, uint32_t line) {
    line_start_ = p;
    const char* name_start = p;
    if (!Is(*p, kNameStart)) {
      Error(line, absl::StrCat("expected a metric name, found '",
                               absl::string_view(p, std::min<size_t>(end - p, 32)), "'"));
      return;
    }
    if (known_name_.data() == p) {
      p += known_name_.size();
    } else {
      ++p;
      while (p < end && Is(*p, kNameChar)) ++p;
    }
    Sample sample;
    sample.name = absl::string_view(name_start, p - name_start);
    sample.line = line;
    label_start_ = out_->labels_.size();
    const char* after_name = p;
    while (p < end && IsBlank(*p)) ++p;
    if (p < end && *p == '{') {
      if (!ParseLabels(p, end, line)) {
        out_->labels_.resize(label_start_);
        return;
      }
    } else if (p != after_name) {
      p = after_name;  // the blank before the value is Token's to skip
    }
    sample.label_begin = static_cast<uint32_t>(label_start_);
    sample.label_count = static_cast<uint32_t>(out_->labels_.size() - label_start_);
    if (p < end && !IsBlank(*p)) {
      Error(line, absl::StrCat("unexpected '", absl::string_view(p, 1), "' after metric name '",
                               sample.name, "'"));
      out_->labels_.resize(label_start_);
      return;
    }
    absl::string_view value_text = Token(p, end);
    absl::string_view timestamp_text = Token(p, end);
    absl::string_view extra = Token(p, end);
    if (value_text.empty()) {
      Error(line, absl::StrCat("sample '", sample.name, "' has no value"));
    } else if (!ParseValue(value_text, &sample.value)) {
      Error(line, absl::StrCat("sample '", sample.name, "' has an invalid value '",
                               value_text.substr(0, 32), "'"));
    } else if (!timestamp_text.empty() && !ParseTimestamp(timestamp_text, &sample.timestamp_ms)) {
      Error(line, absl::StrCat("sample '", sample.name, "' has an invalid timestamp '",
                               timestamp_text.substr(0, 32), "'"));
    } else if (!extra.empty()) {
      Error(line,
            absl::StrCat("sample '", sample.name, "' has unexpected text after the ", "timestamp"));
    } else {
      sample.has_timestamp = !timestamp_text.empty();
      out_->samples_.push_back(sample);
      return;
    }
    out_->labels_.resize(label_start_);
  }

  absl::string_view body_;
  const FamilyFilter* const filter_;  // nullptr: every line
  Exposition* out_;
  absl::string_view last_name_;
  bool last_wanted_ = false;
  absl::string_view known_name_;  // a name Wanted has just matched, at its place in the line
  uint64_t seen_names_ = 0;       // see the duplicate check in ParseLabels
  size_t label_start_ = 0;
  const char* line_start_ = nullptr;
};

absl::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kUntyped:
      return "untyped";
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUnknown:
      return "unknown";
  }
  return "unknown";
}

FamilyFilter& FamilyFilter::AddName(absl::string_view name) {
  names_.emplace_back(name);
  return *this;
}

FamilyFilter& FamilyFilter::AddPrefix(absl::string_view prefix) {
  prefixes_.emplace_back(prefix);
  return *this;
}

bool FamilyFilter::Accepts(absl::string_view name) const {
  if (accepts_all()) return true;
  for (const std::string& prefix : prefixes_) {
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  for (const std::string& family : names_) {
    if (name.substr(0, family.size()) != family) continue;
    const absl::string_view suffix = name.substr(family.size());
    if (suffix.empty() || suffix == "_bucket" || suffix == "_sum" || suffix == "_count") {
      return true;
    }
  }
  return false;
}

Exposition Exposition::Parse(absl::string_view body) {
  Exposition exposition;
  ExpositionParser(body, nullptr, &exposition).Run();
  return exposition;
}

void Exposition::Reparse(absl::string_view body) { Reparse(body, FamilyFilter()); }

void Exposition::Clear() {
  samples_.clear();
  labels_.clear();
  families_.clear();
  unescaped_.clear();
  errors_.clear();
  error_count_ = 0;
  line_count_ = 0;
}

void Exposition::Reparse(absl::string_view body, const FamilyFilter& filter) {
  Clear();
  ExpositionParser(body, &filter, this).Run();
}

void Exposition::Reparse(absl::string_view body, const FamilyFilter& filter,
                         WorkerPool& workers, size_t min_piece_bytes) {
  // A few pieces per thread: kept families are not spread evenly over a body, and a thread
  // that is done takes the next piece.
  const size_t threads = static_cast<size_t>(workers.threads());
  const size_t count = std::min({body.size() / std::max<size_t>(min_piece_bytes, 1),
                                 4 * threads, kMaxPieces});
  if (threads < 2 || count < 2) {
    Reparse(body, filter);
    return;
  }
  // Piece k is [starts[k], starts[k + 1]): each cut is just after a newline.
  std::vector<size_t> starts(count + 1, body.size());
  starts[0] = 0;
  for (size_t k = 1; k < count; ++k) {
    const size_t from = std::max(k * (body.size() / count), starts[k - 1]);
    const size_t newline = body.find('\n', from);
    starts[k] = newline == absl::string_view::npos ? body.size() : newline + 1;
  }
  while (pieces_.size() < count - 1) pieces_.push_back(std::make_unique<Exposition>());
  Clear();
  workers.Run(count, [&](size_t k) {
    Exposition& out = k == 0 ? *this : *pieces_[k - 1];
    if (k != 0) out.Clear();
    ExpositionParser(body.substr(starts[k], starts[k + 1] - starts[k]), &filter, &out).Run();
  });
  JoinPieces(count - 1);
}

void Exposition::JoinPieces(size_t count) {
  size_t total = samples_.size();
  for (size_t k = 0; k < count; ++k) total += pieces_[k]->samples_.size();
  samples_.reserve(total);
  for (size_t k = 0; k < count; ++k) {
    const Exposition& piece = *pieces_[k];
    const uint32_t offset = static_cast<uint32_t>(line_count_);  // lines before this piece
    for (Sample sample : piece.samples_) {
      sample.line += offset;
      sample.piece = static_cast<uint8_t>(k + 1);
      samples_.push_back(sample);
    }
    // The piece's errors with the body's line numbers, and those only the whole body shows (a
    // family typed in an earlier piece and again in this one), in line order.
    std::vector<ParseError> errors;
    for (const ParseError& error : piece.errors_) {
      const size_t prefix = absl::StrCat("line ", error.line, ": ").size();
      errors.push_back(
          LineError(error.line + offset, absl::string_view(error.message).substr(prefix)));
    }
    size_t joined_errors = 0;
    for (MetricFamily family : piece.families_) {
      if (family.type_line != 0) family.type_line += offset;
      auto same = std::find_if(families_.begin(), families_.end(),
                               [&](const MetricFamily& f) { return f.name == family.name; });
      if (same == families_.end()) {
        families_.push_back(family);
        continue;
      }
      if (family.help.data() != nullptr) same->help = family.help;  // the last HELP wins
      if (family.type_text.empty()) continue;
      if (same->type_text.empty()) {
        same->type_text = family.type_text;
        same->type = family.type;
        same->type_line = family.type_line;
      } else {
        ++joined_errors;
        errors.push_back(LineError(family.type_line, SecondTypeLine(family.name)));
      }
    }
    std::stable_sort(errors.begin(), errors.end(),
                     [](const ParseError& a, const ParseError& b) { return a.line < b.line; });
    for (ParseError& error : errors) {
      if (errors_.size() >= kMaxKeptErrors) break;
      errors_.push_back(std::move(error));
    }
    error_count_ += piece.error_count_ + joined_errors;
    line_count_ += piece.line_count_;
  }
}

absl::string_view Exposition::LabelValue(const Sample& sample, absl::string_view name,
                                         absl::string_view fallback) const {
  const Label* label = LabelsOf(sample);
  for (uint32_t i = 0; i < sample.label_count; ++i) {
    // Length and first byte before memcmp (a call): label names mostly differ there.
    const absl::string_view n = label[i].name;
    if (n.size() == name.size() && !n.empty() && n[0] == name[0] && n == name) {
      return label[i].value;
    }
  }
  return fallback;
}

const MetricFamily* Exposition::FindFamily(absl::string_view name) const {
  for (const MetricFamily& family : families_) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

std::string Exposition::ErrorSummary() const {
  if (error_count_ == 0) return "";
  return absl::StrCat(error_count_, error_count_ == 1 ? " malformed line" : " malformed lines",
                      "; first: ", errors_.front().message);
}

}  // namespace gatehouse::prometheus
