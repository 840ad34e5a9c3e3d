#include "testing/kube_api_server/lease_patch.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gatehouse::testing {
namespace {

using json = nlohmann::json;

const json& Stored() {
  static const json* stored = new json(json::parse(R"({
    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
    "metadata": {"name": "l1", "namespace": "default", "uid": "u-1", "resourceVersion": "7",
                 "creationTimestamp": "2026-11-21T10:00:00Z"},
    "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15, "leaseTransitions": 2}})"));
  return *stored;
}

TEST(LeasePatchTest, MergePatchSetsAndRemovesFields) {
  json patched;
  PatchFailure failure =
      ApplyLeasePatch(Stored(), "application/merge-patch+json",
                      R"({"spec": {"holderIdentity": "b", "leaseTransitions": null}})", &patched);
  ASSERT_EQ(failure.code, 0) << failure.message;
  EXPECT_EQ(patched["spec"]["holderIdentity"], "b");
  EXPECT_FALSE(patched["spec"].contains("leaseTransitions"));
  EXPECT_EQ(patched["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(patched["metadata"]["uid"], "u-1");
}

TEST(LeasePatchTest, StrategicMergePatchOfALeaseIsAMergePatch) {
  const std::string body = R"({"spec": {"holderIdentity": "", "leaseDurationSeconds": 1}})";
  json merge, strategic;
  ASSERT_EQ(ApplyLeasePatch(Stored(), "application/merge-patch+json", body, &merge).code, 0);
  ASSERT_EQ(ApplyLeasePatch(Stored(), "application/strategic-merge-patch+json; charset=utf-8",
                            body, &strategic)
                .code,
            0);
  EXPECT_EQ(merge, strategic);
}

TEST(LeasePatchTest, ResourceVersionInAPatchIsAPrecondition) {
  json patched;
  EXPECT_EQ(ApplyLeasePatch(Stored(), "application/merge-patch+json",
                            R"({"metadata": {"resourceVersion": "7"}, "spec": {"holderIdentity": "b"}})",
                            &patched)
                .code,
            0);
  EXPECT_EQ(patched["metadata"]["resourceVersion"], "7");  // the caller bumps it
  PatchFailure stale = ApplyLeasePatch(Stored(), "application/merge-patch+json",
                                       R"({"metadata": {"resourceVersion": "6"}})", &patched);
  EXPECT_EQ(stale.code, 409);
  EXPECT_EQ(stale.reason, "Conflict");
  PatchFailure stale_json_patch = ApplyLeasePatch(
      Stored(), "application/json-patch+json",
      R"([{"op": "replace", "path": "/metadata/resourceVersion", "value": "6"}])", &patched);
  EXPECT_EQ(stale_json_patch.code, 409);
}

TEST(LeasePatchTest, JsonPatchOperationsAndFailedTest) {
  json patched;
  PatchFailure failure = ApplyLeasePatch(
      Stored(), "application/json-patch+json",
      R"([{"op": "test", "path": "/spec/holderIdentity", "value": "a"},
          {"op": "replace", "path": "/spec/holderIdentity", "value": "c"},
          {"op": "add", "path": "/spec/renewTime", "value": "2026-11-21T10:00:00.123456Z"}])",
      &patched);
  ASSERT_EQ(failure.code, 0) << failure.message;
  EXPECT_EQ(patched["spec"]["holderIdentity"], "c");
  EXPECT_EQ(patched["spec"]["renewTime"], "2026-11-21T10:00:00.123456Z");
  failure = ApplyLeasePatch(Stored(), "application/json-patch+json",
                            R"([{"op": "test", "path": "/spec/holderIdentity", "value": "z"}])",
                            &patched);
  EXPECT_EQ(failure.code, 422);
  EXPECT_EQ(failure.reason, "Invalid");
  failure = ApplyLeasePatch(Stored(), "application/json-patch+json", R"({"op": "add"})", &patched);
  EXPECT_EQ(failure.code, 400);
}

TEST(LeasePatchTest, ServerOwnedFieldsAndNameAreKept) {
  json patched;
  PatchFailure failure = ApplyLeasePatch(
      Stored(), "application/merge-patch+json",
      R"({"kind": "Pod", "metadata": {"uid": "x", "namespace": "other", "creationTimestamp": null}})",
      &patched);
  ASSERT_EQ(failure.code, 0) << failure.message;
  EXPECT_EQ(patched["kind"], "Lease");
  EXPECT_EQ(patched["metadata"]["uid"], "u-1");
  EXPECT_EQ(patched["metadata"]["namespace"], "default");
  EXPECT_EQ(patched["metadata"]["creationTimestamp"], "2026-11-21T10:00:00Z");
  failure = ApplyLeasePatch(Stored(), "application/merge-patch+json",
                            R"({"metadata": {"name": "l2"}})", &patched);
  EXPECT_EQ(failure.code, 400);
  EXPECT_EQ(failure.reason, "BadRequest");
}

TEST(LeasePatchTest, BadBodiesAndUnknownTypes) {
  json patched;
  EXPECT_EQ(ApplyLeasePatch(Stored(), "application/merge-patch+json", "{", &patched).code, 400);
  EXPECT_EQ(ApplyLeasePatch(Stored(), "application/merge-patch+json", "[1]", &patched).code, 400);
  PatchFailure yaml =
      ApplyLeasePatch(Stored(), "application/apply-patch+yaml", "spec: {}", &patched);
  EXPECT_EQ(yaml.code, 415);
  EXPECT_EQ(yaml.reason, "UnsupportedMediaType");
  EXPECT_NE(yaml.message.find("application/merge-patch+json"), std::string::npos);
  EXPECT_EQ(ApplyLeasePatch(Stored(), "application/json", "{}", &patched).code, 415);
  EXPECT_TRUE(IsLeasePatchType("Application/Merge-Patch+JSON"));
  EXPECT_FALSE(IsLeasePatchType(""));
}

}  // namespace
}  // namespace gatehouse::testing
