// The NDJSON bytes of every event scraped from the real and synthetic kube-state-metrics bodies
// are those nlohmann::json (std::map objects) writes for the same document: Event's flat sorted
// objects change how events are stored, never what leaves the process.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/input/event.h"
#include "agent/output/ndjson.h"
#include "gtest/gtest.h"
#include "inputs/kubernetes/common/state_metricset.h"
#include "inputs/kubernetes/metrics/stream_scraper.h"
#include "nlohmann/json.hpp"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/synthetic_cluster.h"
#include "testing/status_testing.h"

namespace gatehouse::kubernetes {
namespace {

// Scrapes `body` with every metricset, with and without add_metadata, and checks each event's
// line against std::map-based nlohmann::json: converted from the event, and parsed back from
// the line (which re-sorts every object). Returns the number of events checked.
size_t ExpectStdMapBytes(const std::string& body, const std::string& what) {
  size_t checked = 0;
  for (bool add_metadata : {false, true}) {
    for (const std::string& name : StateMetricsetNames()) {
      StreamScraperConfig config;
      config.metricsets = {FindStateMetricset(name)};
      config.collect.add_metadata = add_metadata;
      config.data_stream_dataset = "kubernetes.state";
      StreamScraper scraper(std::move(config));
      std::vector<Event> events;
      EXPECT_OK(scraper.Scrape(body, "http://ksm:8080/metrics", absl::FromUnixMillis(1700000000123),
                               absl::Milliseconds(12), &events));
      for (const Event& event : events) {
        // Every metricset stamps its events (CollectOptions::stamp).
        EXPECT_EQ(event.value("@timestamp", ""), "2023-11-14T22:13:20.123Z") << name;
        EXPECT_EQ(event["event"].value("dataset", ""), "kubernetes." + name);
        EXPECT_EQ(event["metricset"].value("name", ""), name);
        EXPECT_EQ(event["service"].value("address", ""), "http://ksm:8080/metrics");
        EXPECT_EQ(event["data_stream"].value("dataset", ""), "kubernetes.state");
        std::string line;
        AppendNdjsonLine(event, &line);
        const nlohmann::json converted(event);
        const std::string expected =
            converted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        EXPECT_EQ(line, expected) << what << " " << name;
        const nlohmann::json reparsed = nlohmann::json::parse(line);
        EXPECT_EQ(reparsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  line)
            << what << " " << name;
        EXPECT_EQ(Event(reparsed), event) << what << " " << name;
        if (::testing::Test::HasFailure()) return checked;  // one report, not thousands
        ++checked;
      }
    }
  }
  return checked;
}

TEST(EventBytesTest, SyntheticClusterBodies) {
  EXPECT_GT(ExpectStdMapBytes(::gatehouse::testing::SyntheticClusterExposition(150, 2),
                              "synthetic 150 pods"),
            600u);
}

TEST(EventBytesTest, RepositoryFixture) {
  ASSERT_OK_AND_ASSIGN(std::string body,
                       ::gatehouse::testing::ReadFileToString(
                           ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom")));
  EXPECT_GT(ExpectStdMapBytes(body, "cluster.prom"), 0u);
}

TEST(EventBytesTest, RealScrapes) {
  const std::vector<std::string> files = ::gatehouse::testing::SharedKsmFixtures();
  if (files.empty()) GTEST_SKIP() << "../shared/ksm-fixtures is not there";
  for (const std::string& file : files) {
    ASSERT_OK_AND_ASSIGN(std::string body, ::gatehouse::testing::ReadFileToString(file));
    EXPECT_GT(ExpectStdMapBytes(body, file), 0u) << file;
  }
}

}  // namespace
}  // namespace gatehouse::kubernetes
