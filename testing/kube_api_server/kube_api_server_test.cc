#include "testing/kube_api_server/kube_api_server.h"

#include <memory>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "testing/status_testing.h"

namespace gatehouse::testing {
namespace {

using json = nlohmann::json;

constexpr char kCollection[] = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
constexpr char kItem[] = "/apis/coordination.k8s.io/v1/namespaces/default/leases/l1";

json LeaseBody(const std::string& holder, const std::string& rv = "",
               const std::string& renew = "2026-11-21T10:00:00.123456Z") {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "l1"}}},
                {"spec",
                 {{"holderIdentity", holder},
                  {"leaseDurationSeconds", 15},
                  {"renewTime", renew},
                  {"acquireTime", renew},
                  {"leaseTransitions", 0}}}};
  if (!rv.empty()) lease["metadata"]["resourceVersion"] = rv;
  return lease;
}

class KubeApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KubeApiServerOptions options;
    options.tokens = {{"good", "system:serviceaccount:default:gatehouse"},
                      {"weak", "system:serviceaccount:default:nobody"}};
    options.forbidden_users = {"system:serviceaccount:default:nobody"};
    options.event_history = 5;
    ASSERT_OK_AND_ASSIGN(server_, KubeApiServer::Start(options));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_bearer_token_auth("good");
  }

  httplib::Result Post(const json& body) {
    return client_->Post(kCollection, body.dump(), "application/json");
  }
  httplib::Result Put(const json& body) { return client_->Put(kItem, body.dump(), "application/json"); }

  std::unique_ptr<KubeApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(KubeApiServerTest, GetMissingIs404WithAStatusObject) {
  auto result = client_->Get(kItem);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  json status = json::parse(result->body);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["status"], "Failure");
  EXPECT_EQ(status["reason"], "NotFound");
  EXPECT_EQ(status["code"], 404);
  EXPECT_EQ(status["message"], "leases.coordination.k8s.io \"l1\" not found");
}

TEST_F(KubeApiServerTest, CreateThenAlreadyExists) {
  auto created = Post(LeaseBody("a"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  json lease = json::parse(created->body);
  EXPECT_FALSE(lease["metadata"]["resourceVersion"].get<std::string>().empty());
  auto again = Post(LeaseBody("b"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(json::parse(again->body)["reason"], "AlreadyExists");
}

TEST_F(KubeApiServerTest, UpdateSemantics) {
  auto created = Post(LeaseBody("a"));
  ASSERT_TRUE(created);
  const std::string rv1 = json::parse(created->body)["metadata"]["resourceVersion"];

  auto no_rv = Put(LeaseBody("b"));
  ASSERT_TRUE(no_rv);
  EXPECT_EQ(no_rv->status, 422);
  EXPECT_EQ(json::parse(no_rv->body)["reason"], "Invalid");

  auto updated = Put(LeaseBody("b", rv1));
  ASSERT_TRUE(updated);
  ASSERT_EQ(updated->status, 200);
  const std::string rv2 = json::parse(updated->body)["metadata"]["resourceVersion"];
  EXPECT_NE(rv1, rv2);

  auto stale = Put(LeaseBody("c", rv1));
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  EXPECT_EQ(json::parse(stale->body)["reason"], "Conflict");
  EXPECT_EQ(server_->GetLease("default", "l1")->at("spec")["holderIdentity"], "b");
}

TEST_F(KubeApiServerTest, MicroTimeNeedsSixDigits) {
  for (const std::string bad : {"2026-11-21T10:00:00Z", "2026-11-21T10:00:00.123Z",
                                "2026-11-21T10:00:00.123456789Z"}) {
    auto result = Post(LeaseBody("a", "", bad));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << bad;
    EXPECT_EQ(json::parse(result->body)["reason"], "BadRequest") << bad;
  }
  auto good = Post(LeaseBody("a"));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 201);
}

TEST_F(KubeApiServerTest, TokensUnauthorizedAndForbidden) {
  httplib::Client anonymous("127.0.0.1", server_->port());
  auto result = anonymous.Get(kItem);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(json::parse(result->body)["reason"], "Unauthorized");

  httplib::Client weak("127.0.0.1", server_->port());
  weak.set_bearer_token_auth("weak");
  result = weak.Get(kItem);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 403);
  json status = json::parse(result->body);
  EXPECT_EQ(status["reason"], "Forbidden");
  EXPECT_EQ(status["message"],
            "leases.coordination.k8s.io \"l1\" is forbidden: User "
            "\"system:serviceaccount:default:nobody\" cannot get resource \"leases\" in API group "
            "\"coordination.k8s.io\" in the namespace \"default\"");
}

TEST_F(KubeApiServerTest, FaultsAndCounters) {
  client_->set_default_headers({{"User-Agent", "agent-one"}});
  server_->AddFault({Fault::Kind::kHttpError, "agent-one", absl::ZeroDuration(), 429, 3, 1});
  auto result = client_->Get(kItem);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 429);
  EXPECT_EQ(result->get_header_value("Retry-After"), "3");
  result = client_->Get(kItem);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);  // the fault hit once

  server_->Partition("agent-one");
  result = client_->Get(kItem);
  EXPECT_TRUE(!result || result.error() != httplib::Error::Success || result->body.size() < 100);
  httplib::Client other("127.0.0.1", server_->port());
  other.set_bearer_token_auth("good");
  other.set_default_headers({{"User-Agent", "agent-two"}});
  auto fine = other.Get(kItem);
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 404);
  server_->Heal("agent-one");

  server_->SetOutage(true);
  EXPECT_FALSE(other.Get(kItem));
  server_->SetOutage(false);
  EXPECT_TRUE(other.Get(kItem));

  EXPECT_EQ(server_->RequestCount("get", "agent-one"), 3);
  EXPECT_EQ(server_->RequestCount("get", "agent-two"), 3);
  EXPECT_EQ(server_->RequestCount("create"), 0);
}

