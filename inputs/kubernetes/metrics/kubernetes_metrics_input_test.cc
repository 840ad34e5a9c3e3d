#include "inputs/kubernetes/metrics/kubernetes_metrics_input.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/ksm_server.h"
#include "testing/ksm_server/synthetic_cluster.h"
#include "testing/status_testing.h"

namespace gatehouse::kubernetes {
namespace {

using ::gatehouse::testing::KsmFault;
using ::gatehouse::testing::KsmServer;

// Records published events and collection reports; waits (bounded, real time) for them.
class Recorder final : public EventPublisher, public InputObserver {
 public:
  bool Publish(Event event) override {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(event));
    return true;
  }
  void CollectionSucceeded(absl::string_view stream, int64_t events) override {
    absl::MutexLock lock(&mu_);
    reports_.push_back(absl::StrCat("ok ", stream, " ", events));
  }
  void CollectionFailed(absl::string_view stream, const absl::Status& error) override {
    absl::MutexLock lock(&mu_);
    reports_.push_back(absl::StrCat("failed ", stream, " ", error.ToString()));
  }
  // Waits until at least `n` reports arrived; returns them.
  std::vector<std::string> AwaitReports(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return reports_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(20));
    return reports_;
  }
  std::vector<Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Event> events_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> reports_ ABSL_GUARDED_BY(mu_);
};

Value Stream(const std::string& host, Value::List metricsets = {Value("state_container")},
             Value::Map extra = {}) {
  Value::Map stream = {{"metricsets", Value(std::move(metricsets))},
                       {"hosts", Value(Value::List{Value(host)})},
                       {"period", Value("10s")},
                       {"data_stream", Value(Value::Map{{"dataset", Value("kubernetes.state_container")},
                                                        {"type", Value("metrics")}})}};
  for (auto& [k, v] : extra) stream[k] = v;
  return Value(std::move(stream));
}

InputContext Context(Recorder* recorder, Clock* clock, Value::List streams) {
  InputContext context;
  context.id = "kubernetes-cluster-metrics";
  context.config = Value(Value::Map{{"type", Value("kubernetes/metrics")},
                                    {"streams", Value(std::move(streams))}});
  context.publisher = recorder;
  context.observer = recorder;
  context.clock = clock;
  return context;
}

std::unique_ptr<KsmServer> StartServer() {
  ::gatehouse::testing::KsmServerOptions options;
  options.exposition_file = ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom");
  auto server = KsmServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return *std::move(server);
}

TEST(KubernetesMetricsInputTest, RegisteredWithOptionTables) {
  const InputFactory* factory = Registry<InputFactory>::Global().Find("kubernetes/metrics");
  ASSERT_NE(factory, nullptr);
  bool has_metricsets = false;
  for (const OptionSpec& spec : factory->stream_options()) {
    has_metricsets |= spec.name == "metricsets" && spec.required;
  }
  EXPECT_TRUE(has_metricsets);
  EXPECT_FALSE(factory->options().empty());
}

