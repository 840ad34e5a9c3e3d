#include "common/value.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(ValueTest, ScalarsKeepTheirTypes) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value(true).is_bool());
  EXPECT_EQ(Value(42).as_int(), 42);
  EXPECT_TRUE(Value(int64_t{1} << 40).is_int());
  EXPECT_DOUBLE_EQ(Value(1.5).as_double(), 1.5);
  EXPECT_EQ(Value("text").as_string(), "text");
  EXPECT_TRUE(Value("text").is_string()) << "a C string must not decay to bool";
}

TEST(ValueTest, EqualityIsExactlyTyped) {
  EXPECT_EQ(Value(1), Value(1));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_EQ(Value(Value::List{1, "a"}), Value(Value::List{1, "a"}));
  EXPECT_NE(Value(Value::List{1}), Value(Value::List{1, 2}));
  EXPECT_EQ(Value(Value::Map{{"a", 1}}), Value(Value::Map{{"a", 1}}));
  EXPECT_NE(Value(Value::Map{{"a", 1}}), Value(Value::Map{{"b", 1}}));
}

TEST(ValueTest, CopiesShareStorage) {
  Value original(std::string(1000, 'x'));
  Value copy = original;
  EXPECT_EQ(&original.as_string(), &copy.as_string());
}

TEST(ValueTest, IdenticalMeansSameScalarOrSameStorage) {
  EXPECT_TRUE(Value(3).Identical(Value(3)));
  EXPECT_FALSE(Value(3).Identical(Value(3.0)));
  EXPECT_TRUE(Value().Identical(Value()));
  const Value text("a long enough string to live on the heap");
  const Value copy = text;
  EXPECT_TRUE(copy.Identical(text));
  // Equal content built separately is equal but not identical.
  const Value rebuilt("a long enough string to live on the heap");
  EXPECT_EQ(rebuilt, text);
  EXPECT_FALSE(rebuilt.Identical(text));
  const Value map(Value::Map{{"k", text}});
  EXPECT_TRUE(Value(map).Identical(map));
  EXPECT_FALSE(Value(Value::Map{{"k", text}}).Identical(map));
}

TEST(ValueTest, FindPathDescendsNestedMapsAndDottedKeys) {
  Value nested(Value::Map{{"a", Value::Map{{"b", Value::Map{{"c", 7}}}}},
                          {"x.y", Value::Map{{"z", "dotted"}}}});
  ASSERT_NE(nested.FindPath("a.b.c"), nullptr);
  EXPECT_EQ(nested.FindPath("a.b.c")->as_int(), 7);
  ASSERT_NE(nested.FindPath("x.y.z"), nullptr);
  EXPECT_EQ(nested.FindPath("x.y.z")->as_string(), "dotted");
  EXPECT_EQ(nested.FindPath("a.missing"), nullptr);
  EXPECT_EQ(nested.FindPath("a.b.c.d"), nullptr);
  EXPECT_EQ(Value(3).FindPath("a"), nullptr);
}

TEST(ValueTest, JsonIsCompactAndRoundTrippable) {
  Value v(Value::Map{{"b", Value::List{1, 2.5, 3.0, true, Value()}}, {"a", "q\"\n"}});
  EXPECT_EQ(v.ToJson(), R"({"a":"q\"\n","b":[1,2.5,3.0,true,null]})");
  EXPECT_EQ(Value(0.1).ToJson(), "0.1");
  EXPECT_EQ(Value(1e300).ToJson(), "1e+300");
  EXPECT_EQ(Value(std::numeric_limits<double>::quiet_NaN()).ToJson(), "null");
  EXPECT_EQ(Value(std::string("\x01")).ToJson(), "\"\\u0001\"");
}

}  // namespace
}  // namespace gatehouse


