#include "inputs/kubernetes/state_pod/state_pod.h"

#include <string>

#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/status_testing.h"

namespace gatehouse::kubernetes {
namespace {

using ::gatehouse::prometheus::Exposition;

TEST(StatePodTest, OneEventPerPodWithMetricbeatFields) {
  ASSERT_OK_AND_ASSIGN(std::string body, ::gatehouse::testing::ReadFileToString(
                                             ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom")));
  std::vector<Event> events = StatePod().CollectAll(Exposition::Parse(body));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1], Event::parse(R"({"kubernetes": {
      "namespace": "shop", "node": {"name": "worker-2"},
      "pod": {"name": "api-7d9f8c6b5-x2kqp", "uid": "5b0c6e0a-2222-4c1e-9a55-000000000002",
              "host_ip": "172.18.0.4", "ip": "10.244.2.9",
              "status": {"phase": "running", "ready": "false", "scheduled": "true"}}}})"))
      << events[1].dump(2);
  EXPECT_EQ(events[2]["kubernetes"]["pod"]["status"]["phase"], "succeeded");
  EXPECT_EQ(events[3]["kubernetes"]["pod"]["status"]["phase"], "pending");
  EXPECT_EQ(FindStateMetricset("state_pod"), FindStateMetricset("state_pod"));
  EXPECT_NE(FindStateMetricset("state_pod"), nullptr);
}

}  // namespace
}  // namespace gatehouse::kubernetes
