// Compile(): diagnostics with line/column/caret, nesting bounds, huge inputs, variable slots.
#include <string>

#include "conditions/conditions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::conditions {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

TEST(DiagnosticTest, RendersLineColumnAndCaret) {
  Diagnostic diagnostic;
  EXPECT_FALSE(Compile("true and fo(1)", {}, &diagnostic).ok());
  EXPECT_EQ(diagnostic.line, 1);
  EXPECT_EQ(diagnostic.column, 10);
  EXPECT_EQ(diagnostic.message, "unknown function 'fo'");
  EXPECT_EQ(diagnostic.Render("true and fo(1)"),
            "line 1, column 10: unknown function 'fo'\n  true and fo(1)\n           ^");
}

TEST(DiagnosticTest, StatusMessageIsTheRenderedDiagnostic) {
  const absl::Status status = Compile("fo(1)").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "line 1, column 1: unknown function 'fo'\n  fo(1)\n  ^");
}

TEST(DiagnosticTest, SecondLineAndUnicodeColumnsCountCharacters) {
  Diagnostic diagnostic;
  const std::string text = "${a} == 'é✓'\n\tand ${b} = 1";
  EXPECT_FALSE(Compile(text, {}, &diagnostic).ok());
  EXPECT_EQ(diagnostic.line, 2);
  EXPECT_EQ(diagnostic.column, 11);
  EXPECT_THAT(diagnostic.Render(text), HasSubstr("\n  \tand ${b} = 1\n  \t         ^"));
  Diagnostic unicode;
  EXPECT_FALSE(Compile("'é✓' == 'x' #", {}, &unicode).ok());
  EXPECT_EQ(unicode.column, 13);
}

TEST(DiagnosticTest, ConstantErrorPointsAtTheSubExpression) {
  Diagnostic diagnostic;
  EXPECT_FALSE(Compile("${a} == 1 or (2 / 0 == 1)", {}, &diagnostic).ok());
  EXPECT_EQ(diagnostic.column, 15);
  EXPECT_EQ(diagnostic.message, "2 / 0: division by zero");
}

TEST(DiagnosticTest, InvalidPatternPointsAtThePattern) {
  Diagnostic diagnostic;
  EXPECT_FALSE(Compile("match(${a}, 'ok', '(x')", {}, &diagnostic).ok());
  EXPECT_EQ(diagnostic.column, 19);
  EXPECT_THAT(diagnostic.message, HasSubstr("match: invalid pattern '(x'"));
}

TEST(NestingTest, DeepParenthesesAreAClearError) {
  const std::string text = std::string(100000, '(') + "true" + std::string(100000, ')');
  EXPECT_STATUS(Compile(text), absl::StatusCode::kInvalidArgument, "nests more than 200 levels");
}

TEST(NestingTest, DeepNotIsAClearError) {
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "not ";
  text += "true";
  EXPECT_STATUS(Compile(text), absl::StatusCode::kInvalidArgument, "nests more than 200 levels");
}

TEST(NestingTest, LongChainsAreAClearError) {
  std::string text = "true";
  for (int i = 0; i < 50000; ++i) text += " and true";
  EXPECT_STATUS(Compile(text), absl::StatusCode::kInvalidArgument, "nests more than 200 levels");
}

TEST(NestingTest, DeepOperatorsBeforeParenthesesAreAClearError) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "true or 1 + 2 * (";
  EXPECT_STATUS(Compile(text), absl::StatusCode::kInvalidArgument, "nests");
  std::string mixed;
  for (int i = 0; i < 20000; ++i) mixed += "not (${a} == 1 and ";
  EXPECT_STATUS(Compile(mixed), absl::StatusCode::kInvalidArgument, "nests");
}

TEST(NestingTest, DeepNestedCallsAreAClearError) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "length(string(";
  EXPECT_STATUS(Compile(text), absl::StatusCode::kInvalidArgument, "nests more than 200 levels");
}

TEST(NestingTest, DeepButReasonableNestingCompilesAndEvaluates) {
  // 100 levels: within both the nesting limit and the stack budget, even under sanitizers.
  const std::string text = std::string(100, '(') + "${x} == 1" + std::string(100, ')');
  MapVariables variables(Value(Value::Map{{"x", Value(1)}}));
  ASSERT_OK_AND_ASSIGN(auto program, Compile(text, {.resolver = &variables}));
  ASSERT_OK_AND_ASSIGN(bool result, program->Evaluate(variables));
  EXPECT_TRUE(result);
  std::string chain = "${x} == 1";
  for (int i = 0; i < 150; ++i) chain += " and ${x} + " + std::to_string(i) + " > 0";
  ASSERT_OK_AND_ASSIGN(auto long_program, Compile(chain, {.resolver = &variables}));
  ASSERT_OK_AND_ASSIGN(bool long_result, long_program->Evaluate(variables));
  EXPECT_TRUE(long_result);
}

