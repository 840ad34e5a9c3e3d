#include "agent/registry/options.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace gatehouse {
namespace {

// Largest duration or size we accept: well inside int64 and any sane configuration.
constexpr double kMaxMagnitude = 9.0e15;

absl::Status OptionError(absl::string_view owner, absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(owner, ": option '", key, "' ", what));
}

// Reads a leading unsigned decimal number ("1", "1.5", ".5") from `text`, advancing it.
bool ConsumeNumber(absl::string_view* text, double* number) {
  size_t end = 0;
  bool digits = false;
  while (end < text->size() && absl::ascii_isdigit((*text)[end])) ++end, digits = true;
  if (end < text->size() && (*text)[end] == '.') {
    ++end;
    while (end < text->size() && absl::ascii_isdigit((*text)[end])) ++end, digits = true;
  }
  if (!digits) return false;
  if (!absl::SimpleAtod(text->substr(0, end), number)) return false;
  text->remove_prefix(end);
  return true;
}

// Milliseconds per Go duration unit.
bool DurationUnitMillis(absl::string_view unit, double* millis) {
  if (unit == "ns") *millis = 1e-6;
  else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") *millis = 1e-3;
  else if (unit == "ms") *millis = 1;
  else if (unit == "s") *millis = 1e3;
  else if (unit == "m") *millis = 60e3;
  else if (unit == "h") *millis = 3600e3;
  else return false;
  return true;
}

bool SizeUnitBytes(absl::string_view unit, double* bytes) {
  const std::string u = absl::AsciiStrToLower(unit);
  if (u.empty() || u == "b") *bytes = 1;
  else if (u == "k" || u == "kib") *bytes = 1024.0;
  else if (u == "m" || u == "mib") *bytes = 1024.0 * 1024;
  else if (u == "g" || u == "gib") *bytes = 1024.0 * 1024 * 1024;
  else if (u == "t" || u == "tib") *bytes = 1024.0 * 1024 * 1024 * 1024;
  else if (u == "kb") *bytes = 1e3;
  else if (u == "mb") *bytes = 1e6;
  else if (u == "gb") *bytes = 1e9;
  else if (u == "tb") *bytes = 1e12;
  else return false;
  return true;
}

// Converts one value to the spec's type; `what` is returned on mismatch ("must be ...").
absl::StatusOr<Value> Convert(const Value& value, OptionType type) {
  auto mismatch = [&]() {
    return absl::InvalidArgumentError(absl::StrCat("must be a ", OptionTypeName(type), ", got ",
                                                   value.type_name(),
                                                   value.is_string() ? " '" : "",
                                                   value.is_string() ? value.as_string() : "",
                                                   value.is_string() ? "'" : ""));
  };
  switch (type) {
    case OptionType::kAny:
      return value;
    case OptionType::kBool:
      if (value.is_bool()) return value;
      if (value.is_string()) {
        const std::string s = absl::AsciiStrToLower(value.as_string());
        if (s == "true") return Value(true);
        if (s == "false") return Value(false);
      }
      return mismatch();
    case OptionType::kInt: {
      if (value.is_int()) return value;
      if (value.is_double() && std::trunc(value.as_double()) == value.as_double() &&
          std::fabs(value.as_double()) < kMaxMagnitude) {
        return Value(static_cast<int64_t>(value.as_double()));
      }
      int64_t parsed;
      if (value.is_string() && absl::SimpleAtoi(value.as_string(), &parsed)) return Value(parsed);
      return mismatch();
    }
    case OptionType::kDouble: {
      if (value.is_number()) return Value(value.as_number());
      double parsed;
      if (value.is_string() && absl::SimpleAtod(value.as_string(), &parsed)) return Value(parsed);
      return mismatch();
    }
    case OptionType::kString:
      if (value.is_string()) return value;
      if (value.is_int()) return Value(absl::StrCat(value.as_int()));
      if (value.is_double()) return Value(FormatShortestDouble(value.as_double()));
      if (value.is_bool()) return Value(value.as_bool() ? "true" : "false");
      return mismatch();
    case OptionType::kDuration: {
      if (value.is_number()) {
        const double millis = value.as_number() * 1000;
        if (millis < 0 || millis > kMaxMagnitude) return mismatch();
        return Value(static_cast<int64_t>(std::llround(millis)));
      }
      if (!value.is_string()) return mismatch();
      auto millis = ParseDurationMillis(value.as_string());
      if (!millis.ok()) return millis.status();
      return Value(*millis);
    }
    case OptionType::kSize: {
      if (value.is_int() && value.as_int() >= 0) return value;
      if (!value.is_string()) return mismatch();
      auto bytes = ParseSizeBytes(value.as_string());
      if (!bytes.ok()) return bytes.status();
      return Value(*bytes);
    }
    case OptionType::kList:
      if (value.is_list()) return value;
      return mismatch();
    case OptionType::kMap:
      if (value.is_map()) return value;
      return mismatch();
  }
  return mismatch();
}

