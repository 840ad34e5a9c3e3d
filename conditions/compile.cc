// Compile(): parse, check (unknown functions, arity, constant sub-expressions that must fail),
// fold constants, precompile constant match() patterns, resolve variables to slots, and lay
// the tree out as a flat postfix Plan.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conditions/parser.h"
#include "conditions/plan.h"
#include "conditions/program.h"
#include "conditions/value_text.h"

namespace gatehouse::conditions {
namespace {

using internal::OpCode;
using internal::Plan;
using internal::Reference;
using internal::Step;

struct CompileError {
  size_t offset = 0;
  std::string message;
};

std::string ArityText(const FunctionSpec& spec) {
  auto plural = [](int n) { return n == 1 ? "argument" : "arguments"; };
  if (spec.max_args == kVariadic) {
    return absl::StrCat("at least ", spec.min_args, " ", plural(spec.min_args));
  }
  if (spec.min_args == spec.max_args) {
    return absl::StrCat("exactly ", spec.min_args, " ", plural(spec.min_args));
  }
  return absl::StrCat(spec.min_args, " to ", spec.max_args, " arguments");
}

class Planner {
 public:
  Planner(absl::string_view source, const FunctionRegistry& functions, VariableResolver* resolver,
          Plan* plan)
      : source_(source), functions_(functions), resolver_(resolver), plan_(plan) {}

  bool Build(Node* root, CompileError* error) {
    if (!Fold(root)) {
      *error = error_;
      return false;
    }
    if (root->kind == Node::Kind::kConstant && !root->constant.is_bool()) {
      *error = {root->begin, absl::StrCat("the condition must produce a boolean, but this is ",
                                          root->constant.type_name(), " ",
                                          Describe(root->constant))};
      return false;
    }
    size_t sp = 0;
    Emit(*root, &sp);
    return true;
  }

 private:
  absl::string_view Text(const Node& node) const {
    return source_.substr(node.begin, node.end - node.begin);
  }

  bool Fail(size_t offset, std::string message) {
    error_ = {offset, std::move(message)};
    return false;
  }

  static bool AllConstant(const Node& node) {
    return std::all_of(node.children.begin(), node.children.end(),
                       [](const auto& child) { return child->kind == Node::Kind::kConstant; });
  }

  void MakeConstant(Node* node, Value value) {
    node->kind = Node::Kind::kConstant;
    node->constant = std::move(value);
    node->children.clear();
  }

  // Post-order: checks calls, folds constant sub-expressions (an error there is a compile
  // error: it would fail on every evaluation).
  bool Fold(Node* node) {
    for (auto& child : node->children) {
      if (!Fold(child.get())) return false;
    }
    switch (node->kind) {
      case Node::Kind::kConstant:
      case Node::Kind::kVariable:
        return true;
      case Node::Kind::kNot: {
        if (!AllConstant(*node)) return true;
        const Value* result = nullptr;
        const Value& operand = node->children[0]->constant;
        if (absl::Status status = internal::ApplyNot(operand, &result); !status.ok()) {
          return Fail(node->begin,
                      std::string(internal::SubExpressionError(
                                      Text(*node), status.message(),
                                      absl::StrCat("not ", Describe(operand)))
                                      .message()));
        }
        MakeConstant(node, *result);
        return true;
      }
      case Node::Kind::kBinary: {
        if (!AllConstant(*node)) return true;
        const Value& left = node->children[0]->constant;
        const Value& right = node->children[1]->constant;
        Value scratch;
        const Value* result = nullptr;
        if (absl::Status status =
                internal::ApplyBinary(node->op, left, right, &scratch, &result);
            !status.ok()) {
          return Fail(node->begin,
                      std::string(internal::SubExpressionError(
                                      Text(*node), status.message(),
                                      internal::DescribeBinary(node->op, left, right))
                                      .message()));
        }
        MakeConstant(node, *result);
        return true;
      }
      case Node::Kind::kCall:
        return FoldCall(node);
    }
    return true;
  }

