// The 16 functions of the language, with the reference's argument rules. Arity is checked at
// compile time (FunctionSpec), types here. Messages start with the function name; the
// evaluator prefixes the call's text.
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conditions/function_registry.h"
#include "conditions/semantics.h"
#include "conditions/value_text.h"
#include "re2/re2.h"

namespace gatehouse::conditions {
namespace {

using Args = absl::Span<const Value* const>;

absl::Status Error(absl::string_view function, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(function, ": ", what));
}

// The text of a value for the string functions: a string is borrowed, anything else is
// stringified into *storage (the only allocation those functions make).
absl::string_view TextOf(const Value& value, std::string* storage) {
  if (value.is_string()) return value.as_string();
  *storage = Stringify(value);
  return *storage;
}

absl::Status ArrayContains(Args args, Value* result) {
  const Value& array = *args[0];
  if (array.is_null()) {
    *result = Value(false);
    return absl::OkStatus();
  }
  if (!array.is_list()) {
    return Error("arrayContains",
                 absl::StrCat("the first argument must be an array, got ", array.type_name()));
  }
  for (size_t i = 1; i < args.size(); ++i) {
    for (const Value& element : array.as_list()) {
      if (element == *args[i]) {  // same type and value: 1 is not 1.0
        *result = Value(true);
        return absl::OkStatus();
      }
    }
  }
  *result = Value(false);
  return absl::OkStatus();
}

absl::Status HasKey(Args args, Value* result) {
  const Value& dict = *args[0];
  if (!dict.is_null() && !dict.is_map()) {
    return Error("hasKey",
                 absl::StrCat("the first argument must be a dict, got ", dict.type_name()));
  }
  bool found = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i]->is_string()) {
      return Error("hasKey", absl::StrCat("argument ", i + 1, " must be a string key, got ",
                                          args[i]->type_name()));
    }
    if (!found && dict.Find(args[i]->as_string()) != nullptr) found = true;
  }
  *result = Value(found);
  return absl::OkStatus();
}

absl::Status Length(Args args, Value* result) {
  const Value& value = *args[0];
  switch (value.type()) {
    case Value::Type::kNull:
      *result = Value(0);
      return absl::OkStatus();
    case Value::Type::kString:
      *result = Value(static_cast<int64_t>(value.as_string().size()));
      return absl::OkStatus();
    case Value::Type::kList:
      *result = Value(static_cast<int64_t>(value.as_list().size()));
      return absl::OkStatus();
    case Value::Type::kMap:
      *result = Value(static_cast<int64_t>(value.as_map().size()));
      return absl::OkStatus();
    default:
      return Error("length", absl::StrCat("cannot take the length of ", value.type_name()));
  }
}

template <BinaryOp kOp>
absl::Status ArithmeticFunction(Args args, Value* result) {
  return Arithmetic(kOp, *args[0], *args[1], result);
}

absl::Status Concat(Args args, Value* result) {
  std::string out;
  for (const Value* arg : args) AppendStringified(*arg, &out);
  *result = Value(std::move(out));
  return absl::OkStatus();
}

enum class StringTest { kStartsWith, kEndsWith, kContains };

template <StringTest kTest>
absl::Status StringPredicate(Args args, Value* result) {
  std::string storage0;
  std::string storage1;
  const absl::string_view text = TextOf(*args[0], &storage0);
  const absl::string_view part = TextOf(*args[1], &storage1);
  switch (kTest) {
    case StringTest::kStartsWith:
      *result = Value(absl::StartsWith(text, part));
      break;
    case StringTest::kEndsWith:
      *result = Value(absl::EndsWith(text, part));
      break;
    case StringTest::kContains:
      *result = Value(absl::StrContains(text, part));
      break;
  }
  return absl::OkStatus();
}

absl::Status IndexOf(Args args, Value* result) {
  std::string storage0;
  std::string storage1;
  const absl::string_view text = TextOf(*args[0], &storage0);
  const absl::string_view part = TextOf(*args[1], &storage1);
  int64_t start = 0;
  if (args.size() > 2) {
    if (!args[2]->is_int()) {
      return Error("indexOf",
                   absl::StrCat("the start must be an int, got ", args[2]->type_name()));
    }
    start = args[2]->as_int();
    if (start < 0 || start > static_cast<int64_t>(text.size())) {
      return Error("indexOf", absl::StrCat("start ", start, " is outside the string (",
                                           text.size(), " bytes)"));
    }
  }
  const size_t found = text.find(part, static_cast<size_t>(start));
  // Not found: -1 from the start, which is start - 1 when a start was given (Elastic Agent's
  // arithmetic, kept for compatibility).
  *result = Value(found == absl::string_view::npos ? start - 1 : static_cast<int64_t>(found));
  return absl::OkStatus();
}

