#include "common/value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace gatehouse {

const std::string& Value::EmptyString() {
  static const auto* kEmpty = new std::string();
  return *kEmpty;
}
const Value::List& Value::EmptyList() {
  static const auto* kEmpty = new List();
  return *kEmpty;
}
const Value::Map& Value::EmptyMap() {
  static const auto* kEmpty = new Map();
  return *kEmpty;
}

Value::Value(std::string s)
    : type_(Type::kString), heap_(std::make_shared<const std::string>(std::move(s))) {}
Value::Value(List list)
    : type_(Type::kList), heap_(std::make_shared<const List>(std::move(list))) {}
Value::Value(Map map) : type_(Type::kMap), heap_(std::make_shared<const Map>(std::move(map))) {}

const Value* Value::Find(absl::string_view key) const {
  if (type_ != Type::kMap) return nullptr;
  const Map& map = as_map();
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

const Value* Value::FindPath(absl::string_view dotted_path) const {
  if (const Value* exact = Find(dotted_path)) return exact;
  // Try the longest prefix that is a key, then descend.
  for (size_t dot = dotted_path.rfind('.'); dot != absl::string_view::npos && dot > 0;
       dot = dotted_path.rfind('.', dot - 1)) {
    if (const Value* head = Find(dotted_path.substr(0, dot))) {
      if (const Value* found = head->FindPath(dotted_path.substr(dot + 1))) return found;
    }
    if (dot == 0) break;
  }
  return nullptr;
}

bool Value::operator==(const Value& other) const {
  if (Identical(other)) return true;  // decides scalars, and shared storage
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kString:
      return as_string() == other.as_string();
    case Type::kList:
      return as_list() == other.as_list();
    case Type::kMap:
      return as_map() == other.as_map();
    default:
      return false;
  }
}

absl::string_view Value::TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kDouble:
      return "float";
    case Type::kString:
      return "string";
    case Type::kList:
      return "array";
    case Type::kMap:
      return "dict";
  }
  return "unknown";
}

std::string FormatShortestDouble(double v) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void Value::AppendJson(std::string* out) const {
  switch (type_) {
    case Type::kNull:
      out->append("null");
      return;
    case Type::kBool:
      out->append(scalar_.b ? "true" : "false");
      return;
    case Type::kInt:
      absl::StrAppend(out, scalar_.i);
      return;
    case Type::kDouble: {
      if (!std::isfinite(scalar_.d)) {
        out->append("null");
        return;
      }
      const std::string formatted = FormatShortestDouble(scalar_.d);
      absl::string_view text(formatted);
      out->append(text.data(), text.size());
      if (text.find_first_of(".eEn") == absl::string_view::npos) out->append(".0");
      return;
    }
    case Type::kString:
      AppendJsonString(as_string(), out);
      return;
    case Type::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : as_list()) {
        if (!first) out->push_back(',');
        first = false;
        item.AppendJson(out);
      }
      out->push_back(']');
      return;
    }
    case Type::kMap: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : as_map()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(key, out);
        out->push_back(':');
        item.AppendJson(out);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string Value::ToJson() const {
  std::string out;
  AppendJson(&out);
  return out;
}

}  // namespace gatehouse
