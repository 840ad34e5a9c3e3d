#include "conditions/parser.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "conditions/lexer.h"
#include "conditions/program.h"

namespace gatehouse::conditions {
namespace {

// Binary precedence levels, loosest first. Every comparison operator has its own level, as in
// the reference: ( ) > * / % > + - > not > == > != > <= > >= > < > > > and > or.
enum Level { kOrLevel, kAndLevel, kGtLevel, kLtLevel, kGeLevel, kLeLevel, kNeLevel, kEqLevel,
             kNotLevel, kAddLevel, kMulLevel, kPrimaryLevel };

// The level of a binary operator token, or -1.
int BinaryLevel(TokenKind kind, BinaryOp* op) {
  switch (kind) {
    case TokenKind::kOr: *op = BinaryOp::kOr; return kOrLevel;
    case TokenKind::kAnd: *op = BinaryOp::kAnd; return kAndLevel;
    case TokenKind::kGt: *op = BinaryOp::kGt; return kGtLevel;
    case TokenKind::kLt: *op = BinaryOp::kLt; return kLtLevel;
    case TokenKind::kGe: *op = BinaryOp::kGe; return kGeLevel;
    case TokenKind::kLe: *op = BinaryOp::kLe; return kLeLevel;
    case TokenKind::kNe: *op = BinaryOp::kNe; return kNeLevel;
    case TokenKind::kEq: *op = BinaryOp::kEq; return kEqLevel;
    case TokenKind::kPlus: *op = BinaryOp::kAdd; return kAddLevel;
    case TokenKind::kMinus: *op = BinaryOp::kSub; return kAddLevel;
    case TokenKind::kStar: *op = BinaryOp::kMul; return kMulLevel;
    case TokenKind::kSlash: *op = BinaryOp::kDiv; return kMulLevel;
    case TokenKind::kPercent: *op = BinaryOp::kMod; return kMulLevel;
    default: return -1;
  }
}

// Whether the call stack has grown past a budget since the parse began: a guard beside the
// nesting limit, so frame sizes (sanitizers, debug builds, small thread stacks) never matter.
constexpr uintptr_t kStackBudgetBytes = 2 * 1024 * 1024;  // threads have 8 MiB by default

class Parser {
 public:
  explicit Parser(absl::string_view source) : source_(source), lexer_(source) {
    char marker;
    stack_base_ = reinterpret_cast<uintptr_t>(&marker);
  }

  std::unique_ptr<Node> ParseAll(ParseError* error) {
    if (!Advance()) return Fail(error);
    if (token_.kind == TokenKind::kEnd) {
      error_ = {0, "the condition is empty"};
      return Fail(error);
    }
    std::unique_ptr<Node> root = ParseExpr(kOrLevel);
    if (root == nullptr) return Fail(error);
    if (token_.kind != TokenKind::kEnd) {
      error_ = {token_.begin, absl::StrCat("unexpected ", DescribeToken(token_),
                                           ": expected an operator or the end of the condition")};
      if (token_.kind == TokenKind::kInt || token_.kind == TokenKind::kFloat) {
        if (token_.text[0] == '-') {
          absl::StrAppend(&error_.message,
                          " (a '-' glued to a number is its sign: write 'a - 1' to subtract)");
        }
      }
      return Fail(error);
    }
    return root;
  }

 private:
  std::unique_ptr<Node> Fail(ParseError* error) {
    *error = error_;
    return nullptr;
  }

  bool Advance() {
    size_t offset = 0;
    std::string message;
    if (lexer_.Next(&token_, &offset, &message)) return true;
    error_ = {offset, std::move(message)};
    token_.kind = TokenKind::kEnd;
    return false;
  }

  bool Enter(size_t offset) {
    if (++depth_ > kMaxNestingDepth) {
      error_ = {offset, absl::StrCat("the condition nests more than ", kMaxNestingDepth,
                                     " levels deep")};
      return false;
    }
    return true;
  }

  bool CheckHeight(const Node& node) {
    if (node.depth > kMaxNestingDepth) {
      error_ = {node.begin, absl::StrCat("the condition nests more than ", kMaxNestingDepth,
                                         " levels deep (split long chains with parentheses "
                                         "or into several conditions)")};
      return false;
    }
    return true;
  }

  bool StackExhausted(size_t offset) {
    char marker;
    const uintptr_t here = reinterpret_cast<uintptr_t>(&marker);
    if (stack_base_ > here && stack_base_ - here > kStackBudgetBytes) {
      error_ = {offset, absl::StrCat("the condition nests more than ", kMaxNestingDepth,
                                     " levels deep")};
      return true;
    }
    return false;
  }

