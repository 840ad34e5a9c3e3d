#include "kube/kube_errors.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace gatehouse::kube {
namespace {

constexpr char kPayloadUrl[] = "type.gatehouse.dev/kube.Status";

absl::StatusCode CodeFor(absl::string_view reason, int http_code) {
  if (reason == "NotFound" || (reason.empty() && http_code == 404)) return absl::StatusCode::kNotFound;
  if (reason == "AlreadyExists") return absl::StatusCode::kAlreadyExists;
  if (reason == "Conflict" || (reason.empty() && http_code == 409)) return absl::StatusCode::kAborted;
  if (reason == "Invalid" || reason == "BadRequest" || http_code == 400 || http_code == 422) {
    return absl::StatusCode::kInvalidArgument;
  }
  if (reason == "Unauthorized" || http_code == 401) return absl::StatusCode::kUnauthenticated;
  if (reason == "Forbidden" || http_code == 403) return absl::StatusCode::kPermissionDenied;
  if (reason == "TooManyRequests" || http_code == 429) return absl::StatusCode::kResourceExhausted;
  if (reason == "Expired" || reason == "Gone" || http_code == 410) return absl::StatusCode::kOutOfRange;
  if (reason == "Timeout" && http_code == 504) return absl::StatusCode::kUnavailable;
  if (http_code >= 500) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

}  // namespace

absl::Status StatusFromHttpError(int http_code, absl::string_view body, absl::string_view what) {
  std::string reason;
  std::string message;
  nlohmann::json status = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (status.is_object() && status.value("kind", "") == "Status") {
    if (status.contains("reason") && status["reason"].is_string()) reason = status["reason"];
    if (status.contains("message") && status["message"].is_string()) message = status["message"];
  }
  if (message.empty()) message = std::string(body.substr(0, 200));
  absl::Status result(CodeFor(reason, http_code),
                      absl::StrCat(what, ": HTTP ", http_code, reason.empty() ? "" : " ", reason,
                                   ": ", message));
  result.SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(reason, "|", http_code)));
  return result;
}

std::string KubeReason(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return "";
  std::string text(*payload);
  return text.substr(0, text.find('|'));
}

int KubeHttpCode(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return 0;
  std::string text(*payload);
  int code = 0;
  if (!absl::SimpleAtoi(text.substr(text.find('|') + 1), &code)) return 0;
  return code;
}

bool IsKubeConflict(const absl::Status& status) { return KubeReason(status) == "Conflict"; }
bool IsKubeAlreadyExists(const absl::Status& status) { return KubeReason(status) == "AlreadyExists"; }

std::string ForbiddenLeasesHelp(const absl::Status& status, absl::string_view lease_namespace) {
  return absl::StrCat(
      "cannot access leases: ", status.message(),
      ". Grant the agent's service account a Role in namespace \"", lease_namespace,
      "\" (bound with a RoleBinding) with the rule: apiGroups: [\"coordination.k8s.io\"], "
      "resources: [\"leases\"], verbs: [\"get\", \"list\", \"watch\", \"create\", \"update\", "
      "\"patch\"]");
}

}  // namespace gatehouse::kube
