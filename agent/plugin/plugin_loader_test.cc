#include "agent/plugin/plugin_loader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "agent/provider/recording_sink.h"
#include "agent/registry/options.h"
#include "agent/store/variable_store.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

const std::string kExample = "providers/examples/libexample_provider.so";
std::string TestPlugin(const std::string& name) {
  return "agent/plugin/testdata/lib" + name + "_provider.so";
}

TEST(PluginLoaderTest, LoadsTheExampleAndRunsIt) {
  Registry<ProviderFactory> registry;
  ASSERT_OK(LoadProviderPlugin(kExample, registry));
  const ProviderFactory* factory = registry.Find("example");
  ASSERT_NE(factory, nullptr);
  EXPECT_EQ(registry.OriginOf("example"), kExample);
  EXPECT_EQ(factory->kind(), ProviderFactory::Kind::kContext);
  ASSERT_EQ(factory->options().size(), 2u);
  EXPECT_EQ(factory->options()[0].name, "greeting");
  EXPECT_EQ(factory->options()[0].default_value, Value("hello"));
  EXPECT_EQ(factory->options()[1].type, OptionType::kDuration);

  // Through the real store: the plugin's JSON lands as variables.
  VariableStore store;
  const Slot greeting = store.Intern("example.greeting");
  const Slot agent_id = store.Intern("example.agent_id");
  ASSERT_OK_AND_ASSIGN(Value options,
                       ApplyOptions(Value(Value::Map{{"greeting", "hi there"}}), factory->options(),
                                    "provider 'example'"));
  ProviderContext context;
  context.agent_id = "agent-1";
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(options, context));
  auto sink = store.NewSink("example", factory->kind());
  ASSERT_OK(provider->Start(sink.get()));
  provider->Stop();
  provider->Stop();
  auto snapshot = store.Snapshot();
  ASSERT_NE(snapshot->Read(greeting), nullptr);
  EXPECT_EQ(*snapshot->Read(greeting), Value("hi there"));
  EXPECT_EQ(*snapshot->Read(agent_id), Value("agent-1"));
}

TEST(PluginLoaderTest, ExampleTicksOnItsOwnThread) {
  Registry<ProviderFactory> registry;
  ASSERT_OK(LoadProviderPlugin(kExample, registry));
  const ProviderFactory* factory = registry.Find("example");
  ASSERT_OK_AND_ASSIGN(Value options, ApplyOptions(Value(Value::Map{{"interval", "1ms"}}),
                                                   factory->options(), "provider 'example'"));
  ASSERT_OK_AND_ASSIGN(auto provider, factory->Create(options, ProviderContext{}));
  RecordingSink sink;
  ASSERT_OK(provider->Start(&sink));
  EXPECT_TRUE(sink.AwaitPublished(3));
  provider->Stop();
  EXPECT_GE(sink.last().Find("ticks")->as_int(), 2);
}

TEST(PluginLoaderTest, CreateErrorFromThePluginIsReported) {
  Registry<ProviderFactory> registry;
  ASSERT_OK(LoadProviderPlugin(kExample, registry));
  EXPECT_STATUS(registry.Find("example")->Create(Value(Value::Map{{"greeting", ""}}),
                                                 ProviderContext{}),
                absl::StatusCode::kInvalidArgument, "option 'greeting' must not be empty");
}

TEST(PluginLoaderTest, RefusesWrongAbiVersion) {
  Registry<ProviderFactory> registry;
  EXPECT_STATUS(LoadProviderPlugin(TestPlugin("bad_abi"), registry),
                absl::StatusCode::kFailedPrecondition,
                "plugin agent/plugin/testdata/libbad_abi_provider.so refused: ABI version 99");
  EXPECT_TRUE(registry.List().empty());
}

TEST(PluginLoaderTest, RefusesWrongStructSize) {
  Registry<ProviderFactory> registry;
  EXPECT_STATUS(LoadProviderPlugin(TestPlugin("bad_size"), registry),
                absl::StatusCode::kFailedPrecondition, "libbad_size_provider.so refused: descriptor struct size");
}

TEST(PluginLoaderTest, RefusesMissingEntrySymbol) {
  Registry<ProviderFactory> registry;
  EXPECT_STATUS(LoadProviderPlugin(TestPlugin("no_entry"), registry),
                absl::StatusCode::kFailedPrecondition,
                "libno_entry_provider.so refused: missing symbol gatehouse_plugin_v1");
}

TEST(PluginLoaderTest, RefusesDuplicateName) {
  Registry<ProviderFactory> registry;
  ASSERT_OK(LoadProviderPlugin(kExample, registry));
  EXPECT_STATUS(LoadProviderPlugin(TestPlugin("duplicate"), registry),
                absl::StatusCode::kFailedPrecondition,
                "libduplicate_provider.so refused: duplicate name: provider 'example'");
  EXPECT_EQ(registry.OriginOf("example"), kExample);  // the first one stays
}

TEST(PluginLoaderTest, RefusesAFileThatIsNotASharedObject) {
  const std::string path = std::string(getenv("TEST_TMPDIR")) + "/libjunk_provider.so";
  std::ofstream(path) << "not an ELF file";
  Registry<ProviderFactory> registry;
  EXPECT_STATUS(LoadProviderPlugin(path, registry), absl::StatusCode::kFailedPrecondition,
                "libjunk_provider.so refused: cannot load");
}

void Copy(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary);
  out << in.rdbuf();
}

TEST(PluginLoaderTest, LoadsADirectoryAndReportsEachRefusal) {
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/plugins";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  Copy(kExample, dir + "/libexample_provider.so");
  for (const char* name : {"good_test", "bad_abi", "no_entry", "duplicate"}) {
    Copy(TestPlugin(name), dir + "/lib" + name + "_provider.so");
  }
  Copy(kExample, dir + "/not_a_plugin.so");  // wrong name pattern: ignored
  Registry<ProviderFactory> registry;
  ASSERT_OK_AND_ASSIGN(PluginDirectoryReport report, LoadProviderPluginDirectory(dir, registry));
  // Name order: bad_abi, duplicate (first "example": loads), example (now the duplicate),
  // good_test, no_entry.
  EXPECT_EQ(report.loaded.size(), 2u);
  ASSERT_EQ(report.refused.size(), 3u);
  EXPECT_NE(registry.Find("good_test"), nullptr);
  EXPECT_NE(registry.Find("example"), nullptr);
  EXPECT_STATUS(LoadProviderPluginDirectory(dir + "/missing", registry),
                absl::StatusCode::kNotFound, "cannot be read");
}

}  // namespace
}  // namespace gatehouse
