#include "common/value_yaml.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gatehouse {
namespace {

constexpr int kMaxDepth = 512;

bool AllOf(absl::string_view text, bool (*predicate)(unsigned char)) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!predicate(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsOctal(unsigned char c) { return c >= '0' && c <= '7'; }
bool IsHex(unsigned char c) { return absl::ascii_isxdigit(c); }

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool IsCoreFloat(absl::string_view t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  size_t digits = 0;
  while (i < t.size() && IsDigit(t[i])) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    size_t fraction = 0;
    while (i < t.size() && IsDigit(t[i])) ++i, ++fraction;
    if (digits == 0 && fraction == 0) return false;
  } else if (digits == 0) {
    return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t exponent = 0;
    while (i < t.size() && IsDigit(t[i])) ++i, ++exponent;
    if (exponent == 0) return false;
  }
  return i == t.size();
}

Value ParseUnsignedBase(absl::string_view digits, int base, bool negative) {
  uint64_t magnitude = 0;
  bool overflow = false;
  for (char c : digits) {
    const int digit = absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
    if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / base) overflow = true;
    magnitude = magnitude * base + digit;
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (overflow || magnitude > limit) {
    double d = 0;
    for (char c : digits) {
      d = d * base + (absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10);
    }
    return Value(negative ? -d : d);
  }
  return Value(negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude));
}

absl::Status Error(const YAML::Mark& mark, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", mark.line + 1, ", column ", mark.column + 1, ": ", message));
}

absl::StatusOr<Value> Convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) {
    return Error(node.Mark(), absl::StrCat("nested more than ", kMaxDepth, " levels deep"));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Value();
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const bool quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
      return YamlScalarToValue(node.Scalar(), quoted);
    }
    case YAML::NodeType::Sequence: {
      Value::List list;
      list.reserve(node.size());
      for (const YAML::Node& item : node) {
        absl::StatusOr<Value> converted = Convert(item, depth + 1);
        if (!converted.ok()) return converted.status();
        list.push_back(*std::move(converted));
      }
      return Value(std::move(list));
    }
    case YAML::NodeType::Map: {
      Value::Map map;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar() && !entry.first.IsNull()) {
          return Error(entry.first.Mark(), "a mapping key must be a scalar");
        }
        const std::string key = entry.first.IsNull() ? "" : entry.first.Scalar();
        absl::StatusOr<Value> converted = Convert(entry.second, depth + 1);
        if (!converted.ok()) return converted.status();
        map.insert_or_assign(key, *std::move(converted));
      }
      return Value(std::move(map));
    }
  }
  return Value();
}

}  // namespace

Value YamlScalarToValue(absl::string_view text, bool quoted) {
  if (quoted) return Value(text);
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return Value();
  }
  if (text == "true" || text == "True" || text == "TRUE") return Value(true);
  if (text == "false" || text == "False" || text == "FALSE") return Value(false);
  // Ints: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
  {
    absl::string_view t = text;
    bool negative = false;
    if (t[0] == '-' || t[0] == '+') {
      negative = t[0] == '-';
      t.remove_prefix(1);
    }
    if (AllOf(t, IsDigit)) return ParseUnsignedBase(t, 10, negative);
  }
  if (text.size() > 2 && text[0] == '0' && text[1] == 'o' && AllOf(text.substr(2), IsOctal)) {
    return ParseUnsignedBase(text.substr(2), 8, false);
  }
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x' && AllOf(text.substr(2), IsHex)) {
    return ParseUnsignedBase(text.substr(2), 16, false);
  }
  if (IsCoreFloat(text)) {
    double d = 0;
    if (absl::SimpleAtod(text, &d)) return Value(d);
  }
  for (absl::string_view inf : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == inf) return Value(std::numeric_limits<double>::infinity());
  }
  for (absl::string_view inf : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == inf) return Value(-std::numeric_limits<double>::infinity());
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    return Value(std::numeric_limits<double>::quiet_NaN());
  }
  return Value(text);
}

absl::StatusOr<Value> YamlToValue(const YAML::Node& node) {
  try {
    return Convert(node, 0);
  } catch (const YAML::Exception& e) {
    return Error(e.mark, e.msg);
  }
}

absl::StatusOr<Value> ParseYamlOrJson(absl::string_view text) {
  try {
    const YAML::Node node = YAML::Load(std::string(text));
    return Convert(node, 0);
  } catch (const YAML::Exception& e) {
    return Error(e.mark, e.msg);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("invalid YAML: ", e.what()));
  }
}

}  // namespace gatehouse
