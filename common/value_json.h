// nlohmann::json <-> Value, both directions. Integers stay ints, floats stay doubles.
#ifndef GATEHOUSE_COMMON_VALUE_JSON_H_
#define GATEHOUSE_COMMON_VALUE_JSON_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"
#include "nlohmann/json.hpp"

namespace gatehouse {

// Unsigned integers above INT64_MAX become doubles; binary values become null.
Value JsonToValue(const nlohmann::json& json);

// NaN and infinities become null (JSON has no spelling for them).
nlohmann::json ValueToJson(const Value& value);

// Parses JSON text; a syntax error is InvalidArgument naming the byte offset. Never throws.
absl::StatusOr<Value> ParseJson(absl::string_view text);

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_VALUE_JSON_H_
