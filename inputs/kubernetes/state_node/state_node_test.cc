#include "inputs/kubernetes/state_node/state_node.h"

#include <string>

#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/status_testing.h"

namespace gatehouse::kubernetes {
namespace {

using ::gatehouse::prometheus::Exposition;

TEST(StateNodeTest, OneEventPerNodeWithMetricbeatFields) {
  ASSERT_OK_AND_ASSIGN(std::string body, ::gatehouse::testing::ReadFileToString(
                                             ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom")));
  std::vector<Event> events = StateNode().CollectAll(Exposition::Parse(body));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], Event::parse(R"({"kubernetes": {"node": {
      "name": "worker-1", "kernel_version": "6.1.0-18-amd64", "kubelet_version": "v1.29.1",
      "container_runtime_version": "containerd://1.7.13",
      "status": {"ready": "true", "unschedulable": false, "memory_pressure": "false",
                 "disk_pressure": "false"},
      "cpu": {"capacity": {"cores": 4.0}, "allocatable": {"cores": 3.5}},
      "memory": {"capacity": {"bytes": 16765218816}, "allocatable": {"bytes": 15691476992}},
      "pod": {"capacity": {"total": 110}, "allocatable": {"total": 110}}}}})"))
      << events[0].dump(2);
  EXPECT_EQ(events[1]["kubernetes"]["node"]["status"]["ready"], "unknown");
  EXPECT_EQ(events[1]["kubernetes"]["node"]["status"]["unschedulable"], true);
  EXPECT_EQ(events[1]["kubernetes"]["node"]["status"]["disk_pressure"], "true");
}

TEST(StateNodeTest, RealScrapesHaveTheirNode) {
  auto files = ::gatehouse::testing::SharedKsmFixtures();
  if (files.empty()) GTEST_SKIP() << "../shared/ksm-fixtures is not there";
  for (const std::string& file : files) {
    ASSERT_OK_AND_ASSIGN(std::string body, ::gatehouse::testing::ReadFileToString(file));
    std::vector<Event> events = StateNode().CollectAll(Exposition::Parse(body));
    ASSERT_EQ(events.size(), 1u) << file;
    EXPECT_EQ(events[0]["kubernetes"]["node"]["status"]["ready"], "true") << file;
    EXPECT_TRUE(events[0]["kubernetes"]["node"]["cpu"]["capacity"].contains("cores")) << file;
  }
}

}  // namespace
}  // namespace gatehouse::kubernetes
