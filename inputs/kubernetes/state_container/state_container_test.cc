#include "inputs/kubernetes/state_container/state_container.h"

#include <string>

#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/status_testing.h"

namespace gatehouse::kubernetes {
namespace {

using ::gatehouse::prometheus::Exposition;
using ::gatehouse::testing::ReadFileToString;
using ::gatehouse::testing::TestdataPath;

const Event* FindContainer(const std::vector<Event>& events, const std::string& pod,
                           const std::string& container) {
  for (const Event& e : events) {
    if (e["kubernetes"]["pod"]["name"] == pod && e["kubernetes"]["container"]["name"] == container) {
      return &e;
    }
  }
  return nullptr;
}

class StateContainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(body_, ReadFileToString(TestdataPath("testdata/ksm/cluster.prom")));
    Exposition scrape = Exposition::Parse(body_);
    ASSERT_EQ(scrape.error_count(), 0u) << scrape.ErrorSummary();
    events_ = StateContainer().CollectAll(scrape);
  }
  std::string body_;
  std::vector<Event> events_;
};

TEST_F(StateContainerTest, OneEventPerContainerAndInitContainer) {
  EXPECT_EQ(events_.size(), 6u);
  EXPECT_EQ(FindStateMetricset("state_container")->name(), "state_container");
}

TEST_F(StateContainerTest, RunningContainerWithRequestsAndLimits) {
  const Event* e = FindContainer(events_, "web-0", "nginx");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e, Event::parse(R"({
    "kubernetes": {
      "namespace": "shop",
      "pod": {"name": "web-0", "uid": "5b0c6e0a-1111-4c1e-9a55-000000000001"},
      "node": {"name": "worker-1"},
      "container": {
        "name": "nginx", "type": "container", "id": "0f3a9c1e2b4d",
        "cpu": {"request": {"cores": 0.25}, "limit": {"cores": 1.0}},
        "memory": {"request": {"bytes": 134217728}, "limit": {"bytes": 268435456}},
        "status": {"ready": true, "restarts": 0, "phase": "running"}
      }
    },
    "container": {"id": "0f3a9c1e2b4d", "runtime": "containerd",
                  "image": {"name": "docker.io/library/nginx:1.25"}}
  })")) << e->dump(2);
}

TEST_F(StateContainerTest, CrashLoopingContainerHasReasonsAndLastTermination) {
  const Event* e = FindContainer(events_, "api-7d9f8c6b5-x2kqp", "api");
  ASSERT_NE(e, nullptr);
  const Event& c = (*e)["kubernetes"]["container"];
  EXPECT_EQ(c["status"]["phase"], "waiting");
  EXPECT_EQ(c["status"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(c["status"]["ready"], false);
  EXPECT_EQ(c["status"]["restarts"], 7);
  EXPECT_EQ(c["status"]["last_terminated_reason"], "OOMKilled");
  EXPECT_EQ(c["status"]["last_terminated_exitcode"], 137);
  EXPECT_EQ(c["status"]["last_terminated_timestamp"], 1.7633124e+09);
  EXPECT_FALSE(c.contains("cpu") && c["cpu"].contains("limit"));  // only a memory limit
  EXPECT_EQ(c["memory"]["limit"]["bytes"], 536870912);
  EXPECT_EQ((*e)["kubernetes"]["node"]["name"], "worker-2");
}

TEST_F(StateContainerTest, OtherRuntimesAndMissingValues) {
  const Event* envoy = FindContainer(events_, "api-7d9f8c6b5-x2kqp", "envoy-sidecar");
  ASSERT_NE(envoy, nullptr);
  EXPECT_EQ((*envoy)["container"]["runtime"], "cri-o");
  EXPECT_EQ((*envoy)["container"]["id"], "9e8d7c6b5a4f");
  EXPECT_FALSE((*envoy)["kubernetes"]["container"].contains("memory"));

  const Event* pi = FindContainer(events_, "job-pi-8x7vq", "pi");
  ASSERT_NE(pi, nullptr);
  EXPECT_EQ((*pi)["container"]["runtime"], "docker");
  EXPECT_EQ((*pi)["kubernetes"]["container"]["status"]["phase"], "terminated");
  EXPECT_EQ((*pi)["kubernetes"]["container"]["status"]["reason"], "Completed");
  EXPECT_EQ((*pi)["kubernetes"]["namespace"], "batch");

  const Event* pending = FindContainer(events_, "pending-img-6c5d", "app");
  ASSERT_NE(pending, nullptr);
  const Event& c = (*pending)["kubernetes"]["container"];
  EXPECT_FALSE(c.contains("id"));  // not started: no container id yet
  EXPECT_FALSE((*pending)["container"].contains("id"));
  EXPECT_EQ((*pending)["container"]["image"]["name"], "registry.example.com/app:missing");
  EXPECT_FALSE(c.contains("cpu"));
  EXPECT_FALSE(c.contains("memory"));
  EXPECT_EQ(c["status"]["reason"], "ImagePullBackOff");
}

TEST_F(StateContainerTest, InitContainersAreTyped) {
  const Event* e = FindContainer(events_, "web-0", "init-config");
  ASSERT_NE(e, nullptr);
  const Event& c = (*e)["kubernetes"]["container"];
  EXPECT_EQ(c["type"], "init");
  EXPECT_EQ(c["status"]["phase"], "terminated");
  EXPECT_EQ(c["status"]["reason"], "Completed");
  EXPECT_EQ(c["cpu"]["request"]["cores"], 0.05);
  EXPECT_EQ((*e)["container"]["id"], "1a2b3c4d5e6f");
}

TEST(StateContainerSharedFixturesTest, EveryContainerOfTheRealScrapesHasAnEvent) {
  std::vector<std::string> files = ::gatehouse::testing::SharedKsmFixtures();
  if (files.empty()) GTEST_SKIP() << "../shared/ksm-fixtures is not there";
  for (const std::string& file : files) {
    ASSERT_OK_AND_ASSIGN(std::string body, ReadFileToString(file));
    Exposition scrape = Exposition::Parse(body);
    size_t info_series = 0;
    for (const auto& s : scrape.samples()) {
      if (s.name == "kube_pod_container_info" || s.name == "kube_pod_init_container_info") {
        ++info_series;
      }
    }
    std::vector<Event> events = StateContainer().CollectAll(scrape);
    EXPECT_EQ(events.size(), info_series) << file;
    for (const Event& e : events) {
      EXPECT_TRUE(e["kubernetes"]["node"].contains("name")) << file << ": " << e.dump();
      EXPECT_TRUE(e["kubernetes"]["container"]["status"].contains("phase")) << e.dump();
      EXPECT_TRUE(e["container"]["image"].contains("name")) << e.dump();
    }
  }
}

}  // namespace
}  // namespace gatehouse::kubernetes
