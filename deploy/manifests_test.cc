// The Kubernetes manifests are valid objects that fit together: known kinds and apiVersions, the
// downward-API variables the agent reads, and RBAC rules that cover every verb on every resource
// the agent uses.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace {

const char kDir[] = "deploy/kubernetes/";

std::vector<YAML::Node> LoadAll() {
  std::vector<YAML::Node> objects;
  const YAML::Node kustomization = YAML::LoadFile(std::string(kDir) + "kustomization.yaml");
  for (const auto& file : kustomization["resources"]) {
    for (const YAML::Node& doc : YAML::LoadAllFromFile(std::string(kDir) + file.as<std::string>())) {
      if (doc.IsNull()) continue;
      objects.push_back(doc);
    }
  }
  return objects;
}

const YAML::Node* FindObject(const std::vector<YAML::Node>& objects, const std::string& kind,
                             const std::string& name) {
  for (const auto& object : objects) {
    if (object["kind"].as<std::string>() == kind &&
        object["metadata"]["name"].as<std::string>() == name) {
      return &object;
    }
  }
  return nullptr;
}

TEST(ManifestsTest, EveryObjectHasAKnownKindAndApiVersion) {
  const std::map<std::string, std::string> api_version_of = {
      {"Namespace", "v1"},
      {"ServiceAccount", "v1"},
      {"ConfigMap", "v1"},
      {"DaemonSet", "apps/v1"},
      {"Role", "rbac.authorization.k8s.io/v1"},
      {"RoleBinding", "rbac.authorization.k8s.io/v1"},
      {"ClusterRole", "rbac.authorization.k8s.io/v1"},
      {"ClusterRoleBinding", "rbac.authorization.k8s.io/v1"},
  };
  const auto objects = LoadAll();
  ASSERT_GE(objects.size(), 8u);
  for (const auto& object : objects) {
    const std::string kind = object["kind"].as<std::string>();
    ASSERT_TRUE(api_version_of.count(kind)) << "unexpected kind " << kind;
    EXPECT_EQ(object["apiVersion"].as<std::string>(), api_version_of.at(kind)) << kind;
    ASSERT_TRUE(object["metadata"]["name"]) << kind << " without a name";
    const bool cluster_scoped =
        kind == "Namespace" || kind == "ClusterRole" || kind == "ClusterRoleBinding";
    EXPECT_EQ(static_cast<bool>(object["metadata"]["namespace"]), !cluster_scoped) << kind;
  }
}

TEST(ManifestsTest, DaemonSetPassesTheDownwardApiVariables) {
  const auto objects = LoadAll();
  const YAML::Node* daemonset = FindObject(objects, "DaemonSet", "gatehouse");
  ASSERT_NE(daemonset, nullptr);
  const YAML::Node spec = (*daemonset)["spec"];
  EXPECT_EQ(spec["selector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(),
            spec["template"]["metadata"]["labels"]["app.kubernetes.io/name"].as<std::string>());
  const YAML::Node pod = spec["template"]["spec"];
  ASSERT_NE(FindObject(objects, "ServiceAccount", pod["serviceAccountName"].as<std::string>()),
            nullptr);
  const YAML::Node container = pod["containers"][0];
  std::map<std::string, std::string> field_path_of;
  for (const auto& env : container["env"]) {
    if (env["valueFrom"] && env["valueFrom"]["fieldRef"]) {
      field_path_of[env["name"].as<std::string>()] =
          env["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>();
    }
  }
  EXPECT_EQ(field_path_of["POD_NAME"], "metadata.name");
  EXPECT_EQ(field_path_of["POD_NAMESPACE"], "metadata.namespace");
  EXPECT_EQ(field_path_of["NODE_NAME"], "spec.nodeName");
  EXPECT_TRUE(container["resources"]["requests"]["memory"]);
  EXPECT_TRUE(container["resources"]["limits"]["memory"]);

  // The policy volume points at the ConfigMap, and the agent reads the file from it.
  std::string configmap;
  for (const auto& volume : pod["volumes"]) {
    if (volume["configMap"]) configmap = volume["configMap"]["name"].as<std::string>();
  }
  const YAML::Node* policy = FindObject(objects, "ConfigMap", configmap);
  ASSERT_NE(policy, nullptr);
  ASSERT_TRUE((*policy)["data"]["policy.yml"]);
  const YAML::Node parsed = YAML::Load((*policy)["data"]["policy.yml"].as<std::string>());
  EXPECT_TRUE(parsed["providers"]["kubernetes_leaderelection"]["enabled"].as<bool>());
  EXPECT_EQ(parsed["inputs"][0]["streams"][0]["condition"].as<std::string>(),
            "${kubernetes_leaderelection.leader} == true");
  bool policy_flag = false;
  for (const auto& arg : container["args"]) {
    if (arg.as<std::string>() == "/etc/gatehouse/policy.yml") policy_flag = true;
  }
  EXPECT_TRUE(policy_flag);
}

TEST(ManifestsTest, RbacCoversEveryVerbOnEveryResourceTheAgentUses) {
  // What the agent calls: leader election and lease pools on Leases in its own namespace
  // (docs/leader-election.md lists each request).
  const std::map<std::string, std::set<std::string>> needed = {
      {"coordination.k8s.io/leases", {"get", "list", "watch", "create", "update", "patch"}},
  };
  const auto objects = LoadAll();
  std::map<std::string, std::set<std::string>> granted;
  for (const auto& binding : objects) {
    const std::string kind = binding["kind"].as<std::string>();
    if (kind != "RoleBinding" && kind != "ClusterRoleBinding") continue;
    bool binds_agent = false;
    for (const auto& subject : binding["subjects"]) {
      binds_agent |= subject["kind"].as<std::string>() == "ServiceAccount" &&
                     subject["name"].as<std::string>() == "gatehouse";
    }
    if (!binds_agent) continue;
    const YAML::Node* role = FindObject(objects, binding["roleRef"]["kind"].as<std::string>(),
                                        binding["roleRef"]["name"].as<std::string>());
    ASSERT_NE(role, nullptr) << "binding " << binding["metadata"]["name"] << " names no role";
    for (const auto& rule : (*role)["rules"]) {
      for (const auto& group : rule["apiGroups"]) {
        for (const auto& resource : rule["resources"]) {
          const std::string key = group.as<std::string>().empty()
                                      ? resource.as<std::string>()
                                      : group.as<std::string>() + "/" + resource.as<std::string>();
          for (const auto& verb : rule["verbs"]) granted[key].insert(verb.as<std::string>());
        }
      }
    }
  }
  for (const auto& [resource, verbs] : needed) {
    for (const auto& verb : verbs) {
      EXPECT_TRUE(granted[resource].count(verb)) << "RBAC lacks " << verb << " on " << resource;
    }
  }
}

}  // namespace