TEST(KubernetesMetricsInputTest, ScrapesEveryPeriodWithMetricbeatMetadata) {
  auto server = StartServer();
  FakeClock clock;
  Recorder recorder;
  const InputFactory* factory = Registry<InputFactory>::Global().Find("kubernetes/metrics");
  ASSERT_OK_AND_ASSIGN(auto input,
                       factory->Create(Context(&recorder, &clock, {Stream(server->host())})));
  ASSERT_OK(input->Start());
  const std::string stream_id = "kubernetes-cluster-metrics/streams[0]";
  EXPECT_EQ(recorder.AwaitReports(1)[0], "ok " + stream_id + " 6");
  ASSERT_TRUE(clock.AwaitSleepers(1));
  std::vector<Event> events = recorder.events();
  ASSERT_EQ(events.size(), 6u);
  const Event& e = events[0];
  EXPECT_EQ(e["@timestamp"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(e["event"]["module"], "kubernetes");
  EXPECT_EQ(e["event"]["dataset"], "kubernetes.state_container");
  EXPECT_EQ(e["metricset"]["name"], "state_container");
  EXPECT_EQ(e["metricset"]["period"], 10000);
  EXPECT_EQ(e["service"]["address"], server->url());
  EXPECT_EQ(e["data_stream"]["dataset"], "kubernetes.state_container");
  EXPECT_EQ(e["kubernetes"]["container"]["name"], "nginx");

  clock.Advance(absl::Seconds(10));
  EXPECT_EQ(recorder.AwaitReports(2).size(), 2u);
  EXPECT_EQ(recorder.events().size(), 12u);
  EXPECT_EQ(server->requests(), 2);
  input->Stop();
  input->Stop();
  clock.Advance(absl::Seconds(60));
  EXPECT_EQ(server->requests(), 2);  // stopped: no more scrapes
}

TEST(KubernetesMetricsInputTest, FaultsAreReportedAndTheNextScrapeWorks) {
  auto server = StartServer();
  server->SetFault(KsmFault::kHttp500);
  FakeClock clock;
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(auto input,
                       KubernetesMetricsInput::Create(Context(&recorder, &clock, {Stream(server->host())})));
  ASSERT_OK(input->Start());
  std::vector<std::string> reports = recorder.AwaitReports(1);
  EXPECT_NE(reports[0].find("failed kubernetes-cluster-metrics/streams[0] UNAVAILABLE: GET " +
                            server->url() + ": HTTP 500 Internal Server Error"),
            std::string::npos)
      << reports[0];

  server->SetFault(KsmFault::kGarbage);
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(10));
  reports = recorder.AwaitReports(2);
  EXPECT_NE(reports[1].find("not a Prometheus exposition: "), std::string::npos) << reports[1];
  EXPECT_NE(reports[1].find("line 1:"), std::string::npos) << reports[1];

  server->SetFault(KsmFault::kTruncated);
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(10));
  reports = recorder.AwaitReports(3);
  EXPECT_NE(reports[2].find("truncated"), std::string::npos) << reports[2];

  server->SetFault(KsmFault::kNone);
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Seconds(10));
  EXPECT_EQ(recorder.AwaitReports(4)[3], "ok kubernetes-cluster-metrics/streams[0] 6");
  EXPECT_EQ(recorder.events().size(), 6u);
  input->Stop();
}

TEST(KubernetesMetricsInputTest, SlowScrapeSkipsTicksAndStopCancelsInFlightFetch) {
  auto server = StartServer();
  server->SetFault(KsmFault::kSlow, absl::Seconds(60));
  FakeClock clock;
  Recorder recorder;
  Value stream = Stream(server->host(), {Value("state_container")}, {{"timeout", Value("60s")}});
  ASSERT_OK_AND_ASSIGN(auto input, KubernetesMetricsInput::Create(Context(&recorder, &clock, {stream})));
  ASSERT_OK(input->Start());
  while (server->requests() < 1) std::this_thread::yield();
  clock.Advance(absl::Seconds(25));  // the ticks at 10s and 20s pass during the slow fetch
  server->SetFault(KsmFault::kNone);
  server->ReleaseSlow();
  EXPECT_EQ(recorder.AwaitReports(1)[0], "ok kubernetes-cluster-metrics/streams[0] 6");
  ASSERT_TRUE(clock.AwaitSleepers(1));
  EXPECT_NE(MetricsRegistry::Global().RenderPrometheus().find(
                "gatehouse_input_skipped_collections_total{input=\"kubernetes-cluster-metrics\"} 2"),
            std::string::npos);
  EXPECT_EQ(server->requests(), 1);  // no overlapping or catch-up scrapes

  // A fetch hanging on the server is cancelled by Stop, which returns promptly.
  server->SetFault(KsmFault::kSlow, absl::Seconds(60));
  clock.Advance(absl::Seconds(5));
  while (server->requests() < 2) std::this_thread::yield();
  const absl::Time before = absl::Now();
  input->Stop();
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  EXPECT_EQ(recorder.AwaitReports(1).size(), 1u);  // a cancelled scrape is not a failure
  server->ReleaseSlow();
}

