#include "agent/monitoring/monitoring_server.h"

#include <atomic>

#include "gtest/gtest.h"
#include "httplib.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

TEST(MonitoringServerTest, ServesStatusMetricsAndLivenessOverHttp) {
  MetricsRegistry metrics;
  metrics.GetCounter("gatehouse_events_out_total", "events written")->Increment(7);
  std::atomic<bool> alive{true};
  ASSERT_OK_AND_ASSIGN(
      auto server,
      MonitoringServer::Start({"127.0.0.1", 0},
                              {[] { return std::string(R"({"agent":{"id":"a1"}})"); },
                               [&alive] { return alive.load(); }},
                              &metrics));
  ASSERT_GT(server->port(), 0);
  httplib::Client client("127.0.0.1", server->port());

  auto status = client.Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->body, R"({"agent":{"id":"a1"}})");
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");

  auto scraped = client.Get("/metrics");
  ASSERT_TRUE(scraped);
  EXPECT_NE(scraped->body.find("gatehouse_events_out_total 7\n"), std::string::npos);

  auto live = client.Get("/liveness");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  alive = false;
  live = client.Get("/liveness");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 503);

  auto missing = client.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(MonitoringServerTest, AnAddressInUseIsAClearError) {
  MetricsRegistry metrics;
  ASSERT_OK_AND_ASSIGN(auto first, MonitoringServer::Start({"127.0.0.1", 0}, {}, &metrics));
  auto second = MonitoringServer::Start({"127.0.0.1", first->port()}, {}, &metrics);
  EXPECT_STATUS(second, absl::StatusCode::kUnavailable, "cannot listen on 127.0.0.1:");
}

TEST(MonitoringServerTest, StopTwiceIsSafe) {
  MetricsRegistry metrics;
  ASSERT_OK_AND_ASSIGN(auto server, MonitoringServer::Start({"127.0.0.1", 0}, {}, &metrics));
  server->Stop();
  server->Stop();
}

TEST(ParseListenAddressTest, AcceptsTheUsualSpellings) {
  ASSERT_OK_AND_ASSIGN(auto a, ParseListenAddress("0.0.0.0:9000"));
  EXPECT_EQ(a.host, "0.0.0.0");
  EXPECT_EQ(a.port, 9000);
  ASSERT_OK_AND_ASSIGN(auto b, ParseListenAddress(":6791"));
  EXPECT_EQ(b.host, "127.0.0.1");
  ASSERT_OK_AND_ASSIGN(auto c, ParseListenAddress("[::1]:7"));
  EXPECT_EQ(c.host, "::1");
  ASSERT_OK_AND_ASSIGN(auto d, ParseListenAddress("8080"));
  EXPECT_EQ(d.port, 8080);
  EXPECT_STATUS(ParseListenAddress("localhost:http"), absl::StatusCode::kInvalidArgument,
                "expected host:port");
  EXPECT_STATUS(ParseListenAddress("1:70000"), absl::StatusCode::kInvalidArgument, "1:70000");
}

}  // namespace
}  // namespace gatehouse
