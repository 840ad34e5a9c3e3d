// Where and how to reach the Kubernetes API: from a kubeconfig file (explicit path, else the first
// entry of $KUBECONFIG), else in-cluster (service-account token and CA).
//
// Thread contract: plain data; the loaders are thread-compatible (they read the environment).
#ifndef GATEHOUSE_KUBE_KUBE_CONFIG_H_
#define GATEHOUSE_KUBE_KUBE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gatehouse::kube {

inline constexpr char kServiceAccountDir[] = "/var/run/secrets/kubernetes.io/serviceaccount";

struct KubeConfig {
  std::string server;  // "https://10.0.0.1:443"
  // TLS. Paths are absolute (relative kubeconfig paths are resolved against its folder); *_data
  // are PEM (already base64-decoded).
  std::string ca_file;
  std::string ca_data;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string client_cert_file;
  std::string client_cert_data;
  std::string client_key_file;
  std::string client_key_data;
  // Bearer token: a fixed one, or a file re-read on rotation (token_file wins when both are set).
  std::string token;
  std::string token_file;
  // The namespace to use when the policy names none.
  std::string namespace_name = "default";
  std::string source;  // "kubeconfig /path (context x)" or "in-cluster": for messages
};

struct KubeConfigSources {
  std::string kubeconfig_path;  // the policy's kube_config; empty: $KUBECONFIG, else in-cluster
  std::string context;          // empty: current-context
  std::string service_account_dir = kServiceAccountDir;
};

// Resolves the sources in order. The namespace comes from the kubeconfig context, else
// $POD_NAMESPACE, else the service account's namespace file, else "default".
absl::StatusOr<KubeConfig> LoadKubeConfig(const KubeConfigSources& sources);

absl::StatusOr<KubeConfig> LoadKubeConfigFile(absl::string_view path, absl::string_view context,
                                              absl::string_view service_account_dir);
absl::StatusOr<KubeConfig> LoadInClusterConfig(absl::string_view service_account_dir);

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_KUBE_CONFIG_H_
