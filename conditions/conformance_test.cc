// Runs every case of testdata/conditions/cases.jsonl: compile against the case's variables,
// evaluate (strict if asked), and compare the result or the error kind and message.
#include <fstream>
#include <string>
#include <vector>

#include "common/value_json.h"
#include "conditions/conditions.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gatehouse::conditions {
namespace {

struct Case {
  int line = 0;
  nlohmann::json json;
};

std::vector<Case> LoadCases() {
  std::ifstream in("testdata/conditions/cases.jsonl");
  std::vector<Case> cases;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.empty()) continue;
    cases.push_back({line, nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false)});
  }
  return cases;
}

void PrintTo(const Case& c, std::ostream* os) { *os << "line " << c.line; }

class ConformanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConformanceTest, Case) {
  const Case& c = GetParam();
  ASSERT_FALSE(c.json.is_discarded()) << "cases.jsonl line " << c.line << " is not JSON";
  const std::string expr = c.json.at("expr").get<std::string>();
  SCOPED_TRACE("cases.jsonl line " + std::to_string(c.line) + ": " + expr);
  MapVariables variables(c.json.contains("vars") ? JsonToValue(c.json["vars"]) : Value());
  const bool strict = c.json.value("strict", false);

  absl::StatusOr<std::shared_ptr<const Program>> program =
      Compile(expr, {.resolver = &variables});
  absl::StatusOr<bool> result =
      program.ok() ? (*program)->Evaluate(variables, strict) : absl::StatusOr<bool>(true);
  if (c.json.contains("result")) {
    ASSERT_TRUE(program.ok()) << program.status();
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(*result, c.json["result"].get<bool>());
    return;
  }
  const std::string kind = c.json.at("kind").get<std::string>();
  const std::string error = c.json.at("error").get<std::string>();
  if (kind == "parse") {
    ASSERT_FALSE(program.ok()) << "compiled, and evaluated to "
                               << (result.ok() ? (*result ? "true" : "false")
                                               : result.status().ToString());
    EXPECT_EQ(program.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(program.status().message().find(error), std::string::npos) << program.status();
    // Every compile error shows the line of the condition with a caret.
    EXPECT_NE(program.status().message().find("^"), std::string::npos) << program.status();
  } else {
    ASSERT_TRUE(program.ok()) << program.status();
    ASSERT_FALSE(result.ok()) << "evaluated to " << *result;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find(error), std::string::npos) << result.status();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ConformanceTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return "line" + std::to_string(info.param.line);
                         });

TEST(ConformanceFileTest, HasCases) { EXPECT_GT(LoadCases().size(), 300u); }

}  // namespace
}  // namespace gatehouse::conditions
