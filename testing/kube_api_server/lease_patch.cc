#include "testing/kube_api_server/lease_patch.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::testing {
namespace {

using json = nlohmann::json;

constexpr char kMergePatch[] = "application/merge-patch+json";
constexpr char kStrategicMergePatch[] = "application/strategic-merge-patch+json";
constexpr char kJsonPatch[] = "application/json-patch+json";

PatchFailure Failure(int code, const std::string& reason, const std::string& message) {
  return PatchFailure{code, reason, message};
}

}  // namespace

std::string PatchMediaType(absl::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(content_type.substr(0, semicolon)));
}

bool IsLeasePatchType(absl::string_view content_type) {
  const std::string type = PatchMediaType(content_type);
  return type == kMergePatch || type == kStrategicMergePatch || type == kJsonPatch;
}

PatchFailure ApplyLeasePatch(const json& stored, absl::string_view content_type,
                             absl::string_view body, json* patched) {
  const std::string type = PatchMediaType(content_type);
  if (!IsLeasePatchType(type)) {
    return Failure(415, "UnsupportedMediaType",
                   absl::StrCat("the body of the request was in an unknown format - accepted "
                                "media types include: ",
                                kJsonPatch, ", ", kMergePatch, ", ", kStrategicMergePatch));
  }
  const json patch = json::parse(body.begin(), body.end(), nullptr, false);
  if (patch.is_discarded()) {
    return Failure(400, "BadRequest", "error decoding patch: the body is not valid JSON");
  }
  const json stored_metadata = stored.value("metadata", json::object());
  const std::string stored_version = stored_metadata.value("resourceVersion", "");
  json result = stored;
  if (type == kJsonPatch) {
    if (!patch.is_array()) {
      return Failure(400, "BadRequest",
                     "error decoding patch: a JSON patch must be an array of operations");
    }
    try {
      result = stored.patch(patch);
    } catch (const json::exception& e) {
      // An operation that cannot apply (a missing path, a failed "test"), as the API server's
      // "the server rejected our request due to an error in our request".
      return Failure(422, "Invalid", absl::StrCat("the JSON patch does not apply: ", e.what()));
    }
  } else {
    if (!patch.is_object()) {
      return Failure(400, "BadRequest", "error decoding patch: a merge patch must be an object");
    }
    // A resourceVersion in a merge patch is a precondition: it must be the stored one.
    if (patch.contains("metadata") && patch["metadata"].is_object() &&
        patch["metadata"].contains("resourceVersion") &&
        !patch["metadata"]["resourceVersion"].is_null()) {
      const json& wanted = patch["metadata"]["resourceVersion"];
      if (!wanted.is_string() || wanted.get<std::string>() != stored_version) {
        return Failure(409, "Conflict", "");
      }
    }
    result.merge_patch(patch);
  }
  if (!result.is_object() || !result.contains("metadata") || !result["metadata"].is_object()) {
    return Failure(422, "Invalid", "the patched object has no metadata");
  }
  json& metadata = result["metadata"];
  if (metadata.value("name", json()) != stored_metadata.value("name", json())) {
    return Failure(400, "BadRequest", "the name of the object does not match the name on the URL");
  }
  // A JSON patch may also "replace" the resourceVersion: the same precondition.
  if (type == kJsonPatch && metadata.contains("resourceVersion") &&
      metadata["resourceVersion"] != json(stored_version)) {
    return Failure(409, "Conflict", "");
  }
  result["apiVersion"] = stored.value("apiVersion", "coordination.k8s.io/v1");
  result["kind"] = stored.value("kind", "Lease");
  for (const char* field : {"namespace", "uid", "creationTimestamp", "resourceVersion"}) {
    if (stored_metadata.contains(field)) {
      metadata[field] = stored_metadata[field];
    } else {
      metadata.erase(field);
    }
  }
  *patched = std::move(result);
  return PatchFailure{};
}

}  // namespace gatehouse::testing
