// Fuzzes PATCH bodies against a stored Lease: the first byte picks the media type, the rest is the
// body. Whatever the body, a patch that applies keeps the server-owned fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nlohmann/json.hpp"
#include "testing/kube_api_server/lease_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {"application/merge-patch+json",
                                       "application/strategic-merge-patch+json",
                                       "application/json-patch+json", "application/yaml"};
  const std::string type = kTypes[data[0] % 4];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const nlohmann::json stored = nlohmann::json::parse(R"({
    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
    "metadata": {"name": "l1", "namespace": "default", "uid": "u-1", "resourceVersion": "7",
                 "creationTimestamp": "2026-11-21T10:00:00Z"},
    "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15, "leaseTransitions": 2}})");
  nlohmann::json patched;
  const gatehouse::testing::PatchFailure failure =
      gatehouse::testing::ApplyLeasePatch(stored, type, body, &patched);
  if (failure.code == 0) {
    const nlohmann::json& metadata = patched.at("metadata");
    if (metadata.at("uid") != stored["metadata"]["uid"] ||
        metadata.at("name") != stored["metadata"]["name"] ||
        metadata.at("resourceVersion") != stored["metadata"]["resourceVersion"] ||
        patched.at("kind") != "Lease") {
      abort();
    }
  }
  return 0;
}
