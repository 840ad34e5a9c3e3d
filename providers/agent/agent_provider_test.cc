#include "agent/provider/provider.h"
#include "agent/provider/recording_sink.h"
#include "agent/registry/registry.h"
#include "agent/version.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

TEST(AgentProviderTest, PublishesIdFromContextAndVersion) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("agent");
  ASSERT_NE(factory, nullptr);
  ProviderContext context;
  context.agent_id = "agent-7";
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(Value(Value::Map{}), context));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  provider->Stop();
  EXPECT_EQ(sink.last(), Value(Value::Map{{"id", "agent-7"}, {"version", kVersion}}));
}

}  // namespace
}  // namespace gatehouse::providers
