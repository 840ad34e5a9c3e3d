#include "inputs/common/http/http_fetcher.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/ksm_server.h"
#include "testing/status_testing.h"

namespace gatehouse::http {
namespace {

using ::gatehouse::testing::KsmFault;
using ::gatehouse::testing::KsmServer;
using ::gatehouse::testing::KsmServerOptions;
using ::gatehouse::testing::TestdataPath;

std::string Fixture() { return TestdataPath("testdata/ksm/cluster.prom"); }

std::unique_ptr<KsmServer> StartServer(KsmServerOptions options = {}) {
  if (options.exposition_file.empty()) options.exposition_file = Fixture();
  auto server = KsmServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

std::string TempDir() { return std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp"; }

TEST(HttpFetcherTest, FetchesTheExpositionWithGzip) {
  auto server = StartServer();
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create({}));
  ASSERT_OK_AND_ASSIGN(std::string body, fetcher->Fetch(server->host()));
  ASSERT_OK_AND_ASSIGN(std::string expected, ::gatehouse::testing::ReadFileToString(Fixture()));
  EXPECT_EQ(body, expected);
  EXPECT_EQ(server->gzip_requests(), 1);
  // Not brotli: the server would compress a 47 MB body with it for seconds.
  EXPECT_EQ(server->brotli_requests(), 0);
  ASSERT_OK_AND_ASSIGN(std::string again, fetcher->Fetch(server->url()));  // connection reuse
  EXPECT_EQ(again, expected);
}

TEST(HttpFetcherTest, NormalizesHostsToMetricsUrls) {
  EXPECT_EQ(HttpFetcher::NormalizeUrl("ksm:8080"), "http://ksm:8080/metrics");
  EXPECT_EQ(HttpFetcher::NormalizeUrl("https://ksm:8443"), "https://ksm:8443/metrics");
  EXPECT_EQ(HttpFetcher::NormalizeUrl("http://ksm:8080/x"), "http://ksm:8080/x");
}

TEST(HttpFetcherTest, HttpStatusErrorNamesCodeAndUrl) {
  auto server = StartServer();
  server->SetFault(KsmFault::kHttp500);
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create({}));
  auto result = fetcher->Fetch(server->url());
  EXPECT_STATUS(result, absl::StatusCode::kUnavailable,
                "GET " + server->url() + ": HTTP 500 Internal Server Error");
  EXPECT_EQ(FetchErrorKindOf(result.status()), FetchErrorKind::kHttpStatus);
  server->SetFault(KsmFault::kNone);
  EXPECT_OK(fetcher->Fetch(server->url()));  // the next fetch works
}

TEST(HttpFetcherTest, ConnectRefusedAndDnsFailuresAreDistinct) {
  int port;
  {
    auto server = StartServer();
    port = server->port();
  }  // stopped: nothing listens there now
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create({}));
  auto refused = fetcher->Fetch("127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(FetchErrorKindOf(refused.status()), FetchErrorKind::kConnect) << refused.status();
  EXPECT_STATUS(refused, absl::StatusCode::kUnavailable, "cannot connect");

  auto dns = fetcher->Fetch("no-such-host.invalid:8080");
  EXPECT_EQ(FetchErrorKindOf(dns.status()), FetchErrorKind::kDns) << dns.status();
  EXPECT_STATUS(dns, absl::StatusCode::kUnavailable, "DNS lookup failed");
}

TEST(HttpFetcherTest, SlowServerTimesOut) {
  auto server = StartServer();
  server->SetFault(KsmFault::kSlow, absl::Seconds(30));
  HttpFetcherOptions options;
  options.timeout = absl::Milliseconds(300);
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create(options));
  auto result = fetcher->Fetch(server->url());
  EXPECT_EQ(FetchErrorKindOf(result.status()), FetchErrorKind::kTimeout) << result.status();
  EXPECT_STATUS(result, absl::StatusCode::kDeadlineExceeded, "timed out after 300ms");
  server->ReleaseSlow();
}

TEST(HttpFetcherTest, TruncatedAndOversizedBodiesAreBodyErrors) {
  auto server = StartServer();
  server->SetFault(KsmFault::kTruncated);
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create({}));
  auto truncated = fetcher->Fetch(server->url());
  EXPECT_EQ(FetchErrorKindOf(truncated.status()), FetchErrorKind::kBody) << truncated.status();
  EXPECT_STATUS(truncated, absl::StatusCode::kDataLoss, "truncated");

  server->SetFault(KsmFault::kHuge);
  HttpFetcherOptions small;
  small.max_body_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto capped, HttpFetcher::Create(small));
  EXPECT_STATUS(capped->Fetch(server->url()), absl::StatusCode::kResourceExhausted,
                "body larger than 1048576 bytes");
  ASSERT_OK_AND_ASSIGN(std::string huge, fetcher->Fetch(server->url()));
  EXPECT_GE(huge.size(), 50u << 20);
}

