#include "inputs/kubernetes/metrics/stream_scraper.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "inputs/common/prometheus/exposition_dump.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/synthetic_cluster.h"
#include "testing/status_testing.h"

namespace gatehouse::kubernetes {
namespace {

StreamScraperConfig Config(bool add_metadata, int threads) {
  StreamScraperConfig config;
  config.metricsets = {FindStateMetricset("state_container")};
  config.collect.add_metadata = add_metadata;
  config.threads = threads;
  // Small enough that a 1.4 MB body is cut into pieces and 300 events into ranges.
  config.min_piece_bytes = 4096;
  config.collect.min_parallel_events = 16;
  return config;
}

bool SplitIntoPieces(const prometheus::Exposition& e) {
  for (const prometheus::Sample& s : e.samples()) {
    if (s.piece != 0) return true;
  }
  return false;
}

TEST(StreamScraperTest, ScrapesOnSeveralThreadsExactlyAsOnOne) {
  ASSERT_OK_AND_ASSIGN(std::string fixture,
                       ::gatehouse::testing::ReadFileToString(
                           ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom")));
  const std::string synthetic = ::gatehouse::testing::SyntheticClusterExposition(150, 2);
  const std::string* const bodies[] = {&synthetic, &fixture};
  for (const std::string* body : bodies) {
    for (bool add_metadata : {false, true}) {
      StreamScraper one(Config(add_metadata, 1));
      std::vector<Event> expected;
      ASSERT_OK(one.Scrape(*body, "http://ksm:8080/metrics", absl::FromUnixSeconds(1),
                           absl::Milliseconds(3), &expected));
      const std::string parsed = prometheus::DumpExposition(one.exposition());
      StreamScraper several(Config(add_metadata, 3));
      for (int scrape = 0; scrape < 3; ++scrape) {  // the pieces and tables are reused
        std::vector<Event> events;
        ASSERT_OK(several.Scrape(*body, "http://ksm:8080/metrics", absl::FromUnixSeconds(1),
                                 absl::Milliseconds(3), &events));
        EXPECT_EQ(prometheus::DumpExposition(several.exposition()), parsed);
        ASSERT_EQ(events.size(), expected.size());
        EXPECT_EQ(events, expected) << "add_metadata=" << add_metadata << " scrape " << scrape;
      }
      if (body == &synthetic) {
        EXPECT_TRUE(SplitIntoPieces(several.exposition()));
      }
    }
  }
}

TEST(StreamScraperTest, BodiesUnderTwoPiecesStayOnTheStreamThread) {
  ASSERT_OK_AND_ASSIGN(std::string fixture,
                       ::gatehouse::testing::ReadFileToString(
                           ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom")));
  StreamScraperConfig config = Config(false, 2);
  config.min_piece_bytes = fixture.size();
  StreamScraper scraper(std::move(config));
  std::vector<Event> events;
  ASSERT_OK(scraper.Scrape(fixture, "ksm:8080", absl::UnixEpoch(), absl::ZeroDuration(), &events));
  EXPECT_EQ(events.size(), 6u);
  EXPECT_FALSE(SplitIntoPieces(scraper.exposition()));
}

}  // namespace
}  // namespace gatehouse::kubernetes