TEST_F(KubeApiServerTest, WatchStreamsEventsForOneLease) {
  auto created = Post(LeaseBody("a"));
  ASSERT_TRUE(created);
  const std::string rv1 = json::parse(created->body)["metadata"]["resourceVersion"];
  std::string received;
  std::thread watcher([&] {
    httplib::Client watch_client("127.0.0.1", server_->port());
    watch_client.set_bearer_token_auth("good");
    watch_client.Get(std::string(kCollection) +
                         "?watch=1&fieldSelector=metadata.name%3Dl1&resourceVersion=" + rv1 +
                         "&timeoutSeconds=5",
                     [&](const char* data, size_t length) {
                       received.append(data, length);
                       return received.find("\"b\"") == std::string::npos;
                     });
  });
  while (server_->OpenWatches() == 0) std::this_thread::yield();
  auto updated = Put(LeaseBody("b", rv1));
  ASSERT_TRUE(updated);
  watcher.join();
  json event = json::parse(received.substr(0, received.find('\n')));
  EXPECT_EQ(event["type"], "MODIFIED");
  EXPECT_EQ(event["object"]["spec"]["holderIdentity"], "b");
  EXPECT_EQ(server_->RequestCount("watch"), 1);
}

TEST_F(KubeApiServerTest, WatchFromTooOldVersionIsGone) {
  auto created = Post(LeaseBody("a"));
  ASSERT_TRUE(created);
  std::string rv = json::parse(created->body)["metadata"]["resourceVersion"];
  const std::string first_rv = rv;
  for (int i = 0; i < 7; ++i) {  // the history keeps 5 events
    auto updated = Put(LeaseBody("h" + std::to_string(i), rv));
    ASSERT_TRUE(updated);
    rv = json::parse(updated->body)["metadata"]["resourceVersion"];
  }
  auto result = client_->Get(std::string(kCollection) +
                             "?watch=1&fieldSelector=metadata.name%3Dl1&resourceVersion=" +
                             first_rv);
  ASSERT_TRUE(result);
  json event = json::parse(result->body.substr(0, result->body.find('\n')));
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"]["code"], 410);
  EXPECT_EQ(event["object"]["reason"], "Expired");
}

