#include "kube/lease_backend.h"

#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "kube/file_lease_lock.h"
#include "kube/kube_lease_lock.h"

namespace gatehouse::kube {

absl::StatusOr<std::unique_ptr<LeaseBackend>> LeaseBackend::Create(
    const LeaseBackendOptions& options) {
  std::unique_ptr<LeaseBackend> backend(new LeaseBackend());
  backend->backend_ = options.backend;
  if (options.backend == "file") {
    if (options.lease_dir.empty()) return absl::InvalidArgumentError("lease_dir must be set");
    backend->lease_dir_ = options.lease_dir;
    backend->namespace_ = options.namespace_name.empty() ? "default" : options.namespace_name;
    return backend;
  }
  if (options.backend != "kubernetes") {
    return absl::InvalidArgumentError(absl::StrCat(
        "backend: '", options.backend, "' is not one of kubernetes, file"));
  }
  KubeConfigSources sources;
  sources.kubeconfig_path = options.kube_config;
  sources.service_account_dir = options.service_account_dir;
  absl::StatusOr<KubeConfig> config = LoadKubeConfig(sources);
  if (!config.ok()) return config.status();
  backend->namespace_ =
      options.namespace_name.empty() ? config->namespace_name : options.namespace_name;
  KubeClientOptions client_options;
  client_options.qps = options.qps;
  client_options.burst = options.burst;
  client_options.request_timeout = options.request_timeout;
  client_options.clock = options.clock;
  absl::StatusOr<std::unique_ptr<KubeClient>> client =
      KubeClient::Create(*std::move(config), client_options);
  if (!client.ok()) return client.status();
  backend->client_ = std::move(*client);
  backend->client_->SetRequestObserver([](absl::string_view verb, int code) {
    MetricsRegistry::Global()
        .GetCounter("gatehouse_kube_api_requests_total",
                    "Kubernetes API requests by verb and HTTP code (0: no answer)",
                    {{"verb", std::string(verb)}, {"code", std::to_string(code)}})
        ->Increment();
  });
  return backend;
}

absl::StatusOr<std::unique_ptr<LeaseLock>> LeaseBackend::NewLock(const std::string& name) {
  if (client_ != nullptr) {
    return std::unique_ptr<LeaseLock>(new KubeLeaseLock(client_.get(), namespace_, name));
  }
  absl::StatusOr<std::unique_ptr<FileLeaseLock>> lock =
      FileLeaseLock::Create(lease_dir_, namespace_, name);
  if (!lock.ok()) return lock.status();
  return std::unique_ptr<LeaseLock>(std::move(*lock));
}

}  // namespace gatehouse::kube