  bool FoldCall(Node* node) {
    std::shared_ptr<const FunctionSpec> spec = functions_.Find(node->name);
    if (spec == nullptr) {
      std::string message = absl::StrCat("unknown function '", node->name, "'");
      for (const std::string& name : functions_.Names()) {
        if (absl::EqualsIgnoreCase(name, node->name)) {
          absl::StrAppend(&message, " (did you mean '", name, "'? names are case-sensitive)");
          break;
        }
      }
      return Fail(node->begin, std::move(message));
    }
    const int argc = static_cast<int>(node->children.size());
    if (argc < spec->min_args || (spec->max_args != kVariadic && argc > spec->max_args)) {
      return Fail(node->begin, absl::StrCat(node->name, " takes ", ArityText(*spec), ", got ",
                                            argc));
    }
    if (IsBuiltinMatch(*spec) && !RegexesFor(*node)) return false;
    if (spec->pure && AllConstant(*node)) {
      std::vector<const Value*> args;
      for (const auto& child : node->children) args.push_back(&child->constant);
      Value result;
      if (absl::Status status = spec->impl(args, &result); !status.ok()) {
        return Fail(node->begin,
                    std::string(internal::SubExpressionError(
                                    Text(*node), status.message(),
                                    internal::DescribeCall(node->name, args))
                                    .message()));
      }
      MakeConstant(node, std::move(result));
      return true;
    }
    return true;
  }

  bool IsBuiltinMatch(const FunctionSpec& spec) const {
    static const FunctionSpec* const kMatch = FunctionRegistry::Builtins().Find("match").get();
    return &spec == kMatch;
  }

  // match(s, 'p1', 'p2'): when every pattern is a constant, compile them now (an invalid one
  // is a compile error under it) and remember them for Emit.
  bool RegexesFor(const Node& node) {
    for (size_t i = 1; i < node.children.size(); ++i) {
      if (node.children[i]->kind != Node::Kind::kConstant) return true;
    }
    const uint32_t first = static_cast<uint32_t>(plan_->regexes.size());
    for (size_t i = 1; i < node.children.size(); ++i) {
      const Node& pattern = *node.children[i];
      if (!pattern.constant.is_string()) {
        return Fail(pattern.begin, absl::StrCat("match: argument ", i + 1,
                                                " must be a string pattern, got ",
                                                pattern.constant.type_name()));
      }
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_unique<RE2>(pattern.constant.as_string(), options);
      if (!regex->ok()) {
        return Fail(pattern.begin, absl::StrCat("match: invalid pattern ",
                                                Describe(pattern.constant), ": ",
                                                regex->error()));
      }
      plan_->regexes.push_back(std::move(regex));
    }
    precompiled_[&node] = {first, static_cast<uint32_t>(node.children.size() - 1)};
    return true;
  }

  uint32_t AddConstant(const Value& value) {
    plan_->constants.push_back(value);
    return static_cast<uint32_t>(plan_->constants.size() - 1);
  }

  uint32_t AddReference(const Node& node) {
    Reference reference;
    for (const Alternative& alternative : node.alternatives) {
      Reference::Alternative planned;
      if (alternative.is_constant) {
        planned.is_constant = true;
        planned.constant = AddConstant(alternative.constant);
      } else {
        auto [it, inserted] = variable_index_.try_emplace(
            alternative.path, static_cast<uint32_t>(plan_->variables.size()));
        if (inserted) {
          const Slot slot = resolver_ != nullptr ? resolver_->Intern(alternative.path)
                                                 : static_cast<Slot>(plan_->variables.size());
          plan_->variables.push_back({alternative.path, slot});
        }
        planned.variable = it->second;
        planned.slot = plan_->variables[it->second].slot;
      }
      reference.alternatives.push_back(planned);
    }
    plan_->references.push_back(std::move(reference));
    return static_cast<uint32_t>(plan_->references.size() - 1);
  }

