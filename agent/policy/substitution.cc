#include "agent/policy/substitution.h"

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gatehouse::policy {
namespace {

bool AllowedInReference(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '\\' || c == '-' ||
         c == '_' || c == '|' || c == '.' || c == '\'' || c == '"' || c == ':' || c == '/' ||
         static_cast<unsigned char>(c) >= 0x80;  // letters of other scripts (UTF-8)
}

Position At(const Position& start, size_t offset) {
  Position p = start;
  p.column += static_cast<int>(offset);
  if (p.offset >= 0) p.offset += static_cast<int>(offset);
  return p;
}

// Parses the inside of `${...}` (`body` starts at `body_offset` in the scalar).
absl::Status ParseReference(absl::string_view body, size_t body_offset, const Position& position,
                            absl::string_view default_provider,
                            conditions::VariableResolver* resolver, Reference* out) {
  auto error = [&](size_t at, absl::string_view message) {
    return ErrorAt(At(position, body_offset + at),
                   absl::StrCat(message, " in '${", body, "}'"));
  };
  std::string current;
  bool quoted = false;      // the current alternative is a quoted constant
  char quote = 0;           // the quote currently open
  bool saw_any = false;
  auto finish = [&](size_t at) -> absl::Status {
    if (quoted) {
      out->alternatives.push_back(Alternative{true, current, 0, Value(current)});
      saw_any = true;
    } else {
      absl::string_view name = absl::StripAsciiWhitespace(current);
      if (!name.empty()) {
        if (name.back() == '.') return error(at, "a variable name cannot end with '.'");
        if (name.front() == '.' || name.find("..") != absl::string_view::npos) {
          return error(at, "a variable name has an empty path segment");
        }
        for (char c : name) {
          if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' ||
              c == '\\') {
            return error(at, absl::StrCat("unexpected character '", std::string(1, c),
                                          "' in variable name '", name, "'"));
          }
        }
        std::string path = name.find('.') == absl::string_view::npos
                               ? absl::StrCat(default_provider, ".", name)
                               : std::string(name);
        Alternative alt{false, path, resolver != nullptr ? resolver->Intern(path) : 0};
        out->alternatives.push_back(std::move(alt));
        saw_any = true;
      }
    }
    current.clear();
    quoted = false;
    return absl::OkStatus();
  };
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (!AllowedInReference(c)) {
      return error(i, absl::StrCat("character '", std::string(1, c),
                                   "' is not allowed inside ${}"));
    }
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        current.push_back(c);
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      if (!absl::StripAsciiWhitespace(current).empty()) {
        return error(i, "a quote inside a variable name");
      }
      current.clear();
      quote = c;
      quoted = true;
      continue;
    }
    if (c == '|') {
      if (absl::Status s = finish(i); !s.ok()) return s;
      continue;
    }
    if (c == ':' && !quoted) {
      if (absl::Status s = finish(i); !s.ok()) return s;
      // The rest, verbatim, is an unquoted string default.
      const std::string constant(body.substr(i + 1));
      out->alternatives.push_back(Alternative{true, constant, 0, Value(constant)});
      return absl::OkStatus();
    }
    if (quoted && !absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return error(i, "text after a quoted constant (separate alternatives with '|')");
    }
    if (!quoted) current.push_back(c);
  }
  if (quote != 0) {
    return error(body.size(), absl::StrCat("unterminated quote ", std::string(1, quote)));
  }
  if (absl::Status s = finish(body.size()); !s.ok()) return s;
  if (!saw_any) return error(0, "empty variable reference");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ScalarTemplate> ScalarTemplate::Parse(absl::string_view text,
                                                     const Position& position,
                                                     absl::string_view default_provider,
                                                     conditions::VariableResolver* resolver) {
  ScalarTemplate t;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      // An escape: the literal `${...}` up to its closing brace, never expanded.
      const size_t close = text.find('}', i + 3);
      const size_t end = close == absl::string_view::npos ? text.size() : close + 1;
      absl::StrAppend(&literal, text.substr(i + 1, end - i - 1));
      i = end;
      continue;
    }
    if (text.compare(i, 2, "${") == 0) {
      // Find the closing brace outside quotes.
      size_t j = i + 2;
      char quote = 0;
      for (; j < text.size(); ++j) {
        const char c = text[j];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '}') {
          break;
        }
      }
      if (j >= text.size()) {
        if (quote != 0) {
          return ErrorAt(At(position, i),
                         absl::StrCat("unterminated quote ", std::string(1, quote), " in '",
                                      text.substr(i), "'"));
        }
        return ErrorAt(At(position, i),
                       absl::StrCat("unterminated '${' (missing '}') in '", text.substr(i), "'"));
      }
      Segment segment;
      segment.is_reference = true;
      segment.reference.source = std::string(text.substr(i, j + 1 - i));
      absl::Status s = ParseReference(text.substr(i + 2, j - i - 2), i + 2, position,
                                      default_provider, resolver, &segment.reference);
      if (!s.ok()) return s;
      if (!literal.empty()) {
        Segment lit;
        lit.literal = std::move(literal);
        literal.clear();
        t.segments_.push_back(std::move(lit));
      }
      t.segments_.push_back(std::move(segment));
      t.has_references_ = true;
      i = j + 1;
      continue;
    }
    literal.push_back(text[i]);
    ++i;
  }
  if (!literal.empty() || t.segments_.empty()) {
    Segment lit;
    lit.literal = std::move(literal);
    t.segments_.push_back(std::move(lit));
  }
  return t;
}

