// Where Leases live for the providers: the Kubernetes API (`backend: kubernetes`, one client with
// its rate limit and request metrics) or a local folder (`backend: file`). Makes one LeaseLock per
// Lease name.
//
// Thread contract: thread-safe; outlives every lock it made.
#ifndef GATEHOUSE_KUBE_LEASE_BACKEND_H_
#define GATEHOUSE_KUBE_LEASE_BACKEND_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "kube/kube_client.h"
#include "kube/lease_lock.h"

namespace gatehouse::kube {

struct LeaseBackendOptions {
  std::string backend = "kubernetes";  // "kubernetes" | "file"
  std::string kube_config;             // empty: $KUBECONFIG, else in-cluster
  std::string service_account_dir = kServiceAccountDir;
  std::string namespace_name;          // empty: from the configuration
  std::string lease_dir;               // file back-end
  double qps = 5;
  int burst = 10;
  absl::Duration request_timeout = absl::Seconds(5);
  Clock* clock = &Clock::Real();
};

class LeaseBackend {
 public:
  // InvalidArgument naming `backend` when it is neither; the configuration errors otherwise.
  static absl::StatusOr<std::unique_ptr<LeaseBackend>> Create(const LeaseBackendOptions& options);

  absl::StatusOr<std::unique_ptr<LeaseLock>> NewLock(const std::string& name);
  const std::string& lease_namespace() const { return namespace_; }
  KubeClient* client() { return client_.get(); }  // null for the file back-end

 private:
  LeaseBackend() = default;
  std::string backend_;
  std::string namespace_;
  std::string lease_dir_;
  std::unique_ptr<KubeClient> client_;
};

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_LEASE_BACKEND_H_
