#include "common/value_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gatehouse {

Value JsonToValue(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::boolean:
      return Value(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const uint64_t u = json.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value(static_cast<int64_t>(u));
      }
      return Value(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value(json.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      Value::List list;
      list.reserve(json.size());
      for (const auto& item : json) list.push_back(JsonToValue(item));
      return Value(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      Value::Map map;
      for (const auto& [key, item] : json.items()) map.emplace(key, JsonToValue(item));
      return Value(std::move(map));
    }
    default:  // null, discarded, binary
      return Value();
  }
}

nlohmann::json ValueToJson(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull:
      return nullptr;
    case Value::Type::kBool:
      return value.as_bool();
    case Value::Type::kInt:
      return value.as_int();
    case Value::Type::kDouble:
      if (!std::isfinite(value.as_double())) return nullptr;
      return value.as_double();
    case Value::Type::kString:
      return value.as_string();
    case Value::Type::kList: {
      nlohmann::json array = nlohmann::json::array();
      for (const Value& item : value.as_list()) array.push_back(ValueToJson(item));
      return array;
    }
    case Value::Type::kMap: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& [key, item] : value.as_map()) object[key] = ValueToJson(item);
      return object;
    }
  }
  return nullptr;
}

absl::StatusOr<Value> ParseJson(absl::string_view text) {
  // No exceptions: parse errors come back as a discarded value; the callback-free parser with
  // allow_exceptions=false never throws.
  nlohmann::json json = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    // Re-run to learn where (only on the error path); catch at the boundary.
    try {
      const nlohmann::json again = nlohmann::json::parse(text.begin(), text.end());
      (void)again;
    } catch (const nlohmann::json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", e.what()));
    }
    return absl::InvalidArgumentError("invalid JSON");
  }
  return JsonToValue(json);
}

}  // namespace gatehouse
