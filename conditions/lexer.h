// Splits condition text into tokens. Internal to conditions/.
#ifndef GATEHOUSE_CONDITIONS_LEXER_H_
#define GATEHOUSE_CONDITIONS_LEXER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "conditions/ast.h"

namespace gatehouse::conditions {

enum class TokenKind {
  kEnd, kInt, kFloat, kString, kBool, kIdentifier, kVariable,
  kAnd, kOr, kNot, kEq, kNe, kLt, kLe, kGt, kGe, kPlus, kMinus, kStar, kSlash, kPercent,
  kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace, kComma, kColon,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t begin = 0;  // byte offsets into the source
  size_t end = 0;
  Value value;                            // kInt, kFloat, kString, kBool
  std::vector<Alternative> alternatives;  // kVariable
  absl::string_view text;                 // the source text of the token
};

// What to say about a token in a message: "number 5", "'and'", "end of condition".
std::string DescribeToken(const Token& token);

// Thread-compatible; one lexer per parse.
class Lexer {
 public:
  explicit Lexer(absl::string_view source) : source_(source) {}

  // The next token, or false with *error_offset and *error set.
  bool Next(Token* token, size_t* error_offset, std::string* error);

 private:
  bool LexNumber(Token* token, size_t* error_offset, std::string* error);
  bool LexString(Token* token, size_t* error_offset, std::string* error);
  bool LexVariable(Token* token, size_t* error_offset, std::string* error);
  void SkipSpaces();

  absl::string_view source_;
  size_t pos_ = 0;
};

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_LEXER_H_
