#include "common/value_yaml.h"

#include <cmath>

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

TEST(YamlScalarToValueTest, CoreSchemaBooleans) {
  for (const char* text : {"true", "True", "TRUE"}) EXPECT_EQ(YamlScalarToValue(text, false), Value(true)) << text;
  for (const char* text : {"false", "False", "FALSE"}) EXPECT_EQ(YamlScalarToValue(text, false), Value(false)) << text;
  EXPECT_EQ(YamlScalarToValue("tRue", false), Value("tRue"));
  EXPECT_EQ(YamlScalarToValue("yes", false), Value("yes"));  // YAML 1.1 only
}

TEST(YamlScalarToValueTest, CoreSchemaNulls) {
  for (const char* text : {"null", "Null", "NULL", "~", ""}) {
    EXPECT_TRUE(YamlScalarToValue(text, false).is_null()) << text;
  }
}

TEST(YamlScalarToValueTest, CoreSchemaInts) {
  EXPECT_EQ(YamlScalarToValue("1", false), Value(1));
  EXPECT_EQ(YamlScalarToValue("-12", false), Value(-12));
  EXPECT_EQ(YamlScalarToValue("+12", false), Value(12));
  EXPECT_EQ(YamlScalarToValue("0x1F", false), Value(31));
  EXPECT_EQ(YamlScalarToValue("0o17", false), Value(15));
  EXPECT_EQ(YamlScalarToValue("-9223372036854775808", false), Value(INT64_MIN));
  EXPECT_TRUE(YamlScalarToValue("9223372036854775808", false).is_double());
  EXPECT_EQ(YamlScalarToValue("0x", false), Value("0x"));
  EXPECT_EQ(YamlScalarToValue("0o8", false), Value("0o8"));
}

TEST(YamlScalarToValueTest, CoreSchemaFloats) {
  EXPECT_EQ(YamlScalarToValue("1.5", false), Value(1.5));
  EXPECT_EQ(YamlScalarToValue("1.0", false), Value(1.0));
  EXPECT_EQ(YamlScalarToValue(".5", false), Value(0.5));
  EXPECT_EQ(YamlScalarToValue("1e3", false), Value(1000.0));
  EXPECT_EQ(YamlScalarToValue("-2.5E-1", false), Value(-0.25));
  EXPECT_TRUE(std::isinf(YamlScalarToValue(".inf", false).as_double()));
  EXPECT_LT(YamlScalarToValue("-.Inf", false).as_double(), 0);
  EXPECT_TRUE(std::isnan(YamlScalarToValue(".NaN", false).as_double()));
  EXPECT_EQ(YamlScalarToValue(".", false), Value("."));
  EXPECT_EQ(YamlScalarToValue("1e", false), Value("1e"));
}

TEST(YamlScalarToValueTest, QuotedIsAlwaysAString) {
  EXPECT_EQ(YamlScalarToValue("1", true), Value("1"));
  EXPECT_EQ(YamlScalarToValue("true", true), Value("true"));
  EXPECT_EQ(YamlScalarToValue("", true), Value(""));
}

TEST(ParseYamlOrJsonTest, TypesScalarsInDocuments) {
  ASSERT_OK_AND_ASSIGN(Value value, ParseYamlOrJson(R"(
a: 1
b: '1'
c: "true"
d: true
e: ~
f: 2.0
g: [1, x, !!str 3]
h: {k: v}
)"));
  EXPECT_EQ(*value.Find("a"), Value(1));
  EXPECT_EQ(*value.Find("b"), Value("1"));
  EXPECT_EQ(*value.Find("c"), Value("true"));
  EXPECT_EQ(*value.Find("d"), Value(true));
  EXPECT_TRUE(value.Find("e")->is_null());
  EXPECT_EQ(*value.Find("f"), Value(2.0));
  EXPECT_EQ(*value.Find("g"), Value(Value::List{Value(1), Value("x"), Value("3")}));
  EXPECT_EQ(*value.Find("h"), Value(Value::Map{{"k", Value("v")}}));
}

TEST(ParseYamlOrJsonTest, JsonIsAccepted) {
  ASSERT_OK_AND_ASSIGN(Value value, ParseYamlOrJson(R"({"host": {"name": "n1", "cpus": 4}})"));
  EXPECT_EQ(*value.FindPath("host.name"), Value("n1"));
  EXPECT_EQ(*value.FindPath("host.cpus"), Value(4));
}

TEST(ParseYamlOrJsonTest, EmptyDocumentIsNull) {
  ASSERT_OK_AND_ASSIGN(Value value, ParseYamlOrJson(""));
  EXPECT_TRUE(value.is_null());
}

TEST(ParseYamlOrJsonTest, SyntaxErrorNamesLineAndColumn) {
  EXPECT_STATUS(ParseYamlOrJson("a: [1, 2\nb: c"), absl::StatusCode::kInvalidArgument, "line ");
  EXPECT_STATUS(ParseYamlOrJson("a: b: c"), absl::StatusCode::kInvalidArgument, "line 1");
}

TEST(ParseYamlOrJsonTest, DeepNestingIsAnErrorNotACrash) {
  std::string text(600, '[');
  text += std::string(600, ']');
  EXPECT_FALSE(ParseYamlOrJson(text).ok());
}

}  // namespace
}  // namespace gatehouse