  // Precedence climbing: binary operators at `min_level` or tighter, left-associative.
  std::unique_ptr<Node> ParseExpr(int min_level) {
    if (StackExhausted(token_.begin)) return nullptr;
    std::unique_ptr<Node> left = ParseUnary(min_level);
    if (left == nullptr) return nullptr;
    BinaryOp op;
    for (int level = BinaryLevel(token_.kind, &op); level >= min_level;
         level = BinaryLevel(token_.kind, &op)) {
      if (!Advance()) return nullptr;
      std::unique_ptr<Node> right = ParseExpr(level + 1);
      if (right == nullptr) return nullptr;
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::kBinary;
      node->op = op;
      node->begin = left->begin;
      node->end = right->end;
      node->depth = std::max(left->depth, right->depth) + 1;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
      if (!CheckHeight(*node)) return nullptr;
      left = std::move(node);
    }
    return left;
  }

  // `not` binds looser than + - * / % and tighter than the comparisons, so it may only start
  // an operand where a comparison (or looser) is expected: `1 + not x` is an error.
  std::unique_ptr<Node> ParseUnary(int min_level) {
    if (token_.kind != TokenKind::kNot) return ParsePrimary();
    if (min_level > kNotLevel) {
      error_ = {token_.begin, "'not' cannot be an operand of an arithmetic operator: write "
                              "(not ...)"};
      return nullptr;
    }
    const size_t begin = token_.begin;
    if (!Enter(begin)) return nullptr;
    if (!Advance()) return nullptr;
    std::unique_ptr<Node> operand = token_.kind == TokenKind::kNot ? ParseUnary(kNotLevel)
                                                                   : ParseExpr(kAddLevel);
    --depth_;
    if (operand == nullptr) return nullptr;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNot;
    node->begin = begin;
    node->end = operand->end;
    node->depth = operand->depth + 1;
    node->children.push_back(std::move(operand));
    if (!CheckHeight(*node)) return nullptr;
    return node;
  }

  std::unique_ptr<Node> Constant(const Token& token) {
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kConstant;
    node->begin = token.begin;
    node->end = token.end;
    node->constant = token.value;
    return node;
  }

  bool IsScalarConstant(TokenKind kind) {
    return kind == TokenKind::kInt || kind == TokenKind::kFloat || kind == TokenKind::kString ||
           kind == TokenKind::kBool;
  }

  std::unique_ptr<Node> ExpectedOperand() {
    if (token_.kind == TokenKind::kIdentifier) {
      error_ = {token_.begin,
                absl::StrCat("unknown name '", token_.text, "'",
                             token_.text == "True" || token_.text == "False" ||
                                     token_.text == "True"
                                 ? " (booleans are true, TRUE, false or FALSE)"
                             : token_.text == "null" || token_.text == "NULL" || token_.text == "nil"
                                 ? " (there is no null literal; a missing variable is null)"
                                 : " (variables are written ${name}; a function call needs "
                                   "parentheses)")};
    } else {
      error_ = {token_.begin, absl::StrCat("unexpected ", DescribeToken(token_),
                                           ": expected a value, a variable, a function call, "
                                           "'not' or '('")};
    }
    return nullptr;
  }

