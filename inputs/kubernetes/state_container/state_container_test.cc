#include "inputs/kubernetes/state_container/state_container.h"

#include <string>

#include "common/worker_pool.h"
#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/synthetic_cluster.h"
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

// What kube-state-metrics adds with --metric-labels-allowlist / --metric-annotations-allowlist,
// and a ReplicaSet's owner: the families add_metadata reads.
constexpr char kMetadataFamilies[] = R"(# TYPE kube_pod_labels gauge
kube_pod_labels{namespace="shop",pod="web-0",uid="5b0c6e0a-1111-4c1e-9a55-000000000001",label_app_kubernetes_io_name="web",label_tier="frontend"} 1
kube_pod_labels{namespace="shop",pod="api-7d9f8c6b5-x2kqp",uid="5b0c6e0a-2222-4c1e-9a55-000000000002",label_app="api"} 1
# TYPE kube_pod_annotations gauge
kube_pod_annotations{namespace="shop",pod="web-0",uid="5b0c6e0a-1111-4c1e-9a55-000000000001",annotation_prometheus_io_scrape="true"} 1
# TYPE kube_node_labels gauge
kube_node_labels{node="worker-1",label_kubernetes_io_hostname="worker-1",label_topology_kubernetes_io_zone="eu-1a"} 1
# TYPE kube_replicaset_owner gauge
kube_replicaset_owner{namespace="shop",replicaset="api-7d9f8c6b5",owner_kind="Deployment",owner_name="api",owner_is_controller="true"} 1
)";

TEST_F(StateContainerTest, AddMetadataEnrichesFromTheSameScrape) {
  const std::string body = body_ + kMetadataFamilies;
  prometheus::FamilyFilter filter;
  CollectOptions options;
  options.add_metadata = true;
  StateContainer().AddFamilies(options, &filter);
  Exposition scrape;
  scrape.Reparse(body, filter);
  ASSERT_EQ(scrape.error_count(), 0u) << scrape.ErrorSummary();
  std::vector<Event> events = StateContainer().CollectAll(scrape, options);
  ASSERT_EQ(events.size(), 6u);

  const Event* web = FindContainer(events, "web-0", "nginx");
  ASSERT_NE(web, nullptr);
  const Event& k = (*web)["kubernetes"];
  EXPECT_EQ(k["pod"], Event::parse(R"({"name": "web-0", "ip": "10.244.1.7",
                                       "uid": "5b0c6e0a-1111-4c1e-9a55-000000000001"})"));
  EXPECT_EQ(k["labels"], Event::parse(R"({"app_kubernetes_io_name": "web", "tier": "frontend"})"));
  EXPECT_EQ(k["annotations"], Event::parse(R"({"prometheus_io_scrape": "true"})"));
  EXPECT_EQ(k["node"], Event::parse(R"({"name": "worker-1", "labels": {
      "kubernetes_io_hostname": "worker-1", "topology_kubernetes_io_zone": "eu-1a"}})"));
  EXPECT_EQ(k["statefulset"]["name"], "web");
  EXPECT_FALSE(k.contains("replicaset"));

  const Event* api = FindContainer(events, "api-7d9f8c6b5-x2kqp", "api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ((*api)["kubernetes"]["replicaset"]["name"], "api-7d9f8c6b5");
  EXPECT_EQ((*api)["kubernetes"]["deployment"]["name"], "api");
  EXPECT_EQ((*api)["kubernetes"]["labels"]["app"], "api");
  EXPECT_FALSE((*api)["kubernetes"]["node"].contains("labels"));  // worker-2 has none listed

  // A Job's pod gets kubernetes.job.name; a ReplicaSet without an owner series no deployment.
  for (const Event& e : events) {
    if (e["kubernetes"]["pod"]["name"] == "job-pi-8x7vq") {
      EXPECT_EQ(e["kubernetes"]["job"]["name"], "job-pi");
    }
    if (e["kubernetes"]["pod"]["name"] == "pending-img-6c5d") {
      EXPECT_EQ(e["kubernetes"]["replicaset"]["name"], "pending-img");
      EXPECT_FALSE(e["kubernetes"].contains("deployment"));
    }
  }
}

