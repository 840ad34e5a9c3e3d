#include "kube/kube_config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::kube {
namespace {

class KubeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(dir_.c_str(), 0755);
    unsetenv("KUBECONFIG");
    unsetenv("POD_NAMESPACE");
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

constexpr char kKubeconfig[] = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: certs/ca.crt
    tls-server-name: kubernetes.default.svc
- name: dev-cluster
  cluster:
    server: https://[fd00::1]:443
    certificate-authority-data: aGVsbG8=
    insecure-skip-tls-verify: true
users:
- name: prod-user
  user:
    tokenFile: secrets/token
    client-certificate: /abs/client.crt
    client-key: certs/client.key
- name: dev-user
  user:
    token: abc
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
contexts:
- name: prod
  context:
    cluster: prod-cluster
    user: prod-user
    namespace: monitoring
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
)";

TEST_F(KubeConfigTest, ReadsEveryFieldAndResolvesRelativePaths) {
  std::string path = Write("config", kKubeconfig);
  ASSERT_OK_AND_ASSIGN(KubeConfig config, LoadKubeConfigFile(path, "", dir_ + "/sa"));
  EXPECT_EQ(config.server, "https://10.0.0.1:6443");
  EXPECT_EQ(config.ca_file, dir_ + "/certs/ca.crt");
  EXPECT_EQ(config.tls_server_name, "kubernetes.default.svc");
  EXPECT_EQ(config.token_file, dir_ + "/secrets/token");
  EXPECT_EQ(config.client_cert_file, "/abs/client.crt");
  EXPECT_EQ(config.client_key_file, dir_ + "/certs/client.key");
  EXPECT_EQ(config.namespace_name, "monitoring");
  EXPECT_FALSE(config.insecure_skip_tls_verify);

  ASSERT_OK_AND_ASSIGN(KubeConfig dev, LoadKubeConfigFile(path, "dev", dir_ + "/sa"));
  EXPECT_EQ(dev.server, "https://[fd00::1]:443");
  EXPECT_EQ(dev.ca_data, "hello");
  EXPECT_TRUE(dev.insecure_skip_tls_verify);
  EXPECT_EQ(dev.token, "abc");
  EXPECT_EQ(dev.client_cert_data, "cert");
  EXPECT_EQ(dev.client_key_data, "key");
  EXPECT_EQ(dev.namespace_name, "default");
  setenv("POD_NAMESPACE", "from-env", 1);
  ASSERT_OK_AND_ASSIGN(dev, LoadKubeConfigFile(path, "dev", dir_ + "/sa"));
  EXPECT_EQ(dev.namespace_name, "from-env");
}

TEST_F(KubeConfigTest, ClearErrors) {
  std::string path = Write("config", kKubeconfig);
  EXPECT_STATUS(LoadKubeConfigFile(path, "nope", ""), absl::StatusCode::kInvalidArgument,
                "context 'nope' not found");
  EXPECT_STATUS(LoadKubeConfigFile(dir_ + "/missing", "", ""), absl::StatusCode::kNotFound,
                "cannot read");
  std::string bad = Write("bad", "clusters: [\n");
  EXPECT_STATUS(LoadKubeConfigFile(bad, "", ""), absl::StatusCode::kInvalidArgument, bad);
}

TEST_F(KubeConfigTest, KubeconfigEnvFirstEntryWins) {
  std::string path = Write("config", kKubeconfig);
  setenv("KUBECONFIG", (path + ":/nonexistent").c_str(), 1);
  ASSERT_OK_AND_ASSIGN(KubeConfig config, LoadKubeConfig({}));
  EXPECT_EQ(config.server, "https://10.0.0.1:6443");
  KubeConfigSources explicit_path;
  explicit_path.kubeconfig_path = path;
  explicit_path.context = "dev";
  ASSERT_OK_AND_ASSIGN(config, LoadKubeConfig(explicit_path));
  EXPECT_EQ(config.token, "abc");
}

TEST_F(KubeConfigTest, InClusterWithIpv6AndNamespaceFile) {
  std::string sa = dir_ + "/sa";
  mkdir(sa.c_str(), 0755);
  KubeConfigSources sources;
  sources.service_account_dir = sa;
  EXPECT_STATUS(LoadKubeConfig(sources), absl::StatusCode::kFailedPrecondition,
                "KUBERNETES_SERVICE_HOST");
  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  EXPECT_STATUS(LoadKubeConfig(sources), absl::StatusCode::kFailedPrecondition, "token");
  Write("sa/token", "tok\n");
  Write("sa/namespace", "kube-system\n");
  ASSERT_OK_AND_ASSIGN(KubeConfig config, LoadKubeConfig(sources));
  EXPECT_EQ(config.server, "https://[fd00::1]:443");
  EXPECT_EQ(config.token_file, sa + "/token");
  EXPECT_EQ(config.ca_file, sa + "/ca.crt");
  EXPECT_EQ(config.namespace_name, "kube-system");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("POD_NAMESPACE", "mine", 1);
  ASSERT_OK_AND_ASSIGN(config, LoadKubeConfig(sources));
  EXPECT_EQ(config.server, "https://10.96.0.1:443");
  EXPECT_EQ(config.namespace_name, "mine");
}

}  // namespace
}  // namespace gatehouse::kube
