// Where a condition fails to compile, rendered for the person who wrote it.
#ifndef GATEHOUSE_CONDITIONS_DIAGNOSTIC_H_
#define GATEHOUSE_CONDITIONS_DIAGNOSTIC_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gatehouse::conditions {

// A compile error's position: 1-based line and column (columns count characters, not bytes)
// in the condition text. Value type.
struct Diagnostic {
  int line = 0;
  int column = 0;
  std::string message;

  // "line 1, column 12: unknown function 'fo'\n  fo(1)\n  ^": the message, then the offending
  // line of `source` with a caret under the column.
  std::string Render(absl::string_view source) const;
};

// The 1-based line and character column of byte `offset` in `source`.
Diagnostic DiagnosticAt(absl::string_view source, size_t offset, std::string message);

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_DIAGNOSTIC_H_
