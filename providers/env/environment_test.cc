#include "providers/env/environment.h"

#include <cstdlib>

#include "agent/provider/provider.h"
#include "agent/provider/recording_sink.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

TEST(EnvironmentMappingTest, ParsesEntries) {
  const char* envp[] = {"A=1", "B=x=y", "EMPTY=", "NOEQUALS", "=nameless", "A=second", nullptr};
  Value::Map mapping = EnvironmentMapping(envp);
  EXPECT_EQ(mapping.size(), 3u);
  EXPECT_EQ(mapping["A"], Value("1"));
  EXPECT_EQ(mapping["B"], Value("x=y"));
  EXPECT_EQ(mapping["EMPTY"], Value(""));
  EXPECT_TRUE(EnvironmentMapping(nullptr).empty());
}

TEST(EnvProviderTest, RegisteredAndPublishesTheRealEnvironment) {
  ASSERT_EQ(setenv("GATEHOUSE_ENV_PROVIDER_TEST", "hello", 1), 0);
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("env");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(factory->kind(), ProviderFactory::Kind::kContext);
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(Value(Value::Map{}), ProviderContext{}));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  provider->Stop();
  provider->Stop();
  const Value* value = sink.last().Find("GATEHOUSE_ENV_PROVIDER_TEST");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, Value("hello"));
}

}  // namespace
}  // namespace gatehouse::providers
