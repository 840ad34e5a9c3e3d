#include "conditions/diagnostic.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gatehouse::conditions {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

Diagnostic DiagnosticAt(absl::string_view source, size_t offset, std::string message) {
  offset = std::min(offset, source.size());
  Diagnostic diagnostic;
  diagnostic.line = 1;
  diagnostic.column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') {
      ++diagnostic.line;
      diagnostic.column = 1;
    } else if (!IsContinuationByte(source[i])) {
      ++diagnostic.column;
    }
  }
  diagnostic.message = std::move(message);
  return diagnostic;
}

std::string Diagnostic::Render(absl::string_view source) const {
  std::string out = absl::StrCat("line ", line, ", column ", column, ": ", message);
  // Find the line.
  size_t begin = 0;
  for (int current = 1; current < line && begin < source.size(); ++begin) {
    if (source[begin] == '\n') ++current;
  }
  if (begin > source.size()) return out;
  size_t end = source.find('\n', begin);
  if (end == absl::string_view::npos) end = source.size();
  absl::string_view text = source.substr(begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  absl::StrAppend(&out, "\n  ", text, "\n  ");
  // Pad with the line's own whitespace characters so tabs line up.
  int characters = 0;
  for (size_t i = 0; i < text.size() && characters < column - 1; ++i) {
    if (IsContinuationByte(text[i])) continue;
    out.push_back(text[i] == '\t' ? '\t' : ' ');
    ++characters;
  }
  for (; characters < column - 1; ++characters) out.push_back(' ');
  out.push_back('^');
  return out;
}

}  // namespace gatehouse::conditions
