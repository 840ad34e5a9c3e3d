// PATCH of a Lease as the Kubernetes API server applies it: JSON merge patch (RFC 7386),
// strategic merge patch (for a Lease, which has no merge-keyed lists in its spec, the same as a
// merge patch) and JSON patch (RFC 6902). Server-owned fields (apiVersion, kind, namespace, uid,
// creationTimestamp, resourceVersion) come from the stored object; the caller bumps the version.
//
// Thread contract: stateless functions, thread-safe.
#ifndef GATEHOUSE_TESTING_KUBE_API_SERVER_LEASE_PATCH_H_
#define GATEHOUSE_TESTING_KUBE_API_SERVER_LEASE_PATCH_H_

#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gatehouse::testing {

// What the API server answers when a patch cannot apply: HTTP code, Status reason, message.
struct PatchFailure {
  int code = 0;  // 0: applied
  std::string reason;
  std::string message;
};

// The patch's media type without parameters ("application/merge-patch+json; charset=utf-8" ->
// "application/merge-patch+json"), lower case.
std::string PatchMediaType(absl::string_view content_type);

// True for the patch media types the API server takes for a Lease (see above).
bool IsLeasePatchType(absl::string_view content_type);

// Applies `body` of media type `content_type` to `stored` (the object as the server holds it).
// On success returns the patched object in `*patched` and a PatchFailure with code 0. Failures:
// 415 UnsupportedMediaType, 400 BadRequest (not JSON, not a patch, a rename), 409 Conflict (a
// metadata.resourceVersion in the patch that is not the stored one), 422 Invalid (a JSON patch
// operation that does not apply, a failed "test").
PatchFailure ApplyLeasePatch(const nlohmann::json& stored, absl::string_view content_type,
                             absl::string_view body, nlohmann::json* patched);

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_KUBE_API_SERVER_LEASE_PATCH_H_
