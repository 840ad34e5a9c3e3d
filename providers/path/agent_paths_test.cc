#include "providers/path/agent_paths.h"

#include "agent/provider/provider.h"
#include "agent/provider/recording_sink.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

TEST(AgentPathsTest, DerivesFromHome) {
  ASSERT_OK_AND_ASSIGN(Value::Map paths,
                       AgentPaths(Value(Value::Map{{"home", "/opt/gh"}}), "/cwd", ""));
  EXPECT_EQ(paths["home"], Value("/opt/gh"));
  EXPECT_EQ(paths["config"], Value("/opt/gh"));
  EXPECT_EQ(paths["data"], Value("/opt/gh/data"));
  EXPECT_EQ(paths["logs"], Value("/opt/gh/logs"));
}

TEST(AgentPathsTest, ConfiguredAndContextPathsWin) {
  ASSERT_OK_AND_ASSIGN(Value::Map paths,
                       AgentPaths(Value(Value::Map{{"logs", "/var/log/gh"}, {"config", "etc"}}),
                                  "/cwd", "/var/lib/gh"));
  EXPECT_EQ(paths["home"], Value("/cwd"));
  EXPECT_EQ(paths["config"], Value("/cwd/etc"));
  EXPECT_EQ(paths["data"], Value("/var/lib/gh"));
  EXPECT_EQ(paths["logs"], Value("/var/log/gh"));
}

TEST(AgentPathsTest, NoHomeAtAllIsAnError) {
  EXPECT_STATUS(AgentPaths(Value(), "", ""), absl::StatusCode::kFailedPrecondition, "home");
}

TEST(PathProviderTest, RegisteredWithOptions) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("path");
  ASSERT_NE(factory, nullptr);
  ASSERT_OK_AND_ASSIGN(Value options, ApplyOptions(Value(Value::Map{{"home", "/h"}}),
                                                   factory->options(), "provider 'path'"));
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(options, ProviderContext{}));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  EXPECT_EQ(*sink.last().Find("data"), Value("/h/data"));
  EXPECT_STATUS(ApplyOptions(Value(Value::Map{{"hme", "/h"}}), factory->options(), "provider 'path'"),
                absl::StatusCode::kInvalidArgument, "unknown option 'hme'");
}

}  // namespace
}  // namespace gatehouse::providers