TEST(HugeInputTest, LongStringsAndArraysWork) {
  const std::string big(100000, 'x');
  MapVariables variables(Value(Value::Map{{"s", Value(big)}}));
  ASSERT_OK_AND_ASSIGN(auto program,
                       Compile("${s} == '" + big + "' and length(${s}) == 100000",
                               {.resolver = &variables}));
  ASSERT_OK_AND_ASSIGN(bool result, program->Evaluate(variables));
  EXPECT_TRUE(result);
  std::string array = "arrayContains([";
  for (int i = 0; i < 20000; ++i) array += std::to_string(i) + ", ";
  array += "-1], ${n|19999})";
  ASSERT_OK_AND_ASSIGN(auto contains, Compile(array, {.resolver = &variables}));
  ASSERT_OK_AND_ASSIGN(bool found, contains->Evaluate(variables));
  EXPECT_TRUE(found);
}

TEST(HugeInputTest, ManyArgumentsUseTheHeapStackAndStillWork) {
  std::string call = "concat(";
  for (int i = 0; i < 1000; ++i) call += "${a}, ";
  call += "'!') == '";
  for (int i = 0; i < 1000; ++i) call += "z";
  call += "!'";
  MapVariables variables(Value(Value::Map{{"a", Value("z")}}));
  ASSERT_OK_AND_ASSIGN(auto program, Compile(call, {.resolver = &variables}));
  ASSERT_OK_AND_ASSIGN(bool result, program->Evaluate(variables));
  EXPECT_TRUE(result);
}

TEST(HugeInputTest, OverTheSizeLimitIsAClearError) {
  EXPECT_STATUS(Compile(std::string(kMaxConditionBytes + 1, ' ')),
                absl::StatusCode::kInvalidArgument, "longer than");
}

TEST(VariablesTest, ListsEveryVariableAlternativeOnce) {
  ASSERT_OK_AND_ASSIGN(auto program,
                       Compile("${a.b} == 1 or ${c|a.b|'k'} == 'k' or hasKey(${d}, 'x')"));
  EXPECT_THAT(program->variables(),
              ElementsAre(Field(&Program::Variable::path, "a.b"),
                          Field(&Program::Variable::path, "c"),
                          Field(&Program::Variable::path, "d")));
  // Without a resolver, slots are the program's own: 0..n-1.
  EXPECT_EQ(program->variables()[0].slot, 0u);
  EXPECT_EQ(program->variables()[2].slot, 2u);
  EXPECT_EQ(program->source(), "${a.b} == 1 or ${c|a.b|'k'} == 'k' or hasKey(${d}, 'x')");
}

TEST(VariablesTest, ResolverSlotsAreUsed) {
  MapVariables variables(Value(Value::Map{{"z", Value(1)}}));
  variables.Intern("first");
  ASSERT_OK_AND_ASSIGN(auto program, Compile("${z} == 1", {.resolver = &variables}));
  ASSERT_EQ(program->variables().size(), 1u);
  EXPECT_EQ(program->variables()[0].slot, 1u);
  EXPECT_EQ(variables.Read(program->variables()[0].slot)->as_int(), 1);
}

TEST(VariablesTest, ExplainReadsWhatEachVariableHeld) {
  MapVariables variables(Value(Value::Map{{"host", Value(Value::Map{{"name", Value("n")}})}}));
  ASSERT_OK_AND_ASSIGN(auto program,
                       Compile("${host.name} == 'n' and ${host.missing|'d'} == 'd'",
                               {.resolver = &variables}));
  ASSERT_EQ(program->variables().size(), 2u);
  EXPECT_EQ(*variables.Read(program->variables()[0].slot), Value("n"));
  EXPECT_EQ(variables.Read(program->variables()[1].slot), nullptr);
}

TEST(MapVariablesTest, DottedKeysAndManySlots) {
  MapVariables variables(Value(Value::Map{{"a.b", Value(Value::Map{{"c", Value(3)}})}}));
  EXPECT_EQ(variables.Read(variables.Intern("a.b.c"))->as_int(), 3);
  for (int i = 0; i < 1000; ++i) variables.Intern("p" + std::to_string(i));
  EXPECT_EQ(variables.Intern("a.b.c"), 0u);
  EXPECT_EQ(variables.Read(variables.Intern("p999")), nullptr);
  EXPECT_EQ(variables.Read(123456), nullptr);
}

}  // namespace
}  // namespace gatehouse::conditions
