#include "common/metrics.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(MetricsTest, SameSeriesIsReturnedForSameNameAndLabels) {
  MetricsRegistry registry;
  Counter* a = registry.GetCounter("gatehouse_x_total", "x", {{"verb", "get"}});
  Counter* b = registry.GetCounter("gatehouse_x_total", "x", {{"verb", "get"}});
  Counter* c = registry.GetCounter("gatehouse_x_total", "x", {{"verb", "put"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(MetricsTest, CountersAreExactUnderConcurrency) {
  MetricsRegistry registry;
  Counter* counter = registry.GetCounter("gatehouse_events_total", "events");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([counter] {
      for (int i = 0; i < 10000; ++i) counter->Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter->value(), 40000);
}

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry registry;
  registry.GetCounter("gatehouse_requests_total", "API requests", {{"code", "200"}})->Increment(3);
  registry.GetGauge("gatehouse_leader", "1 while leading", {{"lease", "a\"b"}})->Set(1);
  Histogram* h = registry.GetHistogram("gatehouse_latency_seconds", "latency", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP gatehouse_latency_seconds latency\n"
            "# TYPE gatehouse_latency_seconds histogram\n"
            "gatehouse_latency_seconds_bucket{le=\"0.1\"} 1\n"
            "gatehouse_latency_seconds_bucket{le=\"1\"} 2\n"
            "gatehouse_latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "gatehouse_latency_seconds_sum 5.55\n"
            "gatehouse_latency_seconds_count 3\n"
            "# HELP gatehouse_leader 1 while leading\n"
            "# TYPE gatehouse_leader gauge\n"
            "gatehouse_leader{lease=\"a\\\"b\"} 1\n"
            "# HELP gatehouse_requests_total API requests\n"
            "# TYPE gatehouse_requests_total counter\n"
            "gatehouse_requests_total{code=\"200\"} 3\n");
}

}  // namespace
}  // namespace gatehouse