  // [c, ...] of scalar constants.
  std::unique_ptr<Node> ParseArray() {
    const size_t begin = token_.begin;
    if (!Advance()) return nullptr;
    Value::List items;
    if (token_.kind != TokenKind::kRBracket) {
      while (true) {
        if (!IsScalarConstant(token_.kind)) {
          error_ = {token_.begin,
                    absl::StrCat("unexpected ", DescribeToken(token_),
                                 ": array elements must be constants (strings, numbers, "
                                 "booleans)")};
          return nullptr;
        }
        items.push_back(token_.value);
        if (!Advance()) return nullptr;
        if (token_.kind == TokenKind::kComma) {
          if (!Advance()) return nullptr;
          continue;
        }
        if (token_.kind == TokenKind::kRBracket) break;
        error_ = {token_.begin,
                  absl::StrCat("unexpected ", DescribeToken(token_), ": expected ',' or ']'")};
        return nullptr;
      }
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kConstant;
    node->begin = begin;
    node->end = token_.end;
    node->constant = Value(std::move(items));
    if (!Advance()) return nullptr;
    return node;
  }

  // {key: c, 'key': c, ...} with scalar constant values.
  std::unique_ptr<Node> ParseDict() {
    const size_t begin = token_.begin;
    if (!Advance()) return nullptr;
    Value::Map items;
    if (token_.kind != TokenKind::kRBrace) {
      while (true) {
        std::string key;
        if (token_.kind == TokenKind::kString) {
          key = token_.value.as_string();
        } else if (token_.kind == TokenKind::kIdentifier || token_.kind == TokenKind::kBool ||
                   token_.kind == TokenKind::kAnd || token_.kind == TokenKind::kOr ||
                   token_.kind == TokenKind::kNot) {
          key = std::string(token_.text);
        } else {
          error_ = {token_.begin, absl::StrCat("unexpected ", DescribeToken(token_),
                                               ": expected a dict key (a name or a string)")};
          return nullptr;
        }
        const size_t key_begin = token_.begin;
        if (!Advance()) return nullptr;
        if (token_.kind != TokenKind::kColon) {
          error_ = {token_.begin,
                    absl::StrCat("unexpected ", DescribeToken(token_), ": expected ':' after "
                                 "the dict key")};
          return nullptr;
        }
        if (!Advance()) return nullptr;
        if (!IsScalarConstant(token_.kind)) {
          error_ = {token_.begin,
                    absl::StrCat("unexpected ", DescribeToken(token_),
                                 ": dict values must be constants (strings, numbers, booleans)")};
          return nullptr;
        }
        if (!items.emplace(key, token_.value).second) {
          error_ = {key_begin, absl::StrCat("duplicate dict key '", key, "'")};
          return nullptr;
        }
        if (!Advance()) return nullptr;
        if (token_.kind == TokenKind::kComma) {
          if (!Advance()) return nullptr;
          continue;
        }
        if (token_.kind == TokenKind::kRBrace) break;
        error_ = {token_.begin,
                  absl::StrCat("unexpected ", DescribeToken(token_), ": expected ',' or '}'")};
        return nullptr;
      }
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kConstant;
    node->begin = begin;
    node->end = token_.end;
    node->constant = Value(std::move(items));
    if (!Advance()) return nullptr;
    return node;
  }

  std::unique_ptr<Node> ParseCall() {
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kCall;
    node->begin = token_.begin;
    node->name_end = token_.end;
    node->name = std::string(token_.text);
    if (!Advance()) return nullptr;  // the name
    if (!Advance()) return nullptr;  // '('
    if (token_.kind != TokenKind::kRParen) {
      while (true) {
        std::unique_ptr<Node> argument = ParseExpr(kOrLevel);
        if (argument == nullptr) return nullptr;
        node->depth = std::max(node->depth, argument->depth + 1);
        node->children.push_back(std::move(argument));
        if (token_.kind == TokenKind::kComma) {
          if (!Advance()) return nullptr;
          continue;
        }
        if (token_.kind == TokenKind::kRParen) break;
        error_ = {token_.begin, absl::StrCat("unexpected ", DescribeToken(token_),
                                             ": expected ',' or ')' in the call to ", node->name)};
        return nullptr;
      }
    }
    node->end = token_.end;
    if (!CheckHeight(*node)) return nullptr;
    if (!Advance()) return nullptr;
    return node;
  }

  // Kept out of line so its locals do not sit in every recursive frame.
  __attribute__((noinline)) bool NextIsOpenParen() const {
    Lexer peek = lexer_;
    Token next;
    size_t offset = 0;
    std::string message;
    return peek.Next(&next, &offset, &message) && next.kind == TokenKind::kLParen;
  }

  std::unique_ptr<Node> ParsePrimary() {
    if (!Enter(token_.begin)) return nullptr;
    std::unique_ptr<Node> node = ParsePrimaryInner();
    --depth_;
    return node;
  }

  std::unique_ptr<Node> ParsePrimaryInner() {
    switch (token_.kind) {
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kString:
      case TokenKind::kBool: {
        std::unique_ptr<Node> node = Constant(token_);
        if (!Advance()) return nullptr;
        return node;
      }
      case TokenKind::kVariable: {
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::kVariable;
        node->begin = token_.begin;
        node->end = token_.end;
        node->alternatives = std::move(token_.alternatives);
        if (!Advance()) return nullptr;
        return node;
      }
      case TokenKind::kLBracket:
        return ParseArray();
      case TokenKind::kLBrace:
        return ParseDict();
      case TokenKind::kLParen: {
        const size_t begin = token_.begin;
        if (!Advance()) return nullptr;
        std::unique_ptr<Node> inner = ParseExpr(kOrLevel);
        if (inner == nullptr) return nullptr;
        if (token_.kind != TokenKind::kRParen) {
          error_ = {token_.begin, absl::StrCat("unexpected ", DescribeToken(token_),
                                               ": expected ')' to close the '(' at offset ",
                                               begin)};
          return nullptr;
        }
        // Quote the parentheses too in messages about this sub-expression.
        inner->begin = begin;
        inner->end = token_.end;
        if (!Advance()) return nullptr;
        return inner;
      }
      case TokenKind::kIdentifier:
        // A call needs '(' right after the name (spaces allowed).
        return NextIsOpenParen() ? ParseCall() : ExpectedOperand();
      default:
        return ExpectedOperand();
    }
  }

  absl::string_view source_;
  Lexer lexer_;
  Token token_;
  ParseError error_;
  int depth_ = 0;
  uintptr_t stack_base_ = 0;
};

}  // namespace

std::unique_ptr<Node> Parse(absl::string_view source, ParseError* error) {
  if (source.size() > kMaxConditionBytes) {
    *error = {0, absl::StrCat("the condition is longer than ", kMaxConditionBytes, " bytes")};
    return nullptr;
  }
  Parser parser(source);
  return parser.ParseAll(error);
}

}  // namespace gatehouse::conditions
