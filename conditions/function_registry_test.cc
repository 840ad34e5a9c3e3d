// FunctionRegistry: built-ins, user functions (the documented example), duplicates.
#include "conditions/function_registry.h"

#include <atomic>

#include "conditions/conditions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::conditions {
namespace {

using ::testing::HasSubstr;

absl::Status IsEven(absl::Span<const Value* const> args, Value* result) {
  if (!args[0]->is_int()) {
    return absl::InvalidArgumentError(
        absl::StrCat("isEven: needs an int, got ", args[0]->type_name()));
  }
  *result = Value(args[0]->as_int() % 2 == 0);
  return absl::OkStatus();
}

TEST(FunctionRegistryTest, BuiltinsHaveTheSixteenFunctions) {
  EXPECT_THAT(FunctionRegistry::Builtins().Names(),
              ::testing::ElementsAre("add", "arrayContains", "concat", "divide", "endsWith",
                                     "hasKey", "indexOf", "length", "match", "modulo", "multiply",
                                     "number", "startsWith", "string", "stringContains",
                                     "subtract"));
}

TEST(FunctionRegistryTest, UserFunctionCompilesAndEvaluates) {
  FunctionRegistry functions = FunctionRegistry::WithBuiltins();
  ASSERT_OK(functions.Register({.name = "isEven", .min_args = 1, .max_args = 1, .impl = IsEven}));
  MapVariables variables(Value(Value::Map{{"n", Value(4)}, {"s", Value("x")}}));
  ASSERT_OK_AND_ASSIGN(auto program,
                       Compile("isEven(${n}) and length('ab') == 2",
                               {.functions = &functions, .resolver = &variables}));
  ASSERT_OK_AND_ASSIGN(bool result, program->Evaluate(variables));
  EXPECT_TRUE(result);
  // Its errors read like the built-ins': the call, then why, then the values.
  ASSERT_OK_AND_ASSIGN(auto bad, Compile("isEven(${s})", {.functions = &functions,
                                                          .resolver = &variables}));
  EXPECT_STATUS(bad->Evaluate(variables), absl::StatusCode::kInvalidArgument,
                "isEven(${s}): isEven: needs an int, got string (isEven('x'))");
  // Arity is checked at compile time.
  EXPECT_STATUS(Compile("isEven(1, 2)", {.functions = &functions}),
                absl::StatusCode::kInvalidArgument, "isEven takes exactly 1 argument, got 2");
  // The built-in registry does not know it.
  EXPECT_STATUS(Compile("isEven(1)"), absl::StatusCode::kInvalidArgument,
                "unknown function 'isEven'");
}

TEST(FunctionRegistryTest, ProgramsOutliveTheirRegistry) {
  std::shared_ptr<const Program> program;
  {
    FunctionRegistry functions;
    ASSERT_OK(functions.Register({.name = "yes", .min_args = 0, .max_args = 0, .pure = false,
                                  .impl = [](absl::Span<const Value* const>, Value* result) {
                                    *result = Value(true);
                                    return absl::OkStatus();
                                  }}));
    ASSERT_OK_AND_ASSIGN(program, Compile("yes()", {.functions = &functions}));
  }
  MapVariables variables{Value()};
  ASSERT_OK_AND_ASSIGN(bool result, program->Evaluate(variables));
  EXPECT_TRUE(result);
}

TEST(FunctionRegistryTest, ImpureFunctionsAreNotFolded) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  FunctionRegistry functions;
  ASSERT_OK(functions.Register({.name = "tick", .min_args = 0, .max_args = 0, .pure = false,
                                .impl = [calls](absl::Span<const Value* const>, Value* result) {
                                  *result = Value(++*calls > 0);
                                  return absl::OkStatus();
                                }}));
  ASSERT_OK_AND_ASSIGN(auto program, Compile("tick()", {.functions = &functions}));
  EXPECT_EQ(calls->load(), 0);
  MapVariables variables{Value()};
  ASSERT_OK(program->Evaluate(variables));
  ASSERT_OK(program->Evaluate(variables));
  EXPECT_EQ(calls->load(), 2);
}

TEST(FunctionRegistryTest, DuplicatesAndBadSpecsAreRejected) {
  FunctionRegistry functions = FunctionRegistry::WithBuiltins();
  EXPECT_STATUS(functions.Register({.name = "length", .min_args = 1, .max_args = 1,
                                    .impl = IsEven}),
                absl::StatusCode::kAlreadyExists, "'length' is already registered");
  EXPECT_STATUS(functions.Register({.name = "bad-name", .impl = IsEven}),
                absl::StatusCode::kInvalidArgument, "not valid");
  EXPECT_STATUS(functions.Register({.name = "and", .impl = IsEven}),
                absl::StatusCode::kInvalidArgument, "not valid");
  EXPECT_STATUS(functions.Register({.name = "f", .min_args = 2, .max_args = 1, .impl = IsEven}),
                absl::StatusCode::kInvalidArgument, "bad arity");
  EXPECT_STATUS(functions.Register({.name = "nobody"}), absl::StatusCode::kInvalidArgument,
                "no body");
  ASSERT_OK(functions.Register({.name = "_ok2", .impl = IsEven}));
  EXPECT_NE(functions.Find("_ok2"), nullptr);
  EXPECT_EQ(FunctionRegistry::Builtins().Find("_ok2"), nullptr);
}

}  // namespace
}  // namespace gatehouse::conditions
