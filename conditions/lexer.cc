#include "conditions/lexer.h"

#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::conditions {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentifierStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentifierChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }
bool IsPathChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '/'; }

bool IsBoolWord(absl::string_view word, bool* value) {
  if (word == "true" || word == "TRUE") {
    *value = true;
    return true;
  }
  if (word == "false" || word == "FALSE") {
    *value = false;
    return true;
  }
  return false;
}

// Length of `-?digits(.digits)?` at the start of `text`, 0 when none; *is_float set.
size_t NumberLength(absl::string_view text, bool* is_float) {
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  const size_t digits_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i == digits_begin) return 0;
  *is_float = false;
  if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
    *is_float = true;
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  return i;
}

// Parses a number token's text into a Value; false when out of range.
bool NumberValue(absl::string_view text, bool is_float, Value* value) {
  if (is_float) {
    double d = 0;
    if (!absl::SimpleAtod(text, &d)) return false;
    *value = Value(d);
    return true;
  }
  int64_t i = 0;
  if (!absl::SimpleAtoi(text, &i)) return false;
  *value = Value(i);
  return true;
}

}  // namespace

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "the end of the condition";
    case TokenKind::kInt:
    case TokenKind::kFloat:
      return absl::StrCat("number ", token.text);
    case TokenKind::kString:
      return absl::StrCat("string ", token.text);
    case TokenKind::kVariable:
      return absl::StrCat("variable ", token.text);
    default:
      return absl::StrCat("'", token.text, "'");
  }
}

void Lexer::SkipSpaces() {
  while (pos_ < source_.size() && IsSpace(source_[pos_])) ++pos_;
}

bool Lexer::Next(Token* token, size_t* error_offset, std::string* error) {
  SkipSpaces();
  *token = Token();
  token->begin = pos_;
  if (pos_ >= source_.size()) {
    token->kind = TokenKind::kEnd;
    token->end = pos_;
    return true;
  }
  const char c = source_[pos_];
  const char next = pos_ + 1 < source_.size() ? source_[pos_ + 1] : '\0';
  auto single = [&](TokenKind kind, size_t length) {
    token->kind = kind;
    pos_ += length;
    token->end = pos_;
    token->text = source_.substr(token->begin, length);
    return true;
  };
  if (IsDigit(c) || (c == '-' && IsDigit(next))) return LexNumber(token, error_offset, error);
  if (c == '\'' || c == '"') return LexString(token, error_offset, error);
  if (c == '$') return LexVariable(token, error_offset, error);
  if (IsIdentifierStart(c)) {
    size_t end = pos_;
    while (end < source_.size() && IsIdentifierChar(source_[end])) ++end;
    const absl::string_view word = source_.substr(pos_, end - pos_);
    bool b = false;
    TokenKind kind = TokenKind::kIdentifier;
    if (IsBoolWord(word, &b)) {
      kind = TokenKind::kBool;
      token->value = Value(b);
    } else if (word == "and" || word == "AND") {
      kind = TokenKind::kAnd;
    } else if (word == "or" || word == "OR") {
      kind = TokenKind::kOr;
    } else if (word == "not" || word == "NOT") {
      kind = TokenKind::kNot;
    }
    return single(kind, word.size());
  }
  switch (c) {
    case '=':
      if (next == '=') return single(TokenKind::kEq, 2);
      *error_offset = pos_;
      *error = "'=' is not an operator: write '==' to compare";
      return false;
    case '!':
      if (next == '=') return single(TokenKind::kNe, 2);
      *error_offset = pos_;
      *error = "'!' is not an operator: write 'not' to negate or '!=' to compare";
      return false;
    case '<':
      return next == '=' ? single(TokenKind::kLe, 2) : single(TokenKind::kLt, 1);
    case '>':
      return next == '=' ? single(TokenKind::kGe, 2) : single(TokenKind::kGt, 1);
    case '+': return single(TokenKind::kPlus, 1);
    case '-': return single(TokenKind::kMinus, 1);
    case '*': return single(TokenKind::kStar, 1);
    case '/': return single(TokenKind::kSlash, 1);
    case '%': return single(TokenKind::kPercent, 1);
    case '(': return single(TokenKind::kLParen, 1);
    case ')': return single(TokenKind::kRParen, 1);
    case '[': return single(TokenKind::kLBracket, 1);
    case ']': return single(TokenKind::kRBracket, 1);
    case '{': return single(TokenKind::kLBrace, 1);
    case '}': return single(TokenKind::kRBrace, 1);
    case ',': return single(TokenKind::kComma, 1);
    case ':': return single(TokenKind::kColon, 1);
    default:
      break;
  }
  *error_offset = pos_;
  if (c == '&' || c == '|') {
    *error = absl::StrCat("'", std::string(1, c), "' is not an operator: write '",
                          c == '&' ? "and" : "or", "'");
  } else if (static_cast<unsigned char>(c) >= 0x80) {
    *error = "unexpected non-ASCII character (only strings may contain them)";
  } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    *error = absl::StrCat("unexpected control character 0x", absl::Hex(static_cast<int>(c)));
  } else {
    *error = absl::StrCat("unexpected character '", std::string(1, c), "'");
  }
  return false;
}

