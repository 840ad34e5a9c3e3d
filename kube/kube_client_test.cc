#include "kube/kube_client.h"

#include <cstdlib>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "kube/kube_errors.h"
#include "testing/kube_api_server/kube_api_server.h"
#include "testing/status_testing.h"

namespace gatehouse::kube {
namespace {

using json = nlohmann::json;
using ::gatehouse::testing::Fault;
using ::gatehouse::testing::KubeApiServer;
using ::gatehouse::testing::KubeApiServerOptions;

constexpr char kLeases[] = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

json NewLease(const std::string& name) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}}},
          {"spec", {{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}}};
}

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

class KubeClientTest : public ::testing::Test {
 protected:
  void StartServer(bool tls) {
    KubeApiServerOptions options;
    options.tls = tls;
    options.tokens = {{"good", "system:serviceaccount:default:gatehouse"},
                      {"weak", "system:serviceaccount:default:nobody"}};
    options.forbidden_users = {"system:serviceaccount:default:nobody"};
    ASSERT_OK_AND_ASSIGN(server_, KubeApiServer::Start(options));
  }
  KubeConfig Config(const std::string& token = "good") {
    KubeConfig config;
    config.server = server_->url();
    config.token = token;
    config.ca_file = server_->ca_file();
    config.source = "test";
    return config;
  }
  std::unique_ptr<KubeClient> Client(KubeConfig config, KubeClientOptions options = {}) {
    auto client = KubeClient::Create(std::move(config), options);
    EXPECT_OK(client);
    return client.ok() ? std::move(*client) : nullptr;
  }
  std::unique_ptr<KubeApiServer> server_;
};

TEST_F(KubeClientTest, CrudAndTypedErrorsOverHttp) {
  StartServer(false);
  auto client = Client(Config());
  ASSERT_NE(client, nullptr);
  const std::string item = std::string(kLeases) + "/l1";
  absl::StatusOr<json> got = client->Call("GET", item, nullptr, "get");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(KubeReason(got.status()), "NotFound");
  EXPECT_EQ(KubeHttpCode(got.status()), 404);
  json lease = NewLease("l1");
  ASSERT_OK_AND_ASSIGN(json created, client->Call("POST", kLeases, &lease, "create"));
  absl::StatusOr<json> again = client->Call("POST", kLeases, &lease, "create");
  EXPECT_TRUE(IsKubeAlreadyExists(again.status())) << again.status();
  json stale = created;
  stale["metadata"]["resourceVersion"] = "1";
  absl::StatusOr<json> conflict = client->Call("PUT", item, &stale, "update");
  EXPECT_TRUE(IsKubeConflict(conflict.status())) << conflict.status();
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAborted);
  json no_rv = created;
  no_rv["metadata"].erase("resourceVersion");
  EXPECT_EQ(client->Call("PUT", item, &no_rv, "update").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_->RequestCount("get", "gatehouse/"), 1);
  EXPECT_EQ(server_->RequestCount("create", "gatehouse/"), 2);
}

TEST_F(KubeClientTest, UnauthorizedAndForbidden) {
  StartServer(false);
  auto wrong = Client(Config("wrong"));
  absl::Status status = wrong->Call("GET", std::string(kLeases) + "/l1", nullptr, "get").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  auto weak = Client(Config("weak"));
  status = weak->Call("GET", std::string(kLeases) + "/l1", nullptr, "get").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  std::string help = ForbiddenLeasesHelp(status, "default");
  EXPECT_NE(help.find("cannot access leases: "), std::string::npos) << help;
  EXPECT_NE(help.find("User \"system:serviceaccount:default:nobody\" cannot get resource "
                      "\"leases\""),
            std::string::npos)
      << help;
  EXPECT_NE(help.find("verbs: [\"get\", \"list\", \"watch\", \"create\", \"update\", \"patch\"]"),
            std::string::npos);
}