TEST(KubernetesMetricsInputTest, UnsupportedMetricsetsAreReportedOthersRun) {
  auto server = StartServer();
  FakeClock clock;
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(
      auto input,
      KubernetesMetricsInput::Create(Context(
          &recorder, &clock,
          {Stream(server->host(), {Value("apiserver")}),
           Stream(server->host(), {Value("state_pod"), Value("state_node")})})));
  ASSERT_OK(input->Start());
  std::vector<std::string> reports = recorder.AwaitReports(2);
  EXPECT_EQ(reports[0],
            "failed kubernetes-cluster-metrics/streams[0] UNIMPLEMENTED: metricsets not supported "
            "by this build: apiserver");
  EXPECT_EQ(reports[1], "ok kubernetes-cluster-metrics/streams[1] 6");  // 4 pods + 2 nodes
  input->Stop();

  EXPECT_STATUS(KubernetesMetricsInput::Create(
                    Context(&recorder, &clock, {Stream(server->host(), {Value("event")})})),
                absl::StatusCode::kUnimplemented,
                "none of its metricsets (event) is supported by this build (supported: "
                "state_container, state_node, state_pod)");
}

TEST(KubernetesMetricsInputTest, BadConfigurationNamesStreamAndKey) {
  FakeClock clock;
  Recorder recorder;
  EXPECT_STATUS(KubernetesMetricsInput::Create(Context(&recorder, &clock, {})),
                absl::StatusCode::kInvalidArgument, "no streams");
  // One stream with one key set to `value`.
  auto create_with = [&](const std::string& key, Value value) {
    return KubernetesMetricsInput::Create(Context(
        &recorder, &clock,
        {Stream("ksm:8080", {Value("state_container")}, {{key, std::move(value)}})}));
  };
  EXPECT_STATUS(create_with("period", Value("soon")), absl::StatusCode::kInvalidArgument,
                "input 'kubernetes-cluster-metrics' streams[0]: 'period' must be a duration");
  EXPECT_STATUS(create_with("hots", Value("x")), absl::StatusCode::kInvalidArgument, "hots");
  EXPECT_STATUS(
      create_with("scrape_threads", Value(-1)), absl::StatusCode::kInvalidArgument,
      "input 'kubernetes-cluster-metrics' streams[0]: 'scrape_threads' must be between 0");
  EXPECT_STATUS(create_with("scrape_threads", Value("two")), absl::StatusCode::kInvalidArgument,
                "scrape_threads");
  // Stop without Start is safe.
  ASSERT_OK_AND_ASSIGN(auto idle, KubernetesMetricsInput::Create(
                                      Context(&recorder, &clock, {Stream("ksm:8080")})));
  idle->Stop();
  idle->Stop();
}

std::string TempDir() {
  return std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
}

TEST(KubernetesMetricsInputTest, HttpsWithSeveralCertificateAuthorities) {
  // Two CAs: an unrelated one first, the server's second.
  const std::string dir = TempDir();
  ::mkdir((dir + "/server").c_str(), 0700);
  ::mkdir((dir + "/other").c_str(), 0700);
  std::string cert, key, other_cert, other_key;
  ASSERT_OK(::gatehouse::testing::GenerateSelfSignedCert(dir + "/server", &cert, &key));
  ASSERT_OK(::gatehouse::testing::GenerateSelfSignedCert(dir + "/other", &other_cert, &other_key));
  ::gatehouse::testing::KsmServerOptions options;
  options.exposition_file = ::gatehouse::testing::TestdataPath("testdata/ksm/cluster.prom");
  options.cert_file = cert;
  options.key_file = key;
  ASSERT_OK_AND_ASSIGN(auto server, KsmServer::Start(options));
  ASSERT_EQ(server->url().substr(0, 8), "https://");

  auto stream = [&](Value::List cas, bool add_metadata) {
    return Stream(server->url(), {Value("state_container")},
                  {{"ssl", Value(Value::Map{{"certificate_authorities", Value(std::move(cas))}})},
                   {"add_metadata", Value(add_metadata)}});
  };
  FakeClock clock;
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(
      auto input, KubernetesMetricsInput::Create(Context(
                      &recorder, &clock, {stream({Value(other_cert), Value(cert)}, true)})));
  ASSERT_OK(input->Start());
  EXPECT_EQ(recorder.AwaitReports(1)[0], "ok kubernetes-cluster-metrics/streams[0] 6");
  input->Stop();
  // add_metadata (the default) enriches from the scrape: the pod ip comes from kube_pod_info.
  EXPECT_EQ(recorder.events()[0]["kubernetes"]["pod"]["ip"], "10.244.1.7");
  EXPECT_EQ(recorder.events()[0]["kubernetes"]["statefulset"]["name"], "web");

  // add_metadata: false adds nothing.
  Recorder plain;
  ASSERT_OK_AND_ASSIGN(auto without, KubernetesMetricsInput::Create(Context(
                                         &plain, &clock, {stream({Value(cert)}, false)})));
  ASSERT_OK(without->Start());
  EXPECT_EQ(plain.AwaitReports(1)[0], "ok kubernetes-cluster-metrics/streams[0] 6");
  without->Stop();
  EXPECT_FALSE(plain.events()[0]["kubernetes"]["pod"].contains("ip"));
  EXPECT_FALSE(plain.events()[0]["kubernetes"].contains("statefulset"));

  // A CA entry that cannot be read: Start fails naming the entry.
  Recorder bad;
  ASSERT_OK_AND_ASSIGN(auto broken,
                       KubernetesMetricsInput::Create(Context(
                           &bad, &clock, {stream({Value(cert), Value("/nonexistent/ca.pem")}, true)})));
  EXPECT_STATUS(broken->Start(), absl::StatusCode::kInvalidArgument,
                "ssl.certificate_authorities[1]: cannot read '/nonexistent/ca.pem'");
  broken->Stop();
}