bool Lexer::LexNumber(Token* token, size_t* error_offset, std::string* error) {
  bool is_float = false;
  const size_t length = NumberLength(source_.substr(pos_), &is_float);
  token->kind = is_float ? TokenKind::kFloat : TokenKind::kInt;
  token->text = source_.substr(pos_, length);
  if (!NumberValue(token->text, is_float, &token->value)) {
    *error_offset = pos_;
    *error = absl::StrCat("number ", token->text, " does not fit in a 64-bit integer");
    return false;
  }
  pos_ += length;
  token->end = pos_;
  // "1." and "1.e5" and "12abc": a number glued to more characters.
  if (pos_ < source_.size() && (IsIdentifierChar(source_[pos_]) || source_[pos_] == '.')) {
    *error_offset = pos_;
    *error = source_[pos_] == '.'
                 ? std::string("a float needs digits after the '.' (write 1.0, not 1.)")
                 : absl::StrCat("unexpected '", std::string(1, source_[pos_]),
                                "' after number ", token->text);
    return false;
  }
  return true;
}

bool Lexer::LexString(Token* token, size_t* error_offset, std::string* error) {
  const char quote = source_[pos_];
  size_t end = pos_ + 1;
  while (end < source_.size() && source_[end] != quote && source_[end] != '\n') ++end;
  if (end >= source_.size() || source_[end] != quote) {
    *error_offset = pos_;
    *error = absl::StrCat("string starting here is not closed with ", std::string(1, quote),
                          end < source_.size() ? " before the end of the line" : "");
    return false;
  }
  token->kind = TokenKind::kString;
  token->value = Value(source_.substr(pos_ + 1, end - pos_ - 1));
  token->text = source_.substr(pos_, end + 1 - pos_);
  pos_ = end + 1;
  token->end = pos_;
  return true;
}

bool Lexer::LexVariable(Token* token, size_t* error_offset, std::string* error) {
  const size_t start = pos_;
  auto fail = [&](size_t offset, std::string message) {
    *error_offset = offset;
    *error = std::move(message);
    return false;
  };
  if (source_.substr(pos_, 3) == "$${") {
    return fail(pos_, "'$${' (an escaped variable) is not allowed in a condition");
  }
  if (pos_ + 1 >= source_.size() || source_[pos_ + 1] != '{') {
    return fail(pos_, "'$' must start a variable: ${name}");
  }
  pos_ += 2;
  while (true) {
    SkipSpaces();
    if (pos_ >= source_.size()) return fail(start, "variable starting here is not closed with '}'");
    const char c = source_[pos_];
    Alternative alternative;
    if (c == '\'' || c == '"') {
      Token string_token;
      if (!LexString(&string_token, error_offset, error)) return false;
      alternative.is_constant = true;
      alternative.constant = string_token.value;
    } else {
      bool is_float = false;
      const size_t number_length = NumberLength(source_.substr(pos_), &is_float);
      const size_t after = pos_ + number_length;
      if (number_length > 0 &&
          (after >= source_.size() || IsSpace(source_[after]) || source_[after] == '|' ||
           source_[after] == '}')) {
        alternative.is_constant = true;
        if (!NumberValue(source_.substr(pos_, number_length), is_float, &alternative.constant)) {
          return fail(pos_, absl::StrCat("number ", source_.substr(pos_, number_length),
                                         " does not fit in a 64-bit integer"));
        }
        pos_ = after;
      } else {
        // A dotted path: segments of letters, digits, '_', '-', '/'.
        const size_t path_begin = pos_;
        while (true) {
          const size_t segment_begin = pos_;
          while (pos_ < source_.size() && IsPathChar(source_[pos_])) ++pos_;
          if (pos_ == segment_begin) {
            if (pos_ < source_.size() && !IsSpace(source_[pos_]) && source_[pos_] != '.' &&
                source_[pos_] != '|' && source_[pos_] != '}') {
              return fail(pos_, absl::StrCat("unexpected character '", std::string(1, source_[pos_]),
                                             "' in a variable name (names use letters, digits, "
                                             "'_', '-', '/' and '.' between parts)"));
            }
            return fail(pos_, pos_ == path_begin ? "empty variable name"
                                                 : "empty part in a variable name (after '.')");
          }
          if (pos_ < source_.size() && source_[pos_] == '.') {
            ++pos_;
            continue;
          }
          break;
        }
        alternative.path = std::string(source_.substr(path_begin, pos_ - path_begin));
        bool b = false;
        if (IsBoolWord(alternative.path, &b)) {
          alternative.is_constant = true;
          alternative.constant = Value(b);
          alternative.path.clear();
        }
      }
    }
    token->alternatives.push_back(std::move(alternative));
    SkipSpaces();
    if (pos_ >= source_.size()) return fail(start, "variable starting here is not closed with '}'");
    if (source_[pos_] == '|') {
      ++pos_;
      continue;
    }
    if (source_[pos_] == '}') {
      ++pos_;
      break;
    }
    return fail(pos_, absl::StrCat("unexpected character '", std::string(1, source_[pos_]),
                                   "' in a variable: expected '|' or '}'"));
  }
  token->kind = TokenKind::kVariable;
  token->text = source_.substr(start, pos_ - start);
  token->end = pos_;
  return true;
}

}  // namespace gatehouse::conditions
