#include "agent/pipeline/pipeline.h"

#include <thread>

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

Value Map(Value::Map m) { return Value(std::move(m)); }
Value List(Value::List l) { return Value(std::move(l)); }

PipelineConfig BaseConfig(EventQueue* queue, FakeClock* clock) {
  PipelineConfig config;
  config.input_id = "ksm-1";
  config.input_config = Map({{"type", "kubernetes/metrics"},
                             {"data_stream", Map({{"namespace", "prod"}})}});
  config.agent = {"agent-1", "0.1.0", "node-a"};
  config.queue = queue;
  config.clock = clock;
  return config;
}

TEST(PipelineTest, AddsMetadataAndRunsProcessorsInOrder) {
  EventQueue queue(10, "pipeline_test");
  FakeClock clock(absl::FromUnixMillis(1800000000000));
  PipelineConfig config = BaseConfig(&queue, &clock);
  config.provider_processors =
      List({Map({{"add_fields", Map({{"target", "orchestrator"}, {"fields", Map({{"cluster", "c1"}})}})}})});
  config.input_processors =
      List({Map({{"rename", Map({{"fields", List({Map({{"from", "orchestrator.cluster"},
                                                       {"to", "cluster.name"}})})}})}})});
  ASSERT_OK_AND_ASSIGN(auto pipeline, Pipeline::Create(std::move(config)));
  Event event = {{"event", {{"dataset", "kubernetes.state_container"}, {"module", "kubernetes"}}}};
  ASSERT_TRUE(pipeline->Publish(std::move(event)));

  std::vector<Event> out;
  ASSERT_EQ(queue.PopBatch(10, absl::ZeroDuration(), &out), 1u);
  const Event& e = out[0];
  EXPECT_EQ(e["@timestamp"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(e["data_stream"]["type"], "metrics");
  EXPECT_EQ(e["data_stream"]["dataset"], "kubernetes.state_container");
  EXPECT_EQ(e["data_stream"]["namespace"], "prod");
  EXPECT_EQ(e["agent"]["id"], "agent-1");
  EXPECT_EQ(e["agent"]["version"], "0.1.0");
  EXPECT_EQ(e["host"]["name"], "node-a");
  EXPECT_EQ(e["cluster"]["name"], "c1");
  EXPECT_TRUE(e["orchestrator"].empty());
  EXPECT_EQ(pipeline->published(), 1);
}

TEST(PipelineTest, UnknownProcessorFailsCreate) {
  EventQueue queue(1, "pipeline_test");
  FakeClock clock;
  PipelineConfig config = BaseConfig(&queue, &clock);
  config.input_processors = List({Map({{"decode_json", Map({})}})});
  EXPECT_STATUS(Pipeline::Create(std::move(config)), absl::StatusCode::kInvalidArgument,
                "input 'ksm-1': processors[0]: unknown processor 'decode_json'");
}

TEST(PipelineTest, FullQueueBlocksPublisherUntilRoomAndCountsTheWait) {
  EventQueue queue(1, "pipeline_backpressure_test");
  FakeClock clock;
  ASSERT_OK_AND_ASSIGN(auto pipeline, Pipeline::Create(BaseConfig(&queue, &clock)));
  ASSERT_TRUE(pipeline->Publish(Event{{"n", 1}}));
  std::thread publisher([&] { EXPECT_TRUE(pipeline->Publish(Event{{"n", 2}})); });
  while (queue.backpressure_waits() == 0) std::this_thread::yield();
  std::vector<Event> out;
  EXPECT_EQ(queue.PopBatch(1, absl::ZeroDuration(), &out), 1u);
  publisher.join();
  EXPECT_EQ(queue.PopBatch(1, absl::ZeroDuration(), &out), 1u);
  EXPECT_EQ(out[1]["n"], 2);
  EXPECT_NE(MetricsRegistry::Global().RenderPrometheus().find(
                "gatehouse_output_queue_backpressure_waits_total{queue=\"pipeline_backpressure_test\"} 1"),
            std::string::npos);
}

TEST(PipelineTest, ClosedPipelineOrQueueRefusesEvents) {
  EventQueue queue(4, "pipeline_test");
  FakeClock clock;
  ASSERT_OK_AND_ASSIGN(auto pipeline, Pipeline::Create(BaseConfig(&queue, &clock)));
  pipeline->Close();
  EXPECT_FALSE(pipeline->Publish(Event::object()));
  ASSERT_OK_AND_ASSIGN(auto second, Pipeline::Create(BaseConfig(&queue, &clock)));
  queue.Close();
  EXPECT_FALSE(second->Publish(Event::object()));
}

}  // namespace
}  // namespace gatehouse
