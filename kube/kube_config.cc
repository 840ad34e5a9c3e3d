#include "kube/kube_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "yaml-cpp/yaml.h"

namespace gatehouse::kube {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

std::string EnvOr(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? fallback : std::string(value);
}

std::string Dirname(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  return std::string(path.substr(0, slash == 0 ? 1 : slash));
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return absl::StrCat(base_dir, "/", path);
}

// The namespace when the kubeconfig context names none.
std::string FallbackNamespace(absl::string_view service_account_dir) {
  std::string ns = EnvOr("POD_NAMESPACE");
  if (!ns.empty()) return ns;
  if (ReadFile(absl::StrCat(service_account_dir, "/namespace"), &ns)) {
    ns = std::string(absl::StripAsciiWhitespace(ns));
    if (!ns.empty()) return ns;
  }
  return "default";
}

// The entry of `list` (clusters, users, contexts) named `name`, or a null node.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name, const char* field) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const YAML::Node& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry[field];
  }
  return YAML::Node();
}

std::string Str(const YAML::Node& node, const char* key) {
  if (!node || !node[key] || node[key].IsNull()) return "";
  return node[key].as<std::string>();
}

absl::Status DecodeData(const std::string& base64, const std::string& what,
                        const std::string& path, std::string* out) {
  if (base64.empty()) return absl::OkStatus();
  if (!absl::Base64Unescape(base64, out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", path, ": ", what, " is not valid base64"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KubeConfig> LoadKubeConfigFile(absl::string_view path_view,
                                              absl::string_view context_name,
                                              absl::string_view service_account_dir) {
  const std::string path(path_view);
  std::string text;
  if (!ReadFile(path, &text)) {
    return absl::NotFoundError(absl::StrCat("kubeconfig ", path, ": cannot read the file"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1, ": ", e.msg));
  }
  try {
    std::string context = std::string(context_name);
    if (context.empty()) context = Str(root, "current-context");
    if (context.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kubeconfig ", path, ": no current-context and no context given"));
    }
    YAML::Node ctx = FindNamed(root["contexts"], context, "context");
    if (!ctx || !ctx.IsMap()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kubeconfig ", path, ": context '", context, "' not found in contexts"));
    }
    const std::string cluster_name = Str(ctx, "cluster");
    const std::string user_name = Str(ctx, "user");
    YAML::Node cluster = FindNamed(root["clusters"], cluster_name, "cluster");
    if (!cluster || !cluster.IsMap()) {
      return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": cluster '",
                                                     cluster_name, "' of context '", context,
                                                     "' not found in clusters"));
    }
    YAML::Node user = FindNamed(root["users"], user_name, "user");
    if (!user_name.empty() && (!user || !user.IsMap())) {
      return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": user '", user_name,
                                                     "' of context '", context,
                                                     "' not found in users"));
    }
    const std::string base = Dirname(path);
    KubeConfig config;
    config.source = absl::StrCat("kubeconfig ", path, " (context ", context, ")");
    config.server = Str(cluster, "server");
    if (config.server.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": cluster '",
                                                     cluster_name, "' has no server"));
    }
    config.ca_file = Resolve(base, Str(cluster, "certificate-authority"));
    absl::Status status = DecodeData(Str(cluster, "certificate-authority-data"),
                                     "certificate-authority-data", path, &config.ca_data);
    if (!status.ok()) return status;
    config.insecure_skip_tls_verify =
        cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
    config.tls_server_name = Str(cluster, "tls-server-name");
    config.token = Str(user, "token");
    config.token_file = Resolve(base, Str(user, "tokenFile"));
    config.client_cert_file = Resolve(base, Str(user, "client-certificate"));
    config.client_key_file = Resolve(base, Str(user, "client-key"));
    status = DecodeData(Str(user, "client-certificate-data"), "client-certificate-data", path,
                        &config.client_cert_data);
    if (!status.ok()) return status;
    status = DecodeData(Str(user, "client-key-data"), "client-key-data", path,
                        &config.client_key_data);
    if (!status.ok()) return status;
    config.namespace_name = Str(ctx, "namespace");
    if (config.namespace_name.empty()) config.namespace_name = FallbackNamespace(service_account_dir);
    return config;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<KubeConfig> LoadInClusterConfig(absl::string_view service_account_dir) {
  const std::string host = EnvOr("KUBERNETES_SERVICE_HOST");
  const std::string port = EnvOr("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return absl::FailedPreconditionError(
        "no kubeconfig (kube_config option, $KUBECONFIG) and not in a cluster "
        "(KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set)");
  }
  KubeConfig config;
  config.source = "in-cluster";
  const bool ipv6 = absl::StrContains(host, ':');
  config.server = absl::StrCat("https://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
  config.token_file = absl::StrCat(service_account_dir, "/token");
  std::string probe;
  if (!ReadFile(config.token_file, &probe)) {
    return absl::FailedPreconditionError(
        absl::StrCat("in-cluster: cannot read the service account token ", config.token_file));
  }
  config.ca_file = absl::StrCat(service_account_dir, "/ca.crt");
  config.namespace_name = FallbackNamespace(service_account_dir);
  return config;
}

absl::StatusOr<KubeConfig> LoadKubeConfig(const KubeConfigSources& sources) {
  if (!sources.kubeconfig_path.empty()) {
    return LoadKubeConfigFile(sources.kubeconfig_path, sources.context,
                              sources.service_account_dir);
  }
  const std::string env = EnvOr("KUBECONFIG");
  if (!env.empty()) {
    for (absl::string_view entry : absl::StrSplit(env, ':', absl::SkipEmpty())) {
      return LoadKubeConfigFile(entry, sources.context, sources.service_account_dir);
    }
  }
  return LoadInClusterConfig(sources.service_account_dir);
}

}  // namespace gatehouse::kube