// Finds `dotted` in `config`, nested ({ssl: {ca_file}}) or spelled with dots ("ssl.ca_file").
const Value* FindOption(const Value& config, absl::string_view dotted) {
  return config.FindPath(dotted);
}

// Sets `value` at `parts` inside `map`, creating intermediate maps.
void SetPath(Value::Map& map, absl::Span<const std::string> parts, Value value) {
  if (parts.size() == 1) {
    map.insert_or_assign(parts[0], std::move(value));
    return;
  }
  Value::Map inner;
  auto it = map.find(parts[0]);
  if (it != map.end() && it->second.is_map()) inner = it->second.as_map();
  SetPath(inner, parts.subspan(1), std::move(value));
  map.insert_or_assign(parts[0], Value(std::move(inner)));
}

// Rejects keys of `map` (at `prefix`) that no spec names and that are not passthrough keys.
absl::Status CheckUnknown(const Value::Map& map, const std::string& prefix,
                          const std::set<std::string>& names,
                          absl::Span<const std::string> passthrough, absl::string_view owner) {
  for (const auto& [key, value] : map) {
    const std::string full = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
    if (names.count(full) > 0) continue;
    if (prefix.empty() &&
        std::find(passthrough.begin(), passthrough.end(), key) != passthrough.end()) {
      continue;
    }
    auto nested = names.lower_bound(full + ".");
    const bool is_parent = nested != names.end() && absl::StartsWith(*nested, full + ".");
    if (is_parent && value.is_map()) {
      RETURN_IF_ERROR(CheckUnknown(value.as_map(), full, names, passthrough, owner));
      continue;
    }
    if (is_parent) return OptionError(owner, full, absl::StrCat("must be a map, got ",
                                                                value.type_name()));
    std::string known = absl::StrJoin(names, ", ");
    return absl::InvalidArgumentError(absl::StrCat(owner, ": unknown option '", full, "'",
                                                   known.empty() ? " (it takes no options)"
                                                                 : absl::StrCat(" (known: ", known,
                                                                                ")")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view OptionTypeName(OptionType type) {
  switch (type) {
    case OptionType::kBool:
      return "bool";
    case OptionType::kInt:
      return "int";
    case OptionType::kDouble:
      return "double";
    case OptionType::kString:
      return "string";
    case OptionType::kDuration:
      return "duration";
    case OptionType::kSize:
      return "size";
    case OptionType::kList:
      return "list";
    case OptionType::kMap:
      return "map";
    case OptionType::kAny:
      return "any";
  }
  return "unknown";
}

namespace {

// A `${` that is not the escape `$${`.
bool HasReference(const Value& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.as_string();
  for (size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
    if (at == 0 || text[at - 1] != '$') return true;
  }
  return false;
}

absl::StatusOr<Value> ApplyOptionsImpl(const Value& config, absl::Span<const OptionSpec> table,
                                       absl::string_view owner,
                                       absl::Span<const std::string> passthrough_keys,
                                       bool defer_references) {
  if (!config.is_null() && !config.is_map()) {
    return absl::InvalidArgumentError(
        absl::StrCat(owner, ": options must be a map, got ", config.type_name()));
  }
  std::set<std::string> names;
  for (const OptionSpec& spec : table) names.insert(spec.name);
  const Value::Map empty;
  const Value::Map& input = config.is_map() ? config.as_map() : empty;
  RETURN_IF_ERROR(CheckUnknown(input, "", names, passthrough_keys, owner));

  Value::Map out = input;
  for (const OptionSpec& spec : table) {
    const Value* given = FindOption(config, spec.name);
    // A dotted key spelled literally is rewritten as nested maps below.
    if (spec.name.find('.') != std::string::npos) out.erase(spec.name);
    const Value* source = given != nullptr ? given : nullptr;
    if (source == nullptr && !spec.default_value.is_null()) source = &spec.default_value;
    if (source == nullptr || source->is_null()) {
      if (spec.required) {
        return absl::InvalidArgumentError(
            absl::StrCat(owner, ": missing required option '", spec.name, "'"));
      }
      continue;
    }
    std::vector<std::string> parts = absl::StrSplit(spec.name, '.');
    if (defer_references && HasReference(*source)) {
      SetPath(out, parts, *source);
      continue;
    }
    absl::StatusOr<Value> converted = Convert(*source, spec.type);
    if (!converted.ok()) {
      return OptionError(owner, spec.name, converted.status().message());
    }
    SetPath(out, parts, *std::move(converted));
  }
  return Value(std::move(out));
}

}  // namespace

absl::StatusOr<Value> ApplyOptions(const Value& config, absl::Span<const OptionSpec> table,
                                   absl::string_view owner,
                                   absl::Span<const std::string> passthrough_keys) {
  return ApplyOptionsImpl(config, table, owner, passthrough_keys, /*defer_references=*/false);
}

absl::StatusOr<Value> ApplyOptionsBeforeSubstitution(
    const Value& config, absl::Span<const OptionSpec> table, absl::string_view owner,
    absl::Span<const std::string> passthrough_keys) {
  return ApplyOptionsImpl(config, table, owner, passthrough_keys, /*defer_references=*/true);
}

absl::StatusOr<int64_t> ParseDurationMillis(absl::string_view text) {
  const std::string original(text);
  auto bad = [&original](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid duration '", original, "': ", why,
                     " (examples: 10s, 1m30s, 250ms, 1.5h, or a number of seconds)"));
  };
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return bad("empty");
  if (text[0] == '-') return bad("negative");
  if (text[0] == '+') text.remove_prefix(1);
  double total = 0;
  double number = 0;
  if (!ConsumeNumber(&text, &number)) return bad("expected a number");
  if (text.empty()) {
    total = number * 1000;  // a bare number is seconds
  } else {
    while (true) {
      size_t unit_end = 0;
      while (unit_end < text.size() && !absl::ascii_isdigit(text[unit_end]) &&
             text[unit_end] != '.') {
        ++unit_end;
      }
      double unit_millis = 0;
      if (unit_end == 0) return bad("missing unit");
      if (!DurationUnitMillis(text.substr(0, unit_end), &unit_millis)) {
        return bad(absl::StrCat("unknown unit '", text.substr(0, unit_end),
                                "' (use ns, us, ms, s, m, h)"));
      }
      total += number * unit_millis;
      text.remove_prefix(unit_end);
      if (text.empty()) break;
      if (!ConsumeNumber(&text, &number)) return bad("expected a number");
      if (text.empty()) return bad("missing unit");
    }
  }
  if (total > kMaxMagnitude) return bad("too large");
  return static_cast<int64_t>(std::llround(total));
}

absl::StatusOr<int64_t> ParseSizeBytes(absl::string_view text) {
  const std::string original(text);
  auto bad = [&original](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid size '", original, "': ", why, " (examples: 512, 10KB, 2MiB, 1.5GiB)"));
  };
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return bad("empty");
  if (text[0] == '-') return bad("negative");
  double number = 0;
  if (!ConsumeNumber(&text, &number)) return bad("expected a number");
  double unit_bytes = 0;
  if (!SizeUnitBytes(absl::StripAsciiWhitespace(text), &unit_bytes)) {
    return bad(absl::StrCat("unknown unit '", text, "' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"));
  }
  const double bytes = number * unit_bytes;
  if (bytes > kMaxMagnitude) return bad("too large");
  return static_cast<int64_t>(std::llround(bytes));
}

Value OptionTableToValue(absl::Span<const OptionSpec> table) {
  Value::List list;
  list.reserve(table.size());
  for (const OptionSpec& spec : table) {
    list.push_back(Value(Value::Map{{"name", spec.name},
                                    {"type", OptionTypeName(spec.type)},
                                    {"default", spec.default_value},
                                    {"description", spec.description},
                                    {"required", spec.required}}));
  }
  return Value(std::move(list));
}

}  // namespace gatehouse