TEST_F(KubeClientTest, TokenFileIsReReadOn401) {
  StartServer(false);
  const std::string token_file = TempPath("token");
  std::ofstream(token_file) << "old-token\n";
  KubeConfig config = Config("");
  config.token_file = token_file;
  auto client = Client(config);
  const std::string item = std::string(kLeases) + "/l1";
  EXPECT_EQ(client->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kUnauthenticated);
  std::ofstream(token_file) << "good\n";  // rotated
  EXPECT_EQ(client->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(KubeClientTest, HonoursRetryAfterOn429) {
  StartServer(false);
  FakeClock clock;
  KubeClientOptions options;
  options.clock = &clock;
  auto client = Client(Config(), options);
  server_->AddFault({Fault::Kind::kHttpError, "", absl::ZeroDuration(), 429, 7, 1});
  absl::StatusOr<json> result;
  std::thread call([&] { result = client->Call("GET", std::string(kLeases) + "/l1", nullptr, "get"); });
  ASSERT_TRUE(clock.AwaitSleepers(1));  // waiting out Retry-After: 7
  clock.Advance(absl::Seconds(7));
  call.join();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(server_->RequestCount("get"), 2);

  // Without room before the deadline, the 429 comes back as ResourceExhausted.
  server_->AddFault({Fault::Kind::kHttpError, "", absl::ZeroDuration(), 429, 30, 1});
  CallOptions call_options;
  call_options.monotonic_deadline = clock.MonotonicNow() + absl::Seconds(5);
  EXPECT_EQ(client->Call("GET", std::string(kLeases) + "/l1", nullptr, "get", call_options)
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(KubeClientTest, TimeoutAndDroppedConnection) {
  StartServer(false);
  KubeClientOptions options;
  options.request_timeout = absl::Milliseconds(200);
  auto client = Client(Config(), options);
  server_->AddFault({Fault::Kind::kLatency, "", absl::Milliseconds(800), 0, 0, 1});
  EXPECT_EQ(client->Call("GET", std::string(kLeases) + "/l1", nullptr, "get").status().code(),
            absl::StatusCode::kDeadlineExceeded);
  server_->AddFault({Fault::Kind::kDrop, "", absl::ZeroDuration(), 0, 0, 1});
  EXPECT_EQ(client->Call("GET", std::string(kLeases) + "/l1", nullptr, "get").status().code(),
            absl::StatusCode::kUnavailable);
  server_->AddFault({Fault::Kind::kHttpError, "", absl::ZeroDuration(), 503, 0, 1});
  EXPECT_EQ(client->Call("GET", std::string(kLeases) + "/l1", nullptr, "get").status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(KubeClientTest, HttpsWithCaFileCaDataInsecureAndServerName) {
  StartServer(true);
  const std::string item = std::string(kLeases) + "/l1";
  auto with_file = Client(Config());
  EXPECT_EQ(with_file->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kNotFound);

  KubeConfig untrusted = Config();
  untrusted.ca_file.clear();
  auto no_ca = Client(untrusted);
  EXPECT_EQ(no_ca->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kUnavailable);
  untrusted.insecure_skip_tls_verify = true;
  auto insecure = Client(untrusted);
  EXPECT_EQ(insecure->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kNotFound);

  std::ifstream in(server_->ca_file());
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  KubeConfig with_data = Config();
  with_data.ca_file.clear();
  with_data.ca_data = pem;
  with_data.tls_server_name = "localhost";  // the certificate names localhost; we dial 127.0.0.1
  auto data_client = Client(with_data);
  EXPECT_EQ(data_client->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kNotFound);
  with_data.tls_server_name = "wrong.example";
  auto wrong_name = Client(with_data);
  EXPECT_EQ(wrong_name->Call("GET", item, nullptr, "get").status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(KubeClientTest, RejectsBadConfig) {
  KubeConfig config;
  config.server = "ftp://x";
  EXPECT_STATUS(KubeClient::Create(config, {}), absl::StatusCode::kInvalidArgument, "ftp://x");
  config.server = "https://127.0.0.1:1";
  config.ca_file = "/nonexistent/ca.crt";
  EXPECT_STATUS(KubeClient::Create(config, {}), absl::StatusCode::kFailedPrecondition,
                "/nonexistent/ca.crt");
}

TEST(TokenBucketTest, BurstThenQps) {
  FakeClock clock;
  TokenBucket bucket(5, 2, &clock);
  const absl::Time never = absl::InfiniteFuture();
  EXPECT_TRUE(bucket.Acquire(never, nullptr));
  EXPECT_TRUE(bucket.Acquire(never, nullptr));
  // The third must wait 200 ms (qps 5): not possible before a 100 ms deadline.
  EXPECT_FALSE(bucket.Acquire(clock.MonotonicNow() + absl::Milliseconds(100), nullptr));
  bool acquired = false;
  std::thread waiter([&] { acquired = bucket.Acquire(never, nullptr); });
  ASSERT_TRUE(clock.AwaitSleepers(1));
  clock.Advance(absl::Milliseconds(200));
  waiter.join();
  EXPECT_TRUE(acquired);
}

}  // namespace
}  // namespace gatehouse::kube
