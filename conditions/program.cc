// The evaluator: runs a Plan over a small stack of Value pointers. Variables, constants and
// boolean results are borrowed pointers; only arithmetic and function results are stored (in
// registers beside the stack), so evaluation allocates nothing unless it builds a string.
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "conditions/plan.h"
#include "conditions/program.h"
#include "conditions/value_text.h"

namespace gatehouse::conditions {
namespace internal {
namespace {

const Value kTrue(true);
const Value kFalse(false);
const Value kNull;

const Value* BoolValue(bool b) { return b ? &kTrue : &kFalse; }

}  // namespace

absl::Status SubExpressionError(absl::string_view text, absl::string_view why,
                                absl::string_view values) {
  std::string message = absl::StrCat(text, ": ", why);
  if (!values.empty() && values != text) absl::StrAppend(&message, " (", values, ")");
  return absl::InvalidArgumentError(message);
}

std::string DescribeBinary(BinaryOp op, const Value& left, const Value& right) {
  return absl::StrCat(Describe(left), " ", BinaryOpText(op), " ", Describe(right));
}

std::string DescribeCall(absl::string_view name, absl::Span<const Value* const> args) {
  std::string out = absl::StrCat(name, "(");
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(Describe(*args[i]));
  }
  out.push_back(')');
  return out;
}

absl::Status ApplyNot(const Value& operand, const Value** result) {
  if (!operand.is_bool()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'not' needs a boolean, got ", operand.type_name()));
  }
  *result = BoolValue(!operand.as_bool());
  return absl::OkStatus();
}

absl::Status ApplyBinary(BinaryOp op, const Value& left, const Value& right, Value* scratch,
                         const Value** result) {
  if (op == BinaryOp::kAnd || op == BinaryOp::kOr) {
    if (!left.is_bool() || !right.is_bool()) {
      return absl::InvalidArgumentError(absl::StrCat("'", BinaryOpText(op),
                                                     "' needs booleans, got ", left.type_name(),
                                                     " and ", right.type_name()));
    }
    *result = BoolValue(op == BinaryOp::kAnd ? left.as_bool() && right.as_bool()
                                             : left.as_bool() || right.as_bool());
    return absl::OkStatus();
  }
  if (IsComparison(op)) {
    bool b = false;
    if (absl::Status status = Compare(op, left, right, &b); !status.ok()) return status;
    *result = BoolValue(b);
    return absl::OkStatus();
  }
  Value computed;
  if (absl::Status status = Arithmetic(op, left, right, &computed); !status.ok()) return status;
  *scratch = std::move(computed);
  *result = scratch;
  return absl::OkStatus();
}

namespace {

constexpr size_t kInlineStack = 8;

class Runner {
 public:
  Runner(const Plan& plan, const VariableReader& variables, bool strict, const Value** stack,
         Value* registers)
      : plan_(plan), variables_(variables), strict_(strict), stack_(stack),
        registers_(registers) {}

