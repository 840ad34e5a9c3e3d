// The whole chain in one process over real loopback HTTP and a real file: ksm test server ->
// kubernetes/metrics input -> pipeline (metadata, processors) -> bounded queue -> output worker ->
// file output. One event per container per period, none lost or doubled when the input stops.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "agent/output/event_queue.h"
#include "agent/output/file_output.h"
#include "agent/output/output_worker.h"
#include "agent/pipeline/pipeline.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/ksm_server.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

class CountingObserver final : public InputObserver {
 public:
  void CollectionSucceeded(absl::string_view, int64_t events) override {
    absl::MutexLock lock(&mu_);
    ++succeeded_;
  }
  void CollectionFailed(absl::string_view, const absl::Status& error) override {
    absl::MutexLock lock(&mu_);
    failures_.push_back(error.ToString());
  }
  bool AwaitSucceeded(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return succeeded_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(20));
  }
  std::vector<std::string> failures() {
    absl::MutexLock lock(&mu_);
    return failures_;
  }

 private:
  absl::Mutex mu_;
  int succeeded_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
};

TEST(EndToEndTest, OneEventPerContainerPerPeriodIntoTheFile) {
  ::gatehouse::testing::KsmServerOptions server_options;
  server_options.exposition_file = ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom");
  ASSERT_OK_AND_ASSIGN(auto server, ::gatehouse::testing::KsmServer::Start(server_options));

  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/e2e.ndjson";
  std::filesystem::remove(path);

  FakeClock clock;
  EventQueue queue(4, "e2e");  // small: publishers meet back-pressure
  ASSERT_OK_AND_ASSIGN(auto file, FileOutput::Open({.path = path}));
  ASSERT_OK_AND_ASSIGN(auto worker,
                       OutputWorker::Create(std::move(file), &queue, {.name = "e2e", .max_batch = 3}));
  worker->Start();

  const Value input_config(Value::Map{
      {"type", Value("kubernetes/metrics")},
      {"data_stream", Value(Value::Map{{"namespace", Value("prod")}})},
      {"streams",
       Value(Value::List{Value(Value::Map{
           {"metricsets", Value(Value::List{Value("state_container")})},
           {"hosts", Value(Value::List{Value(server->host())})},
           {"period", Value("10s")},
           {"data_stream", Value(Value::Map{{"dataset", Value("kubernetes.state_container")},
                                            {"type", Value("metrics")}})}})})}});
  PipelineConfig pipeline_config;
  pipeline_config.input_id = "kubernetes-cluster-metrics";
  pipeline_config.input_config = input_config;
  pipeline_config.input_processors = Value(Value::List{Value(Value::Map{
      {"add_fields", Value(Value::Map{{"target", Value("orchestrator.cluster")},
                                      {"fields", Value(Value::Map{{"name", Value("kind")}})}})}})});
  pipeline_config.agent = {"agent-1", "0.1.0", "node-a"};
  pipeline_config.queue = &queue;
  pipeline_config.clock = &clock;
  ASSERT_OK_AND_ASSIGN(auto pipeline, Pipeline::Create(std::move(pipeline_config)));

  CountingObserver observer;
  InputContext context;
  context.id = "kubernetes-cluster-metrics";
  context.config = input_config;
  context.publisher = pipeline.get();
  context.observer = &observer;
  context.clock = &clock;
  const InputFactory* factory = Registry<InputFactory>::Global().Find("kubernetes/metrics");
  ASSERT_NE(factory, nullptr);
  ASSERT_OK_AND_ASSIGN(auto input, factory->Create(std::move(context)));
  ASSERT_OK(input->Start());

  for (int period = 1; period <= 3; ++period) {
    ASSERT_TRUE(observer.AwaitSucceeded(period));
    ASSERT_TRUE(clock.AwaitSleepers(1));
    if (period < 3) clock.Advance(absl::Seconds(10));
  }
  input->Stop();  // the condition turned false
  ASSERT_OK(worker->Stop());
  EXPECT_TRUE(observer.failures().empty());

  std::ifstream in(path);
  std::map<std::string, std::set<std::string>> containers_by_timestamp;
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    Event e = Event::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(e.is_discarded()) << line;
    EXPECT_EQ(e["data_stream"]["namespace"], "prod");
    EXPECT_EQ(e["data_stream"]["dataset"], "kubernetes.state_container");
    EXPECT_EQ(e["agent"]["id"], "agent-1");
    EXPECT_EQ(e["host"]["name"], "node-a");
    EXPECT_EQ(e["orchestrator"]["cluster"]["name"], "kind");
    const std::string key = e["kubernetes"]["pod"]["name"].get<std::string>() + "/" +
                            e["kubernetes"]["container"]["name"].get<std::string>();
    EXPECT_TRUE(containers_by_timestamp[e["@timestamp"].get<std::string>()].insert(key).second)
        << "duplicate " << key;
  }
  EXPECT_EQ(lines, 18);
  ASSERT_EQ(containers_by_timestamp.size(), 3u);
  for (const auto& [timestamp, containers] : containers_by_timestamp) {
    EXPECT_EQ(containers.size(), 6u) << timestamp;
  }
  EXPECT_EQ(pipeline->published(), 18);
}

}  // namespace
}  // namespace gatehouse
