// LeaseLock over the Kubernetes Lease API (coordination.k8s.io/v1), with watch.
//
// Thread contract: thread-safe.
#ifndef GATEHOUSE_KUBE_KUBE_LEASE_LOCK_H_
#define GATEHOUSE_KUBE_KUBE_LEASE_LOCK_H_

#include <optional>
#include <string>

#include "kube/kube_client.h"
#include "kube/lease_lock.h"

namespace gatehouse::kube {

class KubeLeaseLock final : public LeaseLock {
 public:
  // `client` outlives the lock.
  KubeLeaseLock(KubeClient* client, std::string lease_namespace, std::string name);

  absl::StatusOr<Lease> Get(const LockCallOptions& call) override;
  absl::StatusOr<Lease> Create(const LeaseRecord& record, const LockCallOptions& call) override;
  absl::StatusOr<Lease> Update(const Lease& current, const LeaseRecord& record,
                               const LockCallOptions& call) override;
  absl::Status Watch(absl::string_view resource_version,
                     const std::function<bool(const std::optional<Lease>&)>& on_change,
                     const std::function<bool()>& should_stop,
                     const LockCallOptions& call) override;
  std::string Describe() const override { return namespace_ + "/" + name_; }
  std::string lease_namespace() const override { return namespace_; }

 private:
  std::string CollectionPath() const;
  std::string ItemPath() const;

  KubeClient* const client_;
  const std::string namespace_;
  const std::string name_;
};

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_KUBE_LEASE_LOCK_H_
