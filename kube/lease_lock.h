// The lock the elector competes for: a Lease record read and written with compare-and-swap on an
// opaque version. Back-ends: the Kubernetes Lease API (kube_lease_lock.h) and Lease files in a
// local folder under flock (file_lease_lock.h).
#ifndef GATEHOUSE_KUBE_LEASE_LOCK_H_
#define GATEHOUSE_KUBE_LEASE_LOCK_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace gatehouse::kube {

// The Lease spec the elector reads and writes (coordination.k8s.io/v1 LeaseSpec). The times are
// informational (wall clocks of other machines): never compare them with ours.
struct LeaseRecord {
  std::string holder_identity;
  int64_t lease_duration_seconds = 0;
  absl::Time acquire_time = absl::InfinitePast();  // InfinitePast: absent
  absl::Time renew_time = absl::InfinitePast();
  int64_t lease_transitions = 0;

  bool operator==(const LeaseRecord& other) const;
  bool operator!=(const LeaseRecord& other) const { return !(*this == other); }
};

// A Lease as read: the record, its opaque version, and the whole object (kept so an update
// writes back fields we do not know).
struct Lease {
  LeaseRecord record;
  std::string resource_version;
  nlohmann::json object;
};

// The Lease object <-> record. ParseLease fails with a message naming the field.
nlohmann::json LeaseObject(absl::string_view lease_namespace, absl::string_view name,
                           const LeaseRecord& record);
void WriteLeaseSpec(const LeaseRecord& record, nlohmann::json* object);
absl::StatusOr<Lease> ParseLease(const nlohmann::json& object);

struct LockCallOptions {
  absl::Time monotonic_deadline = absl::InfiniteFuture();
  absl::Notification* cancel = nullptr;
};

// Thread contract: implementations are thread-safe.
class LeaseLock {
 public:
  virtual ~LeaseLock() = default;
  // kNotFound when there is no such Lease.
  virtual absl::StatusOr<Lease> Get(const LockCallOptions& call) = 0;
  // kAlreadyExists when someone created it first.
  virtual absl::StatusOr<Lease> Create(const LeaseRecord& record, const LockCallOptions& call) = 0;
  // Writes `record` over `current` (its resource_version); kAborted with reason Conflict when the
  // Lease changed since.
  virtual absl::StatusOr<Lease> Update(const Lease& current, const LeaseRecord& record,
                                       const LockCallOptions& call) = 0;

  // Streams the Lease's changes after `resource_version` (a watch) to `on_change` (nullopt: the
  // Lease was deleted) until it returns false, `should_stop` returns true (checked after each
  // event and about once a second), the deadline, or cancel: then OK. kUnimplemented when the
  // back-end cannot watch (the elector polls then); the error when the watch fails (IsGone() for
  // 410: re-list).
  virtual absl::Status Watch(absl::string_view resource_version,
                             const std::function<bool(const std::optional<Lease>&)>& on_change,
                             const std::function<bool()>& should_stop,
                             const LockCallOptions& call) {
    return absl::UnimplementedError("this lease back-end cannot watch");
  }

  // "namespace/name", for log lines.
  virtual std::string Describe() const = 0;
  virtual std::string lease_namespace() const = 0;
};

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_LEASE_LOCK_H_
