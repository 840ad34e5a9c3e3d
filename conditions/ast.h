// The syntax tree the parser builds and the planner consumes. Internal to conditions/.
#ifndef GATEHOUSE_CONDITIONS_AST_H_
#define GATEHOUSE_CONDITIONS_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "common/value.h"
#include "conditions/semantics.h"

namespace gatehouse::conditions {

// One alternative of `${a.b|'x'|2}`: a dotted variable path or a typed constant.
struct Alternative {
  bool is_constant = false;
  std::string path;  // when !is_constant
  Value constant;    // when is_constant
};

struct Node {
  enum class Kind { kConstant, kVariable, kNot, kBinary, kCall };
  Kind kind = Kind::kConstant;
  // Byte range of the node's text in the source: messages quote it.
  size_t begin = 0;
  size_t end = 0;
  int depth = 1;  // height of this subtree

  Value constant;                         // kConstant
  std::vector<Alternative> alternatives;  // kVariable
  BinaryOp op = BinaryOp::kEq;            // kBinary
  std::string name;                       // kCall: function name
  size_t name_end = 0;                    // kCall: end of the name (for "unknown function")
  std::vector<std::unique_ptr<Node>> children;  // kNot: 1, kBinary: 2, kCall: the arguments
};

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_AST_H_