absl::Status Match(Args args, Value* result) {
  if (!args[0]->is_string()) {
    return Error("match",
                 absl::StrCat("the first argument must be a string, got ", args[0]->type_name()));
  }
  const re2::StringPiece text(args[0]->as_string().data(), args[0]->as_string().size());
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i]->is_string()) {
      return Error("match", absl::StrCat("argument ", i + 1, " must be a string pattern, got ",
                                         args[i]->type_name()));
    }
    RE2::Options options;
    options.set_log_errors(false);
    RE2 regex(args[i]->as_string(), options);
    if (!regex.ok()) {
      return Error("match", absl::StrCat("invalid pattern '", args[i]->as_string(),
                                         "': ", regex.error()));
    }
    if (RE2::PartialMatch(text, regex)) {
      *result = Value(true);
      return absl::OkStatus();
    }
  }
  *result = Value(false);
  return absl::OkStatus();
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

absl::Status Number(Args args, Value* result) {
  if (!args[0]->is_string()) {
    return Error("number",
                 absl::StrCat("the first argument must be a string, got ", args[0]->type_name()));
  }
  int64_t base = 10;
  if (args.size() > 1) {
    if (!args[1]->is_int()) {
      return Error("number", absl::StrCat("the base must be an int, got ", args[1]->type_name()));
    }
    base = args[1]->as_int();
    if (base < 2 || base > 36) {
      return Error("number", absl::StrCat("the base must be between 2 and 36, got ", base));
    }
  }
  absl::string_view text = args[0]->as_string();
  if (absl::StartsWith(text, "0x")) text.remove_prefix(2);  // as Elastic Agent does
  const std::string shown(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return Error("number", absl::StrCat("'", shown, "' is not a number in base ", base));
  }
  // Accumulate negatively so INT64_MIN parses.
  int64_t value = 0;
  for (char c : text) {
    const int digit = DigitValue(c);
    if (digit >= base) {
      return Error("number", absl::StrCat("'", shown, "' is not a number in base ", base));
    }
    if (value < (INT64_MIN + digit) / base) {
      return Error("number", absl::StrCat("'", shown, "' does not fit in a 64-bit integer"));
    }
    value = value * base - digit;
  }
  if (!negative) {
    if (value == INT64_MIN) {
      return Error("number", absl::StrCat("'", shown, "' does not fit in a 64-bit integer"));
    }
    value = -value;
  }
  *result = Value(value);
  return absl::OkStatus();
}

absl::Status String(Args args, Value* result) {
  if (args[0]->is_string()) {
    *result = *args[0];  // shares the buffer: no copy
    return absl::OkStatus();
  }
  *result = Value(Stringify(*args[0]));
  return absl::OkStatus();
}

}  // namespace

absl::Status RegisterBuiltinFunctions(FunctionRegistry* registry) {
  const FunctionSpec specs[] = {
      {"arrayContains", 2, kVariadic, true, ArrayContains},
      {"hasKey", 2, kVariadic, true, HasKey},
      {"length", 1, 1, true, Length},
      {"add", 2, 2, true, ArithmeticFunction<BinaryOp::kAdd>},
      {"subtract", 2, 2, true, ArithmeticFunction<BinaryOp::kSub>},
      {"multiply", 2, 2, true, ArithmeticFunction<BinaryOp::kMul>},
      {"divide", 2, 2, true, ArithmeticFunction<BinaryOp::kDiv>},
      {"modulo", 2, 2, true, ArithmeticFunction<BinaryOp::kMod>},
      {"concat", 0, kVariadic, true, Concat},
      {"startsWith", 2, 2, true, StringPredicate<StringTest::kStartsWith>},
      {"endsWith", 2, 2, true, StringPredicate<StringTest::kEndsWith>},
      {"stringContains", 2, 2, true, StringPredicate<StringTest::kContains>},
      {"indexOf", 2, 3, true, IndexOf},
      {"match", 2, kVariadic, true, Match},
      {"number", 1, 2, true, Number},
      {"string", 1, 1, true, String},
  };
  for (const FunctionSpec& spec : specs) {
    if (absl::Status status = registry->Register(spec); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace gatehouse::conditions
