// The operators of the condition language on values: equality with its asymmetric typing,
// numeric ordering, integer/float arithmetic. Shared by the evaluator, constant folding and the
// arithmetic functions. Errors are InvalidArgument with a message that does not yet name the
// sub-expression (the caller adds it). Nothing here allocates unless it returns an error.
#ifndef GATEHOUSE_CONDITIONS_SEMANTICS_H_
#define GATEHOUSE_CONDITIONS_SEMANTICS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace gatehouse::conditions {

enum class BinaryOp : uint8_t {
  kOr, kAnd, kGt, kLt, kGe, kLe, kNe, kEq, kAdd, kSub, kMul, kDiv, kMod,
};

absl::string_view BinaryOpText(BinaryOp op);  // "==", "and", ...
bool IsComparison(BinaryOp op);               // == != < <= > >=
bool IsArithmetic(BinaryOp op);               // + - * / %

// `left == right` as the language defines it (the left operand decides the typing).
absl::Status LanguageEqual(const Value& left, const Value& right, bool* equal);

// ==, !=, <, <=, >, >=.
absl::Status Compare(BinaryOp op, const Value& left, const Value& right, bool* result);

// +, -, *, /, % (ints stay ints; any float makes a float; by-zero is an error).
absl::Status Arithmetic(BinaryOp op, const Value& left, const Value& right, Value* result);

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_SEMANTICS_H_
