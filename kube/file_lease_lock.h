// LeaseLock over files: one Lease object as JSON per file (`<dir>/<namespace>.<name>.json`), read
// and written under an exclusive flock of a sibling `.lock` file, with the same semantics as the
// API (NotFound, AlreadyExists, Conflict on a stale version). For one host: the demo and agents
// that are not on Kubernetes.
//
// Thread contract: thread-safe (and safe across processes on one host).
#ifndef GATEHOUSE_KUBE_FILE_LEASE_LOCK_H_
#define GATEHOUSE_KUBE_FILE_LEASE_LOCK_H_

#include <memory>
#include <string>

#include "kube/lease_lock.h"

namespace gatehouse::kube {

class FileLeaseLock final : public LeaseLock {
 public:
  // Creates `dir` when missing.
  static absl::StatusOr<std::unique_ptr<FileLeaseLock>> Create(std::string dir,
                                                               std::string lease_namespace,
                                                               std::string name);

  absl::StatusOr<Lease> Get(const LockCallOptions& call) override;
  absl::StatusOr<Lease> Create(const LeaseRecord& record, const LockCallOptions& call) override;
  absl::StatusOr<Lease> Update(const Lease& current, const LeaseRecord& record,
                               const LockCallOptions& call) override;
  std::string Describe() const override { return namespace_ + "/" + name_; }
  std::string lease_namespace() const override { return namespace_; }

  const std::string& path() const { return path_; }

 private:
  FileLeaseLock(std::string dir, std::string lease_namespace, std::string name);

  const std::string dir_;
  const std::string namespace_;
  const std::string name_;
  const std::string path_;
  const std::string lock_path_;
};

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_FILE_LEASE_LOCK_H_