TEST_F(StateContainerTest, WithoutAddMetadataNothingIsAddedAndNothingExtraIsParsed) {
  const std::string body = body_ + kMetadataFamilies;
  prometheus::FamilyFilter filter;
  StateContainer().AddFamilies(CollectOptions(), &filter);
  EXPECT_FALSE(filter.Accepts("kube_pod_labels"));
  EXPECT_FALSE(filter.Accepts("kube_node_labels"));
  EXPECT_TRUE(filter.Accepts("kube_pod_container_info"));
  Exposition scrape;
  scrape.Reparse(body, filter);
  // The same events as from the plain fixture, field for field.
  EXPECT_EQ(StateContainer().CollectAll(scrape), events_);
  // Even with the metadata families parsed, add_metadata off adds nothing.
  EXPECT_EQ(StateContainer().CollectAll(Exposition::Parse(body)), events_);
}

TEST_F(StateContainerTest, CollectAppendsAndReusesItsTablesBetweenScrapes) {
  Exposition scrape = Exposition::Parse(body_);
  std::vector<Event> events = {Event("already there")};
  StateContainer().Collect(scrape, {}, &events);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0], "already there");
  // A second, different scrape on the same thread starts from empty tables.
  Exposition small = Exposition::Parse(
      "kube_pod_container_info{namespace=\"a\",pod=\"p\",container=\"c\",image=\"i\"} 1\n");
  std::vector<Event> again = StateContainer().CollectAll(small);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["kubernetes"]["pod"]["name"], "p");
  EXPECT_FALSE(again[0]["kubernetes"].contains("node"));
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

TEST(StateContainerMetadataTest, NodeLabelsReachEveryContainerWhosePodInfoIsMissing) {
  // No kube_pod_info: the node comes from the resource series, and its labels are shared by
  // both containers (the second once got nothing: the first had taken them).
  const std::string body = R"(kube_node_labels{node="n1",label_zone="a"} 1
kube_pod_container_info{namespace="ns",pod="p1",container="c1",image="i1"} 1
kube_pod_container_info{namespace="ns",pod="p2",container="c2",image="i2"} 1
kube_pod_container_resource_requests{namespace="ns",pod="p1",container="c1",node="n1",resource="cpu",unit="core"} 0.1
kube_pod_container_resource_requests{namespace="ns",pod="p2",container="c2",node="n1",resource="cpu",unit="core"} 0.2
)";
  CollectOptions options;
  options.add_metadata = true;
  std::vector<Event> events = StateContainer().CollectAll(Exposition::Parse(body), options);
  ASSERT_EQ(events.size(), 2u);
  for (const Event& e : events) {
    EXPECT_EQ(e["kubernetes"]["node"], Event::parse(R"({"name": "n1", "labels": {"zone": "a"}})"))
        << e.dump();
  }
}

TEST(StateContainerThreadsTest, EventsBuiltOnSeveralThreadsAreTheSameInTheSameOrder) {
  const std::string body = ::gatehouse::testing::SyntheticClusterExposition(150, 2);
  const Exposition scrape = Exposition::Parse(body);
  WorkerPool pool(3);
  for (bool add_metadata : {false, true}) {
    CollectOptions options;
    options.add_metadata = add_metadata;
    const std::vector<Event> one_thread = StateContainer().CollectAll(scrape, options);
    ASSERT_EQ(one_thread.size(), 300u);
    options.workers = &pool;
    // Ranges as small as one event: every shared labels object (a node's, across many pods) is
    // copied by several threads at once, and moved only by a range that holds all its users.
    for (size_t min_events : {size_t{1}, size_t{7}, size_t{100}}) {
      options.min_parallel_events = min_events;
      // Until a helper has built some of the events (the caller may finish every range before
      // a helper wakes up), every run must give the same events.
      const uint64_t helped = pool.helper_tasks();
      for (int run = 0; run < 100 && pool.helper_tasks() == helped; ++run) {
        std::vector<Event> events = {Event("kept")};
        StateContainer().Collect(scrape, options, &events);
        ASSERT_EQ(events.size(), 301u);
        EXPECT_EQ(events[0], "kept");
        events.erase(events.begin());
        ASSERT_EQ(events, one_thread) << "add_metadata=" << add_metadata << " min=" << min_events;
      }
      EXPECT_GT(pool.helper_tasks(), helped) << "no helper built an event";
    }
    if (add_metadata) {
      EXPECT_TRUE(one_thread[299]["kubernetes"]["node"].contains("labels"));
      EXPECT_TRUE(one_thread[0]["kubernetes"]["node"].contains("labels"));
    }
  }
}

}  // namespace
}  // namespace gatehouse::kubernetes
