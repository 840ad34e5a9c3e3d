// Kubernetes API errors as absl::Status. The decision is made on the Status object's `reason` and
// HTTP `code`, never on its message:
//   NotFound 404 -> kNotFound            AlreadyExists 409 -> kAlreadyExists
//   Conflict 409 -> kAborted             Invalid 422 / BadRequest 400 -> kInvalidArgument
//   Unauthorized 401 -> kUnauthenticated Forbidden 403 -> kPermissionDenied
//   TooManyRequests 429 -> kResourceExhausted   500/503/504, transport errors -> kUnavailable
//   request timeout -> kDeadlineExceeded
// The reason and code ride along as a payload so callers can read them back.
#ifndef GATEHOUSE_KUBE_KUBE_ERRORS_H_
#define GATEHOUSE_KUBE_KUBE_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gatehouse::kube {

// Builds the status for an HTTP error answer. `body` is the response body (a Status object, or
// anything else); `what` names the request ("GET /apis/...").
absl::Status StatusFromHttpError(int http_code, absl::string_view body, absl::string_view what);

// The Kubernetes `reason` carried by a status made by StatusFromHttpError ("Conflict",
// "AlreadyExists", ...); empty for other statuses.
std::string KubeReason(const absl::Status& status);
// The HTTP code carried by such a status; 0 for other statuses.
int KubeHttpCode(const absl::Status& status);

bool IsKubeConflict(const absl::Status& status);       // 409 Conflict
bool IsKubeAlreadyExists(const absl::Status& status);  // 409 AlreadyExists

// The message a person can act on when leases are forbidden: the server's message and the RBAC
// rule to add.
std::string ForbiddenLeasesHelp(const absl::Status& status, absl::string_view lease_namespace);

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_KUBE_ERRORS_H_