TEST(HttpFetcherTest, HttpsWithCaFileAndRotatingBearerToken) {
  std::string cert, key;
  ASSERT_OK(::gatehouse::testing::GenerateSelfSignedCert(TempDir(), &cert, &key));
  KsmServerOptions options;
  options.cert_file = cert;
  options.key_file = key;
  options.bearer_token = "first-token";
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);

  const std::string token_file = TempDir() + "/token";
  { std::ofstream(token_file) << "first-token\n"; }
  HttpFetcherOptions fetch;
  fetch.certificate_authorities = {cert};
  fetch.bearer_token_file = token_file;
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create(fetch));
  ASSERT_OK(fetcher->Fetch(server->url()));

  // The token rotates: the server wants the new one, the file gets it, the fetcher follows.
  server->SetBearerToken("second-token-longer");
  auto denied = fetcher->Fetch(server->url());
  EXPECT_STATUS(denied, absl::StatusCode::kPermissionDenied, "HTTP 401 Unauthorized");
  { std::ofstream(token_file) << "second-token-longer\n"; }
  EXPECT_OK(fetcher->Fetch(server->url()));

  // Without the CA the server's certificate is not trusted: a TLS error.
  HttpFetcherOptions no_ca;
  no_ca.bearer_token_file = token_file;
  ASSERT_OK_AND_ASSIGN(auto untrusting, HttpFetcher::Create(no_ca));
  auto tls = untrusting->Fetch(server->url());
  EXPECT_EQ(FetchErrorKindOf(tls.status()), FetchErrorKind::kTls) << tls.status();
  EXPECT_STATUS(tls, absl::StatusCode::kUnavailable, "TLS error");
}

// A fresh self-signed CA in its own folder under the test's temp dir.
std::string MakeCa(const std::string& name) {
  const std::string dir = TempDir() + "/" + name;
  ::mkdir(dir.c_str(), 0700);  // may exist already
  std::string cert, key;
  EXPECT_OK(::gatehouse::testing::GenerateSelfSignedCert(dir, &cert, &key));
  return cert;
}

TEST(HttpFetcherTest, TrustsEveryListedCaFileAndInlinePem) {
  std::string cert, key;
  ASSERT_OK(::gatehouse::testing::GenerateSelfSignedCert(TempDir(), &cert, &key));
  const std::string other_ca = MakeCa("other-ca");
  KsmServerOptions options;
  options.cert_file = cert;
  options.key_file = key;
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);

  // Two CA files, the server's second: both are trusted.
  HttpFetcherOptions files;
  files.certificate_authorities = {other_ca, cert};
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create(files));
  EXPECT_OK(fetcher->Fetch(server->url()));

  // The same as inline PEM strings (Elastic's option takes both).
  ASSERT_OK_AND_ASSIGN(std::string other_pem, ::gatehouse::testing::ReadFileToString(other_ca));
  ASSERT_OK_AND_ASSIGN(std::string server_pem, ::gatehouse::testing::ReadFileToString(cert));
  HttpFetcherOptions inline_pem;
  inline_pem.certificate_authorities = {other_pem, "\n  " + server_pem};
  ASSERT_OK_AND_ASSIGN(auto inline_fetcher, HttpFetcher::Create(inline_pem));
  EXPECT_OK(inline_fetcher->Fetch(server->url()));

  // Only the other CA: the server is not trusted.
  HttpFetcherOptions wrong;
  wrong.certificate_authorities = {other_ca};
  ASSERT_OK_AND_ASSIGN(auto untrusting, HttpFetcher::Create(wrong));
  auto tls = untrusting->Fetch(server->url());
  EXPECT_EQ(FetchErrorKindOf(tls.status()), FetchErrorKind::kTls) << tls.status();
}

TEST(HttpFetcherTest, MissingCaOrTokenFileIsAClearError) {
  const std::string ca = MakeCa("good-ca");
  HttpFetcherOptions options;
  options.certificate_authorities = {ca, "/nonexistent/ca.pem"};
  EXPECT_STATUS(HttpFetcher::Create(options), absl::StatusCode::kInvalidArgument,
                "ssl.certificate_authorities[1]: cannot read '/nonexistent/ca.pem'");
  const std::string not_pem = TempDir() + "/not-a-ca.txt";
  { std::ofstream(not_pem) << "just text\n"; }
  options.certificate_authorities = {not_pem};
  EXPECT_STATUS(HttpFetcher::Create(options), absl::StatusCode::kInvalidArgument,
                "ssl.certificate_authorities[0] '" + not_pem + "': no PEM certificate");
  options.certificate_authorities = {"-----BEGIN PRIVATE KEY-----\nAAAA\n"};
  EXPECT_STATUS(HttpFetcher::Create(options), absl::StatusCode::kInvalidArgument,
                "ssl.certificate_authorities[0] (inline PEM): no PEM certificate");
  HttpFetcherOptions token;
  token.bearer_token_file = "/nonexistent/token";
  ASSERT_OK_AND_ASSIGN(auto fetcher, HttpFetcher::Create(token));
  EXPECT_STATUS(fetcher->Fetch("127.0.0.1:1"), absl::StatusCode::kFailedPrecondition,
                "bearer_token_file '/nonexistent/token' cannot be read");
}

}  // namespace
}  // namespace gatehouse::http
