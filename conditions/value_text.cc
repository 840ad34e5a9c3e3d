#include "conditions/value_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace gatehouse::conditions {

std::string FormatFloatExponent(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[40];
  for (int precision = 0; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*E", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

void AppendStringified(const Value& value, std::string* out) {
  switch (value.type()) {
    case Value::Type::kNull:
      out->append("null");
      return;
    case Value::Type::kBool:
      out->append(value.as_bool() ? "true" : "false");
      return;
    case Value::Type::kInt:
      absl::StrAppend(out, value.as_int());
      return;
    case Value::Type::kDouble:
      out->append(FormatFloatExponent(value.as_double()));
      return;
    case Value::Type::kString:
      out->append(value.as_string());
      return;
    case Value::Type::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : value.as_list()) {
        if (!first) out->push_back(',');
        first = false;
        AppendStringified(item, out);
      }
      out->push_back(']');
      return;
    }
    case Value::Type::kMap: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.as_map()) {
        if (!first) out->push_back(',');
        first = false;
        absl::StrAppend(out, key, ":");
        AppendStringified(item, out);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string Stringify(const Value& value) {
  std::string out;
  AppendStringified(value, &out);
  return out;
}

namespace {

void AppendDescribed(const Value& value, std::string* out) {
  switch (value.type()) {
    case Value::Type::kString: {
      const std::string& s = value.as_string();
      const char quote = s.find('\'') == std::string::npos ? '\'' : '"';
      out->push_back(quote);
      out->append(s);
      out->push_back(quote);
      return;
    }
    case Value::Type::kDouble: {
      const double d = value.as_double();
      if (!std::isfinite(d)) {
        out->append(FormatFloatExponent(d));
        return;
      }
      std::string text = FormatShortestDouble(d);
      if (text.find_first_of(".eE") == std::string::npos) text.append(".0");
      out->append(text);
      return;
    }
    case Value::Type::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : value.as_list()) {
        if (!first) out->append(", ");
        first = false;
        AppendDescribed(item, out);
      }
      out->push_back(']');
      return;
    }
    case Value::Type::kMap: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.as_map()) {
        if (!first) out->append(", ");
        first = false;
        absl::StrAppend(out, "'", key, "': ");
        AppendDescribed(item, out);
      }
      out->push_back('}');
      return;
    }
    default:
      AppendStringified(value, out);
  }
}

}  // namespace

std::string Describe(const Value& value) {
  std::string out;
  AppendDescribed(value, &out);
  return out;
}

}  // namespace gatehouse::conditions
