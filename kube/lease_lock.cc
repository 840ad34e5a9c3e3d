#include "kube/lease_lock.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "kube/micro_time.h"

namespace gatehouse::kube {

bool LeaseRecord::operator==(const LeaseRecord& other) const {
  return holder_identity == other.holder_identity &&
         lease_duration_seconds == other.lease_duration_seconds &&
         acquire_time == other.acquire_time && renew_time == other.renew_time &&
         lease_transitions == other.lease_transitions;
}

void WriteLeaseSpec(const LeaseRecord& record, nlohmann::json* object) {
  nlohmann::json& spec = (*object)["spec"];
  if (!spec.is_object()) spec = nlohmann::json::object();
  // All five fields every time, as client-go's LeaseLock does.
  spec["holderIdentity"] = record.holder_identity;
  spec["leaseDurationSeconds"] = record.lease_duration_seconds;
  if (record.acquire_time != absl::InfinitePast()) {
    spec["acquireTime"] = FormatMicroTime(record.acquire_time);
  } else {
    spec.erase("acquireTime");
  }
  if (record.renew_time != absl::InfinitePast()) {
    spec["renewTime"] = FormatMicroTime(record.renew_time);
  } else {
    spec.erase("renewTime");
  }
  spec["leaseTransitions"] = record.lease_transitions;
}

nlohmann::json LeaseObject(absl::string_view lease_namespace, absl::string_view name,
                           const LeaseRecord& record) {
  nlohmann::json object = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", std::string(name)}, {"namespace", std::string(lease_namespace)}}}};
  WriteLeaseSpec(record, &object);
  return object;
}

absl::StatusOr<Lease> ParseLease(const nlohmann::json& object) {
  if (!object.is_object()) return absl::InvalidArgumentError("Lease: not a JSON object");
  Lease lease;
  lease.object = object;
  const nlohmann::json metadata = object.value("metadata", nlohmann::json::object());
  if (metadata.contains("resourceVersion") && metadata["resourceVersion"].is_string()) {
    lease.resource_version = metadata["resourceVersion"];
  }
  const nlohmann::json spec = object.value("spec", nlohmann::json::object());
  if (!spec.is_object()) return absl::InvalidArgumentError("Lease: spec is not an object");
  auto field = [&](const char* key) -> const nlohmann::json* {
    auto it = spec.find(key);
    return it == spec.end() || it->is_null() ? nullptr : &*it;
  };
  if (const nlohmann::json* v = field("holderIdentity")) {
    if (!v->is_string()) return absl::InvalidArgumentError("Lease: spec.holderIdentity is not a string");
    lease.record.holder_identity = *v;
  }
  for (auto [key, out] : {std::pair{"leaseDurationSeconds", &lease.record.lease_duration_seconds},
                          std::pair{"leaseTransitions", &lease.record.lease_transitions}}) {
    if (const nlohmann::json* v = field(key)) {
      if (!v->is_number_integer()) {
        return absl::InvalidArgumentError(absl::StrCat("Lease: spec.", key, " is not an integer"));
      }
      *out = v->get<int64_t>();
    }
  }
  for (auto [key, out] : {std::pair{"acquireTime", &lease.record.acquire_time},
                          std::pair{"renewTime", &lease.record.renew_time}}) {
    if (const nlohmann::json* v = field(key)) {
      if (!v->is_string()) {
        return absl::InvalidArgumentError(absl::StrCat("Lease: spec.", key, " is not a string"));
      }
      absl::StatusOr<absl::Time> time = ParseMicroTime(v->get<std::string>());
      if (!time.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Lease: spec.", key, ": ", time.status().message()));
      }
      *out = *time;
    }
  }
  return lease;
}

}  // namespace gatehouse::kube