  void Push(Step step, const Node& node, size_t* sp, int pops, int pushes) {
    step.begin = static_cast<uint32_t>(node.begin);
    step.end = static_cast<uint32_t>(node.end);
    if (step.code == OpCode::kCall ||
        (step.code == OpCode::kBinary && IsArithmetic(step.op))) {
      plan_->uses_registers = true;
    }
    plan_->steps.push_back(step);
    *sp -= pops;
    *sp += pushes;
    plan_->max_stack = std::max(plan_->max_stack, *sp);
  }

  void Emit(const Node& node, size_t* sp) {
    switch (node.kind) {
      case Node::Kind::kConstant:
        Push({OpCode::kConstant, BinaryOp::kEq, AddConstant(node.constant)}, node, sp, 0, 1);
        return;
      case Node::Kind::kVariable:
        Push({OpCode::kVariable, BinaryOp::kEq, AddReference(node)}, node, sp, 0, 1);
        return;
      case Node::Kind::kNot:
        Emit(*node.children[0], sp);
        Push({OpCode::kNot}, node, sp, 1, 1);
        return;
      case Node::Kind::kBinary: {
        const Node& left = *node.children[0];
        const Node& right = *node.children[1];
        if (IsComparison(node.op) && left.kind == Node::Kind::kVariable &&
            right.kind == Node::Kind::kConstant) {
          const uint32_t reference = AddReference(left);
          Push({OpCode::kCompareVariable, node.op, reference, AddConstant(right.constant)}, node,
               sp, 0, 1);
          return;
        }
        Emit(left, sp);
        Emit(right, sp);
        Push({OpCode::kBinary, node.op}, node, sp, 2, 1);
        return;
      }
      case Node::Kind::kCall: {
        if (auto it = precompiled_.find(&node); it != precompiled_.end()) {
          Emit(*node.children[0], sp);
          Push({OpCode::kMatch, BinaryOp::kEq, it->second.first, it->second.second}, node, sp, 1,
               1);
          return;
        }
        std::shared_ptr<const FunctionSpec> spec = functions_.Find(node.name);
        for (const auto& child : node.children) Emit(*child, sp);
        plan_->functions.push_back(std::move(spec));
        const int argc = static_cast<int>(node.children.size());
        Push({OpCode::kCall, BinaryOp::kEq, static_cast<uint32_t>(plan_->functions.size() - 1),
              static_cast<uint32_t>(argc)},
             node, sp, argc, 1);
        return;
      }
    }
  }

  absl::string_view source_;
  const FunctionRegistry& functions_;
  VariableResolver* resolver_;
  Plan* plan_;
  CompileError error_;
  absl::flat_hash_map<std::string, uint32_t> variable_index_;
  absl::flat_hash_map<const Node*, std::pair<uint32_t, uint32_t>> precompiled_;
};

absl::Status CompileFailure(absl::string_view text, size_t offset, std::string message,
                            Diagnostic* diagnostic) {
  Diagnostic found = DiagnosticAt(text, offset, std::move(message));
  absl::Status status = absl::InvalidArgumentError(found.Render(text));
  if (diagnostic != nullptr) *diagnostic = std::move(found);
  return status;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Program>> Compile(absl::string_view text,
                                                       const CompileOptions& options,
                                                       Diagnostic* diagnostic) {
  ParseError parse_error;
  std::unique_ptr<Node> root = Parse(text, &parse_error);
  if (root == nullptr) {
    return CompileFailure(text, parse_error.offset, std::move(parse_error.message), diagnostic);
  }
  auto plan = std::make_unique<Plan>();
  plan->source = std::string(text);
  const FunctionRegistry& functions =
      options.functions != nullptr ? *options.functions : FunctionRegistry::Builtins();
  Planner planner(text, functions, options.resolver, plan.get());
  CompileError error;
  if (!planner.Build(root.get(), &error)) {
    return CompileFailure(text, error.offset, std::move(error.message), diagnostic);
  }
  return std::shared_ptr<const Program>(new Program(std::move(plan)));
}

}  // namespace gatehouse::conditions
