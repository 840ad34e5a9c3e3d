#include "agent/provider/provider.h"
#include "agent/provider/recording_sink.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

absl::StatusOr<Value> LocalOptions(const Value& config) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("local");
  if (factory == nullptr) return absl::NotFoundError("local is not registered");
  return ApplyOptions(config, factory->options(), "provider 'local'");
}

TEST(LocalProviderTest, PublishesVars) {
  Value vars(Value::Map{{"foo", "bar"}, {"nested", Value(Value::Map{{"n", 1}})}});
  ASSERT_OK_AND_ASSIGN(Value options, LocalOptions(Value(Value::Map{{"vars", vars}})));
  ASSERT_OK_AND_ASSIGN(auto provider, Registry<ProviderFactory>::Global().Find("local")->Create(
                                          options, ProviderContext{}));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  EXPECT_EQ(sink.last(), vars);
}

TEST(LocalProviderTest, NoVarsPublishesAnEmptyMapping) {
  ASSERT_OK_AND_ASSIGN(Value options, LocalOptions(Value()));
  ASSERT_OK_AND_ASSIGN(auto provider, Registry<ProviderFactory>::Global().Find("local")->Create(
                                          options, ProviderContext{}));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  EXPECT_EQ(sink.last(), Value(Value::Map{}));
}

TEST(LocalProviderTest, VarsMustBeAMap) {
  EXPECT_STATUS(LocalOptions(Value(Value::Map{{"vars", Value(Value::List{1})}})),
                absl::StatusCode::kInvalidArgument, "option 'vars' must be a map");
}

}  // namespace
}  // namespace gatehouse::providers
