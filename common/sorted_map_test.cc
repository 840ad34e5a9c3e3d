// SortedObjectMap as Value::Map: the same order, lookups and results as std::map.
#include "common/sorted_map.h"

#include <iterator>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/value.h"
#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(SortedMapTest, InsertOrAssignAndBounds) {
  SortedObjectMap<std::string, int> map;
  EXPECT_TRUE(map.insert_or_assign("b", 1).second);
  EXPECT_FALSE(map.insert_or_assign(std::string("b"), 2).second);  // assigned
  EXPECT_EQ(map.at("b"), 2);
  map.insert_or_assign("d", 4);
  EXPECT_EQ(map.lower_bound("b")->first, "b");
  EXPECT_EQ(map.upper_bound("b")->first, "d");
  EXPECT_EQ(map.lower_bound("c")->first, "d");
  EXPECT_EQ(map.upper_bound("c")->first, "d");
  EXPECT_EQ(map.lower_bound("e"), map.end());
  const auto& cmap = map;
  EXPECT_EQ(cmap.lower_bound("a"), cmap.begin());
}

TEST(SortedMapTest, MovesFromMoveIterators) {
  std::vector<std::pair<std::string, std::string>> items = {{"a", std::string(40, 'x')},
                                                            {"b", std::string(40, 'y')}};
  SortedObjectMap<std::string, std::string> map(std::make_move_iterator(items.begin()),
                                                std::make_move_iterator(items.end()));
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.at("b"), std::string(40, 'y'));
  EXPECT_TRUE(items[0].second.empty());  // moved, not copied
}

// Random inserts into a Value::Map and a std::map: the same entries in the same order, the same
// JSON, whatever the order of insertion.
TEST(SortedMapTest, ValueMapMatchesStdMap) {
  std::mt19937 random(11);
  const std::vector<std::string> keys = {"a",  "b", "ab", "B", "@t", "\xc3\xa9", "z",
                                         "_",  "a0", "",   "a.b", "kubernetes"};
  for (int round = 0; round < 100; ++round) {
    Value::Map map;
    std::map<std::string, Value, std::less<>> reference;
    for (int step = 0; step < 30; ++step) {
      const std::string& key = keys[random() % keys.size()];
      switch (random() % 4) {
        case 0:
          map.emplace(key, Value(step));
          reference.emplace(key, Value(step));
          break;
        case 1:
          map.insert_or_assign(key, Value(key));
          reference.insert_or_assign(key, Value(key));
          break;
        case 2:
          map[key] = Value(step);
          reference[key] = Value(step);
          break;
        case 3:
          map.erase(key);
          reference.erase(key);
          break;
      }
      ASSERT_EQ(map.size(), reference.size());
      ASSERT_TRUE(std::equal(map.begin(), map.end(), reference.begin(),
                             [](const auto& a, const auto& b) {
                               return a.first == b.first && a.second == b.second;
                             }));
    }
    Value::Map copy(reference.begin(), reference.end());
    EXPECT_EQ(Value(copy), Value(map));
    EXPECT_EQ(Value(copy).ToJson(), Value(std::move(map)).ToJson());
  }
}

TEST(SortedMapTest, NestedValueMaps) {
  const Value inner(Value::Map{{"y", Value(1)}, {"x", Value("s")}});
  const Value outer(Value::Map{{"z", inner}, {"a", Value(Value::List{inner, Value()})}});
  EXPECT_EQ(outer.ToJson(), R"({"a":[{"x":"s","y":1},null],"z":{"x":"s","y":1}})");
  ASSERT_NE(outer.FindPath("z.y"), nullptr);
  EXPECT_EQ(*outer.FindPath("z.y"), Value(1));
  EXPECT_EQ(outer.Find("q"), nullptr);
}

}  // namespace
}  // namespace gatehouse