  absl::StatusOr<bool> Run() {
    size_t sp = 0;
    for (const Step& step : plan_.steps) {
      switch (step.code) {
        case OpCode::kConstant:
          stack_[sp++] = &plan_.constants[step.a];
          break;
        case OpCode::kVariable: {
          const Value* value = Resolve(step.a);
          if (value == nullptr) return Missing(step);
          stack_[sp++] = value;
          break;
        }
        case OpCode::kNot: {
          const Value* operand = stack_[sp - 1];
          if (absl::Status status = ApplyNot(*operand, &stack_[sp - 1]); !status.ok()) {
            return SubExpressionError(StepText(plan_, step.begin, step.end), status.message(),
                                      absl::StrCat("not ", Describe(*operand)));
          }
          break;
        }
        case OpCode::kBinary: {
          const Value* right = stack_[--sp];
          const Value* left = stack_[sp - 1];
          // Registers exist whenever the plan has an arithmetic step (uses_registers).
          Value* scratch = registers_ != nullptr ? &registers_[sp - 1] : nullptr;
          if (absl::Status status = ApplyBinary(step.op, *left, *right, scratch, &stack_[sp - 1]);
              !status.ok()) {
            return SubExpressionError(StepText(plan_, step.begin, step.end), status.message(),
                                      DescribeBinary(step.op, *left, *right));
          }
          break;
        }
        case OpCode::kCompareVariable: {
          const Value* left = Resolve(step.a);
          if (left == nullptr) return Missing(step);
          const Value& right = plan_.constants[step.b];
          bool b = false;
          if (absl::Status status = Compare(step.op, *left, right, &b); !status.ok()) {
            return SubExpressionError(StepText(plan_, step.begin, step.end), status.message(),
                                      DescribeBinary(step.op, *left, right));
          }
          stack_[sp++] = BoolValue(b);
          break;
        }
        case OpCode::kCall: {
          sp -= step.b;
          const FunctionSpec& function = *plan_.functions[step.a];
          const absl::Span<const Value* const> args(stack_ + sp, step.b);
          Value result;
          if (absl::Status status = function.impl(args, &result); !status.ok()) {
            return SubExpressionError(StepText(plan_, step.begin, step.end), status.message(),
                                      DescribeCall(function.name, args));
          }
          registers_[sp] = std::move(result);
          stack_[sp] = &registers_[sp];
          ++sp;
          break;
        }
        case OpCode::kMatch: {
          const Value* subject = stack_[sp - 1];
          if (!subject->is_string()) {
            return SubExpressionError(
                StepText(plan_, step.begin, step.end),
                absl::StrCat("match: the first argument must be a string, got ",
                             subject->type_name()),
                "");
          }
          const re2::StringPiece text(subject->as_string().data(), subject->as_string().size());
          bool matched = false;
          for (uint32_t i = step.a; i < step.a + step.b && !matched; ++i) {
            matched = RE2::PartialMatch(text, *plan_.regexes[i]);
          }
          stack_[sp - 1] = BoolValue(matched);
          break;
        }
      }
    }
    const Value* result = stack_[0];
    if (!result->is_bool()) {
      return SubExpressionError(plan_.source,
                                absl::StrCat("the condition must produce a boolean, got ",
                                             result->type_name(), " ", Describe(*result)),
                                "");
    }
    return result->as_bool();
  }

 private:
  // The first alternative that resolves; null (not nullptr) when none does outside strict mode.
  const Value* Resolve(uint32_t reference_index) const {
    const Reference& reference = plan_.references[reference_index];
    for (const Reference::Alternative& alternative : reference.alternatives) {
      if (alternative.is_constant) return &plan_.constants[alternative.constant];
      if (const Value* value = variables_.Read(alternative.slot)) return value;
    }
    return strict_ ? nullptr : &kNull;
  }

  absl::Status Missing(const Step& step) const {
    const Reference& reference =
        plan_.references[step.a];
    std::vector<std::string> names;
    for (const Reference::Alternative& alternative : reference.alternatives) {
      names.push_back(plan_.variables[alternative.variable].path);
    }
    if (names.size() == 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("variable '", names[0], "' is not defined (strict mode)"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "none of the variables '", absl::StrJoin(names, "', '"), "' is defined (strict mode)"));
  }

  const Plan& plan_;
  const VariableReader& variables_;
  const bool strict_;
  const Value** stack_;
  Value* registers_;
};

}  // namespace
}  // namespace internal

Program::Program(std::unique_ptr<internal::Plan> plan) : plan_(std::move(plan)) {}
Program::~Program() = default;

absl::StatusOr<bool> Program::Evaluate(const VariableReader& variables, bool strict) const {
  if (plan_->max_stack <= internal::kInlineStack && !plan_->uses_registers) {
    const Value* stack[internal::kInlineStack];
    return internal::Runner(*plan_, variables, strict, stack, nullptr).Run();
  }
  if (plan_->max_stack <= internal::kInlineStack) {
    const Value* stack[internal::kInlineStack];
    Value registers[internal::kInlineStack];
    return internal::Runner(*plan_, variables, strict, stack, registers).Run();
  }
  std::vector<const Value*> stack(plan_->max_stack);
  std::vector<Value> registers(plan_->max_stack);
  return internal::Runner(*plan_, variables, strict, stack.data(), registers.data()).Run();
}

const std::vector<Program::Variable>& Program::variables() const { return plan_->variables; }

absl::string_view Program::source() const { return plan_->source; }

}  // namespace gatehouse::conditions
