#include "providers/host/host_info.h"

#include <unistd.h>

#include "agent/provider/provider.h"
#include "agent/provider/recording_sink.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::providers {
namespace {

constexpr char kTestdata[] = "providers/host/testdata/";

TEST(ParseOsReleaseTest, QuotesCommentsAndEscapes) {
  auto fields = ParseOsRelease("# c\nID=ubuntu\nNAME=\"Ubuntu \\\"LTS\\\"\"\nX='y'\nbroken\n");
  EXPECT_EQ(fields["ID"], "ubuntu");
  EXPECT_EQ(fields["NAME"], "Ubuntu \"LTS\"");
  EXPECT_EQ(fields["X"], "y");
  EXPECT_EQ(fields.count("broken"), 0u);
}

TEST(CollectHostInfoTest, UbuntuIsDebianFamily) {
  HostSources sources{std::string(kTestdata) + "os-release-ubuntu",
                      std::string(kTestdata) + "machine-id"};
  ASSERT_OK_AND_ASSIGN(Value::Map host, CollectHostInfo(sources));
  Value value(host);
  EXPECT_EQ(*value.FindPath("os.family"), Value("debian"));
  EXPECT_EQ(*value.FindPath("os.platform"), Value("ubuntu"));
  EXPECT_EQ(*value.FindPath("os.version"), Value("22.04"));
  EXPECT_EQ(*value.Find("platform"), Value("ubuntu"));
  EXPECT_EQ(*value.Find("id"), Value("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(value.Find("ip")->is_list());
  EXPECT_TRUE(value.Find("mac")->is_list());
  char hostname[256] = {0};
  ASSERT_EQ(gethostname(hostname, sizeof(hostname) - 1), 0);
  EXPECT_FALSE(value.Find("name")->as_string().empty());
  EXPECT_FALSE(value.Find("architecture")->as_string().empty());
}

TEST(CollectHostInfoTest, DebianIsItsOwnFamily) {
  HostSources sources{std::string(kTestdata) + "os-release-debian", "/nonexistent/machine-id"};
  ASSERT_OK_AND_ASSIGN(Value::Map host, CollectHostInfo(sources));
  Value value(host);
  EXPECT_EQ(*value.FindPath("os.family"), Value("debian"));
  EXPECT_EQ(*value.FindPath("os.version"), Value("12"));
  EXPECT_EQ(value.Find("id"), nullptr);  // no machine-id: left out, not an error
}

TEST(CollectHostInfoTest, NoOsReleaseLeavesOsFactsOut) {
  ASSERT_OK_AND_ASSIGN(Value::Map host, CollectHostInfo({"/nonexistent", "/nonexistent"}));
  Value value(host);
  EXPECT_EQ(value.FindPath("os.family"), nullptr);
  EXPECT_NE(value.FindPath("os.kernel"), nullptr);
}

TEST(HostProviderTest, PublishesAtStartAndAgainEveryInterval) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find("host");
  ASSERT_NE(factory, nullptr);
  ASSERT_OK_AND_ASSIGN(Value options, ApplyOptions(Value(Value::Map{{"check_interval", "1m"}}),
                                                   factory->options(), "provider 'host'"));
  FakeClock clock;
  ProviderContext context;
  context.clock = &clock;
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(options, context));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  EXPECT_EQ(sink.published().size(), 1u);
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Minutes(1));
  EXPECT_TRUE(sink.AwaitPublished(2));
  provider->Stop();
  provider->Stop();
  EXPECT_TRUE(sink.last().Find("name") != nullptr);
}

}  // namespace
}  // namespace gatehouse::providers