TEST(KubernetesMetricsInputTest, InputLevelOptionsAreStreamDefaults) {
  FakeClock clock;
  Recorder recorder;
  InputContext context = Context(&recorder, &clock, {Value(Value::Map{
                                                        {"metricsets", Value(Value::List{Value("state_pod")})}})});
  Value::Map config = context.config.as_map();
  config["period"] = Value("30s");
  config["hosts"] = Value(Value::List{Value("https://ksm:8443")});
  config["ssl"] = Value(Value::Map{{"verification_mode", Value("none")}});
  context.config = Value(std::move(config));
  ASSERT_OK_AND_ASSIGN(auto input, KubernetesMetricsInput::Create(std::move(context)));
  const StreamSpec& spec = input->streams()[0];
  EXPECT_EQ(spec.period, absl::Seconds(30));
  EXPECT_EQ(spec.hosts, std::vector<std::string>{"https://ksm:8443/metrics"});
  EXPECT_FALSE(spec.fetch.verify_tls);
  EXPECT_EQ(spec.fetch.timeout, absl::Seconds(30));
  EXPECT_EQ(spec.scrape_threads, 0);  // one per core, at most kMaxAutoScrapeThreads
}

TEST(KubernetesMetricsInputTest, ScrapeThreadsSplitALargeBodyAndEveryContainerHasItsEvent) {
  // A 2.8 MB body: two parse pieces of 1 MiB or more, so the stream's second thread parses.
  const std::string path = absl::StrCat(
      std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp", "/large.prom");
  const std::string body = ::gatehouse::testing::SyntheticClusterExposition(300, 2);
  ASSERT_GE(body.size(), 2 * prometheus::Exposition::kMinPieceBytes);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(body.data(), 1, body.size(), f), body.size());
    std::fclose(f);
  }
  ::gatehouse::testing::KsmServerOptions options;
  options.exposition_file = path;
  ASSERT_OK_AND_ASSIGN(auto server, KsmServer::Start(options));
  FakeClock clock;
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(
      auto input,
      KubernetesMetricsInput::Create(Context(
          &recorder, &clock,
          {Stream(server->host(), {Value("state_container")}, {{"scrape_threads", Value(2)}})})));
  EXPECT_EQ(input->streams()[0].scrape_threads, 2);
  ASSERT_OK(input->Start());
  EXPECT_EQ(recorder.AwaitReports(1)[0], "ok kubernetes-cluster-metrics/streams[0] 600");
  input->Stop();
  std::set<std::string> containers;
  for (const Event& e : recorder.events()) {
    containers.insert(e["kubernetes"]["pod"]["name"].get<std::string>() + "/" +
                      e["kubernetes"]["container"]["name"].get<std::string>());
  }
  EXPECT_EQ(containers.size(), 600u);
}

}  // namespace
}  // namespace gatehouse::kubernetes
