#include "conditions/semantics.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace gatehouse::conditions {
namespace {

// Equality inside arrays and dicts: numbers numerically, everything else by type and value.
// Never an error (an int beside a string inside two arrays is simply unequal).
bool NestedEqual(const Value& left, const Value& right) {
  if (left.is_number() && right.is_number()) {
    if (left.is_int() && right.is_int()) return left.as_int() == right.as_int();
    return left.as_number() == right.as_number();
  }
  if (left.type() != right.type()) return false;
  switch (left.type()) {
    case Value::Type::kList: {
      const Value::List& a = left.as_list();
      const Value::List& b = right.as_list();
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!NestedEqual(a[i], b[i])) return false;
      }
      return true;
    }
    case Value::Type::kMap: {
      const Value::Map& a = left.as_map();
      const Value::Map& b = right.as_map();
      if (a.size() != b.size()) return false;
      for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia->first != ib->first) return false;
      }
      for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        if (!NestedEqual(ia->second, ib->second)) return false;
      }
      return true;
    }
    default:
      return left == right;
  }
}

absl::Status TypeError(absl::string_view what, const Value& left, const Value& right) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " ", left.type_name(), " to ", right.type_name()));
}

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

}  // namespace

absl::string_view BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "or";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
  }
  return "?";
}

bool IsComparison(BinaryOp op) {
  return op == BinaryOp::kGt || op == BinaryOp::kLt || op == BinaryOp::kGe ||
         op == BinaryOp::kLe || op == BinaryOp::kNe || op == BinaryOp::kEq;
}

bool IsArithmetic(BinaryOp op) {
  return op == BinaryOp::kAdd || op == BinaryOp::kSub || op == BinaryOp::kMul ||
         op == BinaryOp::kDiv || op == BinaryOp::kMod;
}

absl::Status LanguageEqual(const Value& left, const Value& right, bool* equal) {
  switch (left.type()) {
    case Value::Type::kNull:
      *equal = right.is_null();
      return absl::OkStatus();
    case Value::Type::kInt:
    case Value::Type::kDouble:
      if (right.is_number()) {
        *equal = left.is_int() && right.is_int() ? left.as_int() == right.as_int()
                                                 : left.as_number() == right.as_number();
        return absl::OkStatus();
      }
      if (right.is_string() || right.is_bool()) return TypeError("cannot compare", left, right);
      *equal = false;  // null, array, dict
      return absl::OkStatus();
    case Value::Type::kBool:
      *equal = right.is_bool() && left.as_bool() == right.as_bool();
      return absl::OkStatus();
    case Value::Type::kString:
      *equal = right.is_string() && left.as_string() == right.as_string();
      return absl::OkStatus();
    case Value::Type::kList:
    case Value::Type::kMap:
      *equal = NestedEqual(left, right);
      return absl::OkStatus();
  }
  *equal = false;
  return absl::OkStatus();
}

absl::Status Compare(BinaryOp op, const Value& left, const Value& right, bool* result) {
  if (op == BinaryOp::kEq || op == BinaryOp::kNe) {
    bool equal = false;
    if (absl::Status status = LanguageEqual(left, right, &equal); !status.ok()) return status;
    *result = (op == BinaryOp::kEq) == equal;
    return absl::OkStatus();
  }
  if (!left.is_number() || !right.is_number()) {
    return absl::InvalidArgumentError(absl::StrCat("'", BinaryOpText(op), "' needs numbers, got ",
                                                   left.type_name(), " and ", right.type_name()));
  }
  if (left.is_int() && right.is_int()) {
    const int64_t a = left.as_int();
    const int64_t b = right.as_int();
    switch (op) {
      case BinaryOp::kLt: *result = a < b; break;
      case BinaryOp::kLe: *result = a <= b; break;
      case BinaryOp::kGt: *result = a > b; break;
      default: *result = a >= b; break;
    }
    return absl::OkStatus();
  }
  const double a = left.as_number();
  const double b = right.as_number();
  switch (op) {
    case BinaryOp::kLt: *result = a < b; break;
    case BinaryOp::kLe: *result = a <= b; break;
    case BinaryOp::kGt: *result = a > b; break;
    default: *result = a >= b; break;
  }
  return absl::OkStatus();
}

absl::Status Arithmetic(BinaryOp op, const Value& left, const Value& right, Value* result) {
  if (!left.is_number() || !right.is_number()) {
    return absl::InvalidArgumentError(absl::StrCat("'", BinaryOpText(op), "' needs numbers, got ",
                                                   left.type_name(), " and ", right.type_name()));
  }
  if (op == BinaryOp::kMod) {
    if (!left.is_int() || !right.is_int()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'%' needs integers, got ", left.type_name(), " and ", right.type_name()));
    }
    if (right.as_int() == 0) return absl::InvalidArgumentError("modulo by zero");
    // INT64_MIN % -1 overflows in C++; mathematically it is 0.
    *result = Value(right.as_int() == -1 ? int64_t{0} : left.as_int() % right.as_int());
    return absl::OkStatus();
  }
  if (left.is_int() && right.is_int()) {
    const int64_t a = left.as_int();
    const int64_t b = right.as_int();
    switch (op) {
      case BinaryOp::kAdd: *result = Value(WrapAdd(a, b)); break;
      case BinaryOp::kSub: *result = Value(WrapSub(a, b)); break;
      case BinaryOp::kMul: *result = Value(WrapMul(a, b)); break;
      default:
        if (b == 0) return absl::InvalidArgumentError("division by zero");
        *result = Value(b == -1 ? WrapSub(0, a) : a / b);  // INT64_MIN / -1 wraps, as in Go
        break;
    }
    return absl::OkStatus();
  }
  const double a = left.as_number();
  const double b = right.as_number();
  switch (op) {
    case BinaryOp::kAdd: *result = Value(a + b); break;
    case BinaryOp::kSub: *result = Value(a - b); break;
    case BinaryOp::kMul: *result = Value(a * b); break;
    default:
      if (b == 0) return absl::InvalidArgumentError("division by zero");
      *result = Value(a / b);
      break;
  }
  return absl::OkStatus();
}

}  // namespace gatehouse::conditions
