// Builds the syntax tree of a condition (precedence climbing over the reference's table).
// Internal to conditions/.
#ifndef GATEHOUSE_CONDITIONS_PARSER_H_
#define GATEHOUSE_CONDITIONS_PARSER_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "conditions/ast.h"

namespace gatehouse::conditions {

struct ParseError {
  size_t offset = 0;
  std::string message;
};

// The tree, or null with *error set. Nesting deeper than kMaxNestingDepth is an error, so
// neither this nor the planner can overflow the stack.
std::unique_ptr<Node> Parse(absl::string_view source, ParseError* error);

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_PARSER_H_
