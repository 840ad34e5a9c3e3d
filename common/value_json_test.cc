#include "common/value_json.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

TEST(ValueJsonTest, IntsStayIntsAndDoublesStayDoubles) {
  ASSERT_OK_AND_ASSIGN(Value value, ParseJson(R"({"i": 1, "d": 1.0, "n": -7, "s": "x"})"));
  EXPECT_TRUE(value.Find("i")->is_int());
  EXPECT_EQ(value.Find("i")->as_int(), 1);
  EXPECT_TRUE(value.Find("d")->is_double());
  EXPECT_EQ(value.Find("n")->as_int(), -7);
  EXPECT_EQ(value.Find("s")->as_string(), "x");
}

TEST(ValueJsonTest, RoundTripsEveryType) {
  const Value original(Value::Map{
      {"null", Value()},
      {"bool", Value(true)},
      {"int", Value(int64_t{-9007199254740993})},
      {"double", Value(2.5)},
      {"string", Value("héllo")},
      {"list", Value(Value::List{Value(1), Value("a"), Value(Value::List{})})},
      {"map", Value(Value::Map{{"k", Value(false)}})},
  });
  EXPECT_EQ(JsonToValue(ValueToJson(original)), original);
  ASSERT_OK_AND_ASSIGN(Value reparsed, ParseJson(ValueToJson(original).dump()));
  EXPECT_EQ(reparsed, original);
}

TEST(ValueJsonTest, HugeUnsignedBecomesDouble) {
  ASSERT_OK_AND_ASSIGN(Value value, ParseJson("18446744073709551615"));
  EXPECT_TRUE(value.is_double());
  ASSERT_OK_AND_ASSIGN(Value max, ParseJson("9223372036854775807"));
  EXPECT_TRUE(max.is_int());
}

TEST(ValueJsonTest, NonFiniteBecomesNull) {
  EXPECT_TRUE(ValueToJson(Value(std::numeric_limits<double>::infinity())).is_null());
  EXPECT_TRUE(ValueToJson(Value(std::nan(""))).is_null());
}

TEST(ValueJsonTest, SyntaxErrorIsAStatusNotAnException) {
  EXPECT_STATUS(ParseJson(R"({"a": )"), absl::StatusCode::kInvalidArgument, "invalid JSON");
  EXPECT_STATUS(ParseJson(""), absl::StatusCode::kInvalidArgument, "invalid JSON");
}

}  // namespace
}  // namespace gatehouse
