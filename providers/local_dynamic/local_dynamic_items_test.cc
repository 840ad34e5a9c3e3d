#include "providers/local_dynamic/local_dynamic_items.h"

#include "agent/provider/provider.h"
#include "agent/provider/recording_sink.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

Value Item(Value::Map item) { return Value(std::move(item)); }

TEST(ParseLocalDynamicItemsTest, IdsAreIndexOrGiven) {
  Value processors(Value::List{Value(Value::Map{{"add_tags", Value(Value::Map{})}})});
  Value items(Value::List{Item({{"vars", Value(Value::Map{{"key", "a"}})}}),
                          Item({{"vars", Value(Value::Map{{"key", "b"}})},
                                {"processors", processors},
                                {"id", "bee"}}),
                          Item({{"vars", Value(Value::Map{})}, {"id", 7}})});
  ASSERT_OK_AND_ASSIGN(auto parsed, ParseLocalDynamicItems(items));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0].id, "0");
  EXPECT_EQ(parsed[0].vars.at("key"), Value("a"));
  EXPECT_TRUE(parsed[0].processors.is_null());
  EXPECT_EQ(parsed[1].id, "bee");
  EXPECT_EQ(parsed[1].processors, processors);
  EXPECT_EQ(parsed[2].id, "7");
}

TEST(ParseLocalDynamicItemsTest, ErrorsNameTheItemAndKey) {
  EXPECT_STATUS(ParseLocalDynamicItems(Value(Value::List{1})),
                absl::StatusCode::kInvalidArgument, "items[0]: must be a map");
  EXPECT_STATUS(
      ParseLocalDynamicItems(Value(Value::List{Item({{"vars", Value(Value::Map{})}}),
                                               Item({{"procesors", Value(Value::List{})}})})),
      absl::StatusCode::kInvalidArgument, "items[1]: unknown key 'procesors'");
  EXPECT_STATUS(ParseLocalDynamicItems(Value(Value::List{Item({{"id", "x"}})})),
                absl::StatusCode::kInvalidArgument, "items[0]: missing 'vars'");
  EXPECT_STATUS(ParseLocalDynamicItems(Value(Value::List{Item({{"vars", 3}})})),
                absl::StatusCode::kInvalidArgument, "'vars' must be a map");
  EXPECT_STATUS(
      ParseLocalDynamicItems(Value(Value::List{Item({{"vars", Value(Value::Map{})}, {"id", "1"}}),
                                               Item({{"vars", Value(Value::Map{})}})})),
      absl::StatusCode::kInvalidArgument, "items[1]: repeated id '1'");
}

TEST(LocalDynamicProviderTest, UpsertsOneMappingPerItem) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("local_dynamic");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->kind(), ProviderFactory::Kind::kDynamic);
  Value config(Value::Map{
      {"items", Value(Value::List{Item({{"vars", Value(Value::Map{{"k", 1}})}}),
                                  Item({{"vars", Value(Value::Map{{"k", 2}})}})})}});
  ASSERT_OK_AND_ASSIGN(Value options,
                       ApplyOptions(config, factory->options(), "provider 'local_dynamic'"));
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(options, ProviderContext{}));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  auto mappings = sink.mappings();
  ASSERT_EQ(mappings.size(), 2u);
  EXPECT_EQ(mappings["1"].mapping, Value(Value::Map{{"k", 2}}));
}

TEST(LocalDynamicProviderTest, BadItemsFailCreate) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("local_dynamic");
  ASSERT_NE(factory, nullptr);
  EXPECT_STATUS(factory->Create(Value(Value::Map{{"items", Value(Value::List{2})}}),
                                ProviderContext{}),
                absl::StatusCode::kInvalidArgument, "items[0]");
}

}  // namespace
}  // namespace gatehouse::providers
