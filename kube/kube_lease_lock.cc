#include "kube/kube_lease_lock.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace gatehouse::kube {
namespace {

constexpr int kMinWatchSeconds = 300;

}  // namespace

KubeLeaseLock::KubeLeaseLock(KubeClient* client, std::string lease_namespace, std::string name)
    : client_(client), namespace_(std::move(lease_namespace)), name_(std::move(name)) {}

std::string KubeLeaseLock::CollectionPath() const {
  return absl::StrCat("/apis/coordination.k8s.io/v1/namespaces/", namespace_, "/leases");
}

std::string KubeLeaseLock::ItemPath() const { return absl::StrCat(CollectionPath(), "/", name_); }

absl::StatusOr<Lease> KubeLeaseLock::Get(const LockCallOptions& call) {
  ASSIGN_OR_RETURN(nlohmann::json object,
                   client_->Call("GET", ItemPath(), nullptr, "get",
                                 {call.monotonic_deadline, call.cancel}));
  return ParseLease(object);
}

absl::StatusOr<Lease> KubeLeaseLock::Create(const LeaseRecord& record,
                                            const LockCallOptions& call) {
  nlohmann::json object = LeaseObject(namespace_, name_, record);
  ASSIGN_OR_RETURN(nlohmann::json created,
                   client_->Call("POST", CollectionPath(), &object, "create",
                                 {call.monotonic_deadline, call.cancel}));
  return ParseLease(created);
}

absl::StatusOr<Lease> KubeLeaseLock::Update(const Lease& current, const LeaseRecord& record,
                                            const LockCallOptions& call) {
  nlohmann::json object = current.object;
  object["metadata"]["resourceVersion"] = current.resource_version;
  WriteLeaseSpec(record, &object);
  ASSIGN_OR_RETURN(nlohmann::json updated,
                   client_->Call("PUT", ItemPath(), &object, "update",
                                 {call.monotonic_deadline, call.cancel}));
  return ParseLease(updated);
}

absl::Status KubeLeaseLock::Watch(
    absl::string_view resource_version,
    const std::function<bool(const std::optional<Lease>&)>& on_change,
    const std::function<bool()>& should_stop, const LockCallOptions& call) {
  absl::Status parse_error;
  // As client-go's reflector: the server ends the watch after a random 5 to 10 minutes, so a
  // fleet started together does not re-open its watches together.
  absl::BitGen rng;
  const int timeout_seconds = absl::Uniform(rng, kMinWatchSeconds, 2 * kMinWatchSeconds);
  const std::string path =
      absl::StrCat(CollectionPath(), "?watch=1&fieldSelector=metadata.name%3D", name_,
                   "&resourceVersion=", resource_version, "&timeoutSeconds=", timeout_seconds);
  CallOptions options{call.monotonic_deadline, call.cancel, should_stop};
  absl::Status status = client_->Watch(
      path,
      [&](const nlohmann::json& event) {
        const std::string type = event.value("type", "");
        if (type == "DELETED") return on_change(std::nullopt);
        if (type != "ADDED" && type != "MODIFIED") return true;  // BOOKMARK and friends
        absl::StatusOr<Lease> lease = ParseLease(event.value("object", nlohmann::json()));
        if (!lease.ok()) {
          parse_error = lease.status();
          return false;
        }
        return on_change(*lease);
      },
      options);
  RETURN_IF_ERROR(status);
  return parse_error;
}

}  // namespace gatehouse::kube