// PATCH over loopback, as `kubectl patch lease` sends it.
TEST_F(KubeApiServerTest, PatchMergeStrategicAndJsonPatch) {
  auto missing = client_->Patch(kItem, R"({"spec": {"holderIdentity": "b"}})",
                                "application/merge-patch+json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["reason"], "NotFound");

  auto created = Post(LeaseBody("a"));
  ASSERT_TRUE(created);
  const std::string rv1 = json::parse(created->body)["metadata"]["resourceVersion"];

  auto merged = client_->Patch(kItem, R"({"spec": {"holderIdentity": "b"}})",
                               "application/merge-patch+json");
  ASSERT_TRUE(merged);
  ASSERT_EQ(merged->status, 200) << merged->body;
  const json after_merge = json::parse(merged->body);
  const std::string rv2 = after_merge["metadata"]["resourceVersion"];
  EXPECT_NE(rv2, rv1);
  EXPECT_EQ(after_merge["spec"]["holderIdentity"], "b");
  EXPECT_EQ(after_merge["spec"]["leaseDurationSeconds"], 15);  // untouched fields stay
  EXPECT_EQ(server_->GetLease("default", "l1")->at("spec")["holderIdentity"], "b");

  // kubectl's default for built-in types; the resourceVersion in it is a precondition.
  auto strategic = client_->Patch(
      kItem, R"({"metadata": {"resourceVersion": ")" + rv2 + R"("}, "spec": {"leaseTransitions": 3}})",
      "application/strategic-merge-patch+json");
  ASSERT_TRUE(strategic);
  ASSERT_EQ(strategic->status, 200) << strategic->body;
  EXPECT_EQ(json::parse(strategic->body)["spec"]["leaseTransitions"], 3);

  auto stale = client_->Patch(
      kItem, R"({"metadata": {"resourceVersion": ")" + rv1 + R"("}, "spec": {"holderIdentity": "c"}})",
      "application/merge-patch+json");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  EXPECT_EQ(json::parse(stale->body)["reason"], "Conflict");
  EXPECT_EQ(json::parse(stale->body)["kind"], "Status");

  auto json_patch = client_->Patch(
      kItem, R"([{"op": "replace", "path": "/spec/holderIdentity", "value": "d"}])",
      "application/json-patch+json");
  ASSERT_TRUE(json_patch);
  ASSERT_EQ(json_patch->status, 200) << json_patch->body;
  EXPECT_EQ(json::parse(json_patch->body)["spec"]["holderIdentity"], "d");

  auto bad_time = client_->Patch(kItem, R"({"spec": {"renewTime": "2026-11-21T10:00:00Z"}})",
                                 "application/merge-patch+json");
  ASSERT_TRUE(bad_time);
  EXPECT_EQ(bad_time->status, 400);

  auto apply = client_->Patch(kItem, "spec: {holderIdentity: e}", "application/apply-patch+yaml");
  ASSERT_TRUE(apply);
  EXPECT_EQ(apply->status, 415);
  const json status = json::parse(apply->body);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "UnsupportedMediaType");
  EXPECT_EQ(status["code"], 415);
  EXPECT_EQ(server_->GetLease("default", "l1")->at("spec")["holderIdentity"], "d");
  EXPECT_EQ(server_->RequestCount("patch"), 7);
}

// A patch is a write like any other: watchers see it as MODIFIED.
TEST_F(KubeApiServerTest, PatchIsSeenByWatchers) {
  auto created = Post(LeaseBody("a"));
  ASSERT_TRUE(created);
  const std::string rv1 = json::parse(created->body)["metadata"]["resourceVersion"];
  auto patched = client_->Patch(kItem, R"({"spec": {"holderIdentity": "p"}})",
                                "application/merge-patch+json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200);
  auto result = client_->Get(std::string(kCollection) +
                             "?watch=1&fieldSelector=metadata.name%3Dl1&timeoutSeconds=1&"
                             "resourceVersion=" + rv1);
  ASSERT_TRUE(result);
  json event = json::parse(result->body.substr(0, result->body.find('\n')));
  EXPECT_EQ(event["type"], "MODIFIED");
  EXPECT_EQ(event["object"]["spec"]["holderIdentity"], "p");
}

TEST(KubeApiServerTlsTest, ServesHttpsWithItsOwnCa) {
  KubeApiServerOptions options;
  options.tls = true;
  ASSERT_OK_AND_ASSIGN(auto server, KubeApiServer::Start(options));
  EXPECT_EQ(server->url().rfind("https://127.0.0.1:", 0), 0u);
  httplib::SSLClient client("127.0.0.1", server->port());
  client.set_ca_cert_path(server->ca_file().c_str());
  client.enable_server_certificate_verification(true);
  auto result = client.Get(kItem);
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 404);
  httplib::SSLClient untrusting("127.0.0.1", server->port());
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_ca_cert_path("/nonexistent");
  EXPECT_FALSE(untrusting.Get(kItem));
}

}  // namespace
}  // namespace gatehouse::testing