namespace {

// The first alternative with a value; nullptr when none.
const Value* Resolve(const Reference& reference, const conditions::VariableReader& vars,
                     std::vector<conditions::Slot>* read) {
  for (const Alternative& alt : reference.alternatives) {
    if (alt.is_constant) return &alt.constant;
    if (read != nullptr) read->push_back(alt.slot);
    if (const Value* v = vars.Read(alt.slot); v != nullptr) return v;
  }
  return nullptr;
}

// The same rendering of a whole-value reference: equal values, or two NaNs (which are not
// equal, but a config holding one must not count as changed at every render).
bool SameRendering(const Value& previous, const Value& now) {
  return previous.Identical(now) || previous == now ||
         (previous.is_double() && now.is_double() && std::isnan(previous.as_double()) &&
          std::isnan(now.as_double()));
}

}  // namespace

bool ScalarTemplate::Render(const conditions::VariableReader& vars, Value* out,
                            std::string* missing, std::vector<conditions::Slot>* read,
                            const Value* previous) const {
  Value storage;
  const Value* rendered = nullptr;
  if (!RenderShared(vars, previous, &storage, &rendered, missing, read)) return false;
  *out = *rendered;
  return true;
}

bool ScalarTemplate::RenderShared(const conditions::VariableReader& vars, const Value* previous,
                                  Value* storage, const Value** out, std::string* missing,
                                  std::vector<conditions::Slot>* read) const {
  if (segments_.size() == 1 && segments_.front().is_reference) {
    const Segment& only = segments_.front();
    const Value* v = Resolve(only.reference, vars, read);
    if (v == nullptr) {
      *missing = only.reference.source;
      return false;
    }
    const bool same = previous != nullptr && (previous == v || SameRendering(*previous, *v));
    *out = same ? previous : v;
    return true;
  }
  // Text, built in a reused buffer: an unchanged result costs no allocation.
  thread_local std::string text;
  text.clear();
  for (const Segment& segment : segments_) {
    if (!segment.is_reference) {
      text.append(segment.literal);
      continue;
    }
    const Value* v = Resolve(segment.reference, vars, read);
    if (v == nullptr) {
      *missing = segment.reference.source;
      return false;
    }
    AppendStringified(*v, &text);
  }
  if (previous != nullptr && previous->is_string() && previous->as_string() == text) {
    *out = previous;
  } else {
    *storage = Value(text);
    *out = storage;
  }
  return true;
}

bool ScalarTemplate::RendersTo(const conditions::VariableReader& vars,
                               const Value& expected) const {
  if (segments_.size() == 1 && segments_.front().is_reference) {
    const Value* v = Resolve(segments_.front().reference, vars, nullptr);
    return v != nullptr && (v == &expected || SameRendering(expected, *v));
  }
  if (!expected.is_string()) return false;
  // Each segment must be the next part of `expected`.
  absl::string_view rest = expected.as_string();
  for (const Segment& segment : segments_) {
    if (!segment.is_reference) {
      if (!absl::ConsumePrefix(&rest, segment.literal)) return false;
      continue;
    }
    const Value* v = Resolve(segment.reference, vars, nullptr);
    if (v == nullptr) return false;
    if (v->is_string()) {
      if (!absl::ConsumePrefix(&rest, v->as_string())) return false;
      continue;
    }
    thread_local std::string text;
    text.clear();
    AppendStringified(*v, &text);
    if (!absl::ConsumePrefix(&rest, text)) return false;
  }
  return rest.empty();
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
      out->append(FormatShortestDouble(value.as_double()));
      return;
    case Value::Type::kString:
      out->append(value.as_string());
      return;
    case Value::Type::kList:
    case Value::Type::kMap:
      value.AppendJson(out);
      return;
  }
}

}  // namespace gatehouse::policy
