#include "inputs/common/prometheus/exposition_dump.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"

namespace gatehouse::prometheus {

std::string DumpExposition(const Exposition& e) {
  std::string out;
  for (const Sample& s : e.samples()) {
    absl::StrAppend(&out, "sample line=", s.line, " ", s.name, "{");
    for (const Label& label : e.labels(s)) {
      absl::StrAppend(&out, label.name, "=", absl::CHexEscape(label.value), ",");
    }
    // %a: every double exactly, NaN and infinities included.
    absl::StrAppend(&out, "} ", absl::StrFormat("%a", s.value),
                    s.has_timestamp ? absl::StrCat(" @", s.timestamp_ms) : "", "\n");
  }
  for (const MetricFamily& f : e.families()) {
    absl::StrAppend(&out, "family ", f.name, " type=", MetricTypeName(f.type), " text=",
                    f.type_text, " type_line=", f.type_line,
                    f.help.data() == nullptr ? " no help" : " help=", absl::CHexEscape(f.help),
                    "\n");
  }
  absl::StrAppend(&out, "errors=", e.error_count(), " lines=", e.line_count(), "\n");
  for (const ParseError& error : e.errors()) {
    absl::StrAppend(&out, "error ", error.line, " ", error.message, "\n");
  }
  return out;
}

}  // namespace gatehouse::prometheus
