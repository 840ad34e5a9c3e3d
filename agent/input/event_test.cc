// Event (basic_json over SortedObjectMap) against nlohmann::json (std::map): the same operations
// give the same documents and the same dump() bytes.
#include "agent/input/event.h"

#include <random>
#include <string>
#include <vector>

#include "common/sorted_map.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gatehouse {
namespace {

TEST(SortedObjectMapTest, KeysStaySortedByByteWhateverTheInsertionOrder) {
  Event event = Event::object();
  for (const char* key : {"b", "a", "\xc3\xa9", "B", "@timestamp", "aa", "", "a.b", "z"}) {
    event[key] = key;
  }
  std::vector<std::string> keys;
  for (const auto& item : event.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"", "@timestamp", "B", "a", "a.b", "aa", "b", "z",
                                            "\xc3\xa9"}));
  EXPECT_EQ(event.size(), 9u);
}

TEST(SortedObjectMapTest, LookupInsertEraseLikeStdMap) {
  SortedObjectMap<std::string, int> map;
  EXPECT_TRUE(map.emplace("m", 1).second);
  EXPECT_FALSE(map.emplace(std::string("m"), 2).second);  // keeps the first, as std::map
  EXPECT_EQ(map.at("m"), 1);
  map.emplace_hint(map.end(), "a", 3);  // not after the last key: still inserted in order
  map.emplace_hint(map.end(), "z", 4);
  map["c"] = 5;
  EXPECT_EQ(map.size(), 4u);
  EXPECT_EQ(map.begin()->first, "a");
  EXPECT_EQ(map.find(std::string_view("c"))->second, 5);
  EXPECT_EQ(map.find("q"), map.end());
  EXPECT_EQ(map.count("z"), 1u);
  EXPECT_EQ(map.erase("c"), 1u);
  EXPECT_EQ(map.erase("c"), 0u);
  EXPECT_THROW(map.at("c"), std::out_of_range);
  map.erase(map.begin());
  EXPECT_EQ(map.begin()->first, "m");
}

TEST(SortedObjectMapTest, ConvertsToAndFromNlohmannJson) {
  const nlohmann::json reference = nlohmann::json::parse(
      R"({"z": [1, {"y": null, "b": 2.5}], "a": {"c": "x", "b": true}, "m": -3})");
  const Event event(reference);
  EXPECT_EQ(event.dump(), reference.dump());
  EXPECT_EQ(nlohmann::json(event), reference);
  EXPECT_EQ(event, Event::parse(reference.dump()));
  EXPECT_LT(Event::parse(R"({"a": 1})"), Event::parse(R"({"a": 2})"));
}

// Random edits on both representations; after each, the documents dump to the same bytes.
TEST(SortedObjectMapTest, RandomEditsMatchStdMapJson) {
  std::mt19937 random(7);
  const std::vector<std::string> keys = {"a", "b", "ab", "B", "@t", "kubernetes", "z", "_", "a0"};
  auto key = [&] { return keys[random() % keys.size()]; };
  for (int round = 0; round < 200; ++round) {
    Event event = Event::object();
    nlohmann::json reference = nlohmann::json::object();
    for (int step = 0; step < 40; ++step) {
      const std::string k1 = key(), k2 = key();
      switch (random() % 6) {
        case 0:
          event[k1] = step;
          reference[k1] = step;
          break;
        case 1:
          if (!event.contains(k1) || event[k1].is_object()) {
            event[k1][k2] = k1 + k2;
            reference[k1][k2] = k1 + k2;
          }
          break;
        case 2:
          event.erase(k1);
          reference.erase(k1);
          break;
        case 3:
          event.emplace(k1, step);
          reference.emplace(k1, step);
          break;
        case 4: {
          Event patch = Event::object();
          patch[k2] = step;
          patch[k1] = nullptr;
          event.update(patch);
          reference.update(nlohmann::json(patch));
          break;
        }
        case 5:
          if (event.contains(k1) && event[k1].is_object()) {
            event[k1].erase(k2);
            reference[k1].erase(k2);
          }
          break;
      }
      ASSERT_EQ(event.dump(), reference.dump()) << "round " << round << " step " << step;
      ASSERT_EQ(nlohmann::json(event), reference);
    }
  }
}

}  // namespace
}  // namespace gatehouse
