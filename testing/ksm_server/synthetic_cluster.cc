#include "testing/ksm_server/synthetic_cluster.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gatehouse::testing {
namespace {

struct Ids {
  std::string ns, pod, uid, node;
};

Ids PodIds(int p, int pods) {
  (void)pods;
  return {absl::StrCat("team-", p % 40), absl::StrFormat("app-%d-7d9f8c6b5-%05d", p % 300, p),
          absl::StrFormat("5b0c6e0a-%04x-4c1e-9a55-%012d", p & 0xffff, p),
          absl::StrCat("worker-", p / 30)};
}

std::string PodLabels(const Ids& ids) {
  return absl::StrCat("namespace=\"", ids.ns, "\",pod=\"", ids.pod, "\",uid=\"", ids.uid, "\"");
}

// Appends one family: HELP, TYPE and a line per (pod, container) from `line`.
template <typename F>
void Family(std::string* out, absl::string_view name, absl::string_view help, int pods,
            int containers, F line) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n");
  for (int p = 0; p < pods; ++p) {
    const Ids ids = PodIds(p, pods);
    const std::string labels = PodLabels(ids);
    for (int c = 0; c < containers; ++c) line(out, p, c, ids, labels);
  }
}

}  // namespace

std::string SyntheticClusterExposition(int pods, int containers_per_pod) {
  std::string out;
  out.reserve(static_cast<size_t>(pods) * (containers_per_pod * 2800 + 6000) + 65536);
  const std::string prefix = "kube_pod_container_";
  Family(&out, "kube_pod_info", "[STABLE] Information about pod.", pods, 1,
         [](std::string* o, int p, int, const Ids& ids, const std::string& labels) {
           absl::StrAppendFormat(
               o,
               "kube_pod_info{%s,host_ip=\"172.18.%d.%d\",pod_ip=\"10.244.%d.%d\","
               "node=\"%s\",created_by_kind=\"ReplicaSet\",created_by_name="
               "\"app-%d-7d9f8c6b5\",priority_class=\"\",host_network=\"false\"} 1\n",
               labels, p / 250, p % 250, p / 250, p % 250, ids.node, p % 300);
         });
  Family(&out, "kube_pod_status_phase", "[STABLE] The pods current phase.", pods, 1,
         [](std::string* o, int p, int, const Ids&, const std::string& labels) {
           for (const char* phase : {"Pending", "Succeeded", "Failed", "Unknown", "Running"}) {
             absl::StrAppend(o, "kube_pod_status_phase{", labels, ",phase=\"", phase, "\"} ",
                             std::string(phase) == "Running" ? 1 : 0, "\n");
           }
         });
  // The pod-level families a real kube-state-metrics v2 scrape carries besides kube_pod_info
  // and kube_pod_status_phase (shapes copied from Metricbeat's v2.12 test scrape): a
  // container metricset never reads them, but the parser has to get past them.
  auto pod_family = [&](absl::string_view name, auto extra) {
    Family(&out, name, "Pod-level series.", pods, 1,
           [name, extra](std::string* o, int p, int, const Ids& ids, const std::string& labels) {
             extra(o, name, p, ids, labels);
           });
  };
  auto one = [](absl::string_view extra_labels, absl::string_view value) {
    return [extra_labels, value](std::string* o, absl::string_view name, int, const Ids&,
                                 const std::string& labels) {
      absl::StrAppend(o, name, "{", labels, extra_labels, "} ", value, "\n");
    };
  };
  auto each = [](absl::string_view label, std::vector<std::string> values, int set) {
    return [label, values, set](std::string* o, absl::string_view name, int, const Ids&,
                                const std::string& labels) {
      for (size_t i = 0; i < values.size(); ++i) {
        absl::StrAppend(o, name, "{", labels, ",", label, "=\"", values[i], "\"} ",
                        static_cast<int>(i) == set ? 1 : 0, "\n");
      }
    };
  };
  pod_family("kube_pod_created", one("", "1.713873333e+09"));
  pod_family("kube_pod_ips", [](std::string* o, absl::string_view name, int p, const Ids&,
                                const std::string& labels) {
    absl::StrAppendFormat(o, "%s{%s,ip=\"10.244.%d.%d\",ip_family=\"4\"} 1\n", name, labels,
                          p / 250, p % 250);
  });
  pod_family("kube_pod_owner", [](std::string* o, absl::string_view name, int p, const Ids&,
                                  const std::string& labels) {
    absl::StrAppendFormat(o,
                          "%s{%s,owner_kind=\"ReplicaSet\",owner_name=\"app-%d-7d9f8c6b5\","
                          "owner_is_controller=\"true\"} 1\n",
                          name, labels, p % 300);
  });
  pod_family("kube_pod_labels", [](std::string* o, absl::string_view name, int p, const Ids&,
                                   const std::string& labels) {
    absl::StrAppendFormat(o,
                          "%s{%s,label_app_kubernetes_io_name=\"app-%d\",label_pod_template_hash="
                          "\"7d9f8c6b5\",label_tier=\"%s\"} 1\n",
                          name, labels, p % 300, p % 3 == 0 ? "frontend" : "backend");
  });
  pod_family("kube_pod_annotations", one(",annotation_prometheus_io_scrape=\"true\"", "1"));
  pod_family("kube_pod_restart_policy", one(",type=\"Always\"", "1"));
  pod_family("kube_pod_start_time", one("", "1.713873333e+09"));
  pod_family("kube_pod_status_qos_class",
             each("qos_class", {"BestEffort", "Burstable", "Guaranteed"}, 1));
  pod_family("kube_pod_status_ready", each("condition", {"true", "false", "unknown"}, 0));
  pod_family("kube_pod_status_ready_time", one("", "1.713873343e+09"));
  pod_family("kube_pod_status_initialized_time", one("", "1.713873333e+09"));
  pod_family("kube_pod_status_container_ready_time", one("", "1.713873343e+09"));
  pod_family(
      "kube_pod_status_reason",
      each("reason",
           {"Evicted", "NodeAffinity", "NodeLost", "Shutdown", "UnexpectedAdmissionError"}, -1));
  pod_family("kube_pod_status_scheduled", each("condition", {"true", "false", "unknown"}, 0));
  pod_family("kube_pod_status_scheduled_time", one("", "1.713873333e+09"));
  pod_family("kube_pod_tolerations", [](std::string* o, absl::string_view name, int, const Ids&,
                                        const std::string& labels) {
    for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
      absl::StrAppend(
          o, name, "{", labels, ",key=\"", key,
          "\",operator=\"Exists\",effect=\"NoExecute\",toleration_seconds=\"300\"} 1\n");
    }
  });
  pod_family("kube_pod_service_account", one(",service_account=\"default\"", "1"));
  pod_family("kube_pod_scheduler", one(",name=\"default-scheduler\"", "1"));
  auto container_line = [&](absl::string_view suffix, auto value) {
    return [suffix, value](std::string* o, int p, int c, const Ids&, const std::string& labels) {
      absl::StrAppend(o, "kube_pod_container_", suffix, "{", labels, ",container=\"c", c, "\"} ",
                      value(p, c), "\n");
    };
  };
  Family(
      &out, prefix + "info", "[STABLE] Information about a container in a pod.", pods,
      containers_per_pod, [](std::string* o, int p, int c, const Ids&, const std::string& labels) {
        absl::StrAppendFormat(
            o,
            "kube_pod_container_info{%s,container=\"c%d\",image_spec=\"ghcr.io/acme/app-%d:1.%d\","
            "image=\"ghcr.io/acme/app-%d:1.%d\",image_id=\"ghcr.io/acme/app-%d@sha256:%064d\","
            "container_id=\"containerd://%032x%032x\"} 1\n",
            labels, c, p % 300, c, p % 300, c, p % 300, p, p, c);
      });
  for (const char* kind : {"requests", "limits"}) {
    Family(&out, prefix + "resource_" + kind, "The number of requested resource by a container.",
           pods, containers_per_pod,
           [kind](std::string* o, int p, int c, const Ids& ids, const std::string& labels) {
             absl::StrAppend(o, "kube_pod_container_resource_", kind, "{", labels, ",container=\"c",
                             c, "\",node=\"", ids.node, "\",resource=\"cpu\",unit=\"core\"} 0.",
                             (p + c) % 9 + 1, "\n");
             if (p % 5 != 0) {  // some containers have no memory setting
               absl::StrAppend(o, "kube_pod_container_resource_", kind, "{", labels,
                               ",container=\"c", c, "\",node=\"", ids.node,
                               "\",resource=\"memory\",unit=\"byte\"} ", (p % 8 + 1) * 67108864,
                               "\n");
             }
           });
  }
  Family(&out, prefix + "status_ready", "Readiness.", pods, containers_per_pod,
         container_line("status_ready", [](int p, int) { return p % 17 == 0 ? 0 : 1; }));
  Family(&out, prefix + "status_restarts_total", "Restarts.", pods, containers_per_pod,
         container_line("status_restarts_total", [](int p, int c) { return (p * 7 + c) % 5; }));
  Family(&out, prefix + "status_running", "Running.", pods, containers_per_pod,
         container_line("status_running", [](int p, int) { return p % 17 == 0 ? 0 : 1; }));
  Family(&out, prefix + "status_waiting", "Waiting.", pods, containers_per_pod,
         container_line("status_waiting", [](int p, int) { return p % 17 == 0 ? 1 : 0; }));
  Family(&out, prefix + "status_terminated", "Terminated.", pods, containers_per_pod,
         container_line("status_terminated", [](int, int) { return 0; }));
  absl::StrAppend(&out, "# HELP ", prefix, "status_waiting_reason Waiting reason.\n# TYPE ", prefix,
                  "status_waiting_reason gauge\n");
  for (int p = 0; p < pods; p += 17) {
    for (int c = 0; c < containers_per_pod; ++c) {
      absl::StrAppend(&out, prefix, "status_waiting_reason{", PodLabels(PodIds(p, pods)),
                      ",container=\"c", c, "\",reason=\"CrashLoopBackOff\"} 1\n");
    }
  }
  Family(&out, prefix + "state_started", "Start time in unix timestamp for a pod container.", pods,
         containers_per_pod,
         container_line("state_started", [](int, int) { return "1.713873336e+09"; }));
  // Workloads (one Deployment and ReplicaSet per app) and nodes: the rest of a real scrape.
  const int apps = std::min(pods, 300);
  for (const char* kind : {"replicaset", "deployment"}) {
    for (const char* series :
         {"created", "status_replicas", "status_ready_replicas", "status_observed_generation",
          "spec_replicas", "metadata_generation", "status_replicas_available",
          "status_replicas_updated", "spec_strategy_rollingupdate_max_unavailable"}) {
      const std::string name = absl::StrCat("kube_", kind, "_", series);
      absl::StrAppend(&out, "# HELP ", name, " Workload series.\n# TYPE ", name, " gauge\n");
      for (int a = 0; a < apps; ++a) {
        absl::StrAppend(&out, name, "{namespace=\"team-", a % 40, "\",", kind, "=\"app-", a,
                        std::string(kind) == "replicaset" ? "-7d9f8c6b5" : "", "\"} ",
                        pods / apps + 1, "\n");
      }
    }
  }
  absl::StrAppend(&out,
                  "# HELP kube_replicaset_owner Owner.\n# TYPE kube_replicaset_owner gauge\n");
  for (int a = 0; a < apps; ++a) {
    absl::StrAppend(&out, "kube_replicaset_owner{namespace=\"team-", a % 40, "\",replicaset=\"app-",
                    a, "-7d9f8c6b5\",owner_kind=\"Deployment\",owner_name=\"app-", a,
                    "\",owner_is_controller=\"true\"} 1\n");
  }
  const int nodes = pods / 30 + 1;
  absl::StrAppend(&out, "# HELP kube_node_info Node info.\n# TYPE kube_node_info gauge\n");
  for (int n = 0; n < nodes; ++n) {
    absl::StrAppend(&out, "kube_node_info{node=\"worker-", n,
                    "\",kernel_version=\"6.1.0-18-amd64\",os_image=\"Debian GNU/Linux 12\","
                    "container_runtime_version=\"containerd://1.7.13\",kubelet_version=\"v1.29.2\","
                    "kubeproxy_version=\"v1.29.2\",provider_id=\"kind://docker/kind/worker-",
                    n, "\",pod_cidr=\"10.244.0.0/24\",system_uuid=\"", n,
                    "\",internal_ip=\"172.18.0.", n % 250, "\"} 1\n");
  }
  absl::StrAppend(&out, "# HELP kube_node_labels Node labels.\n# TYPE kube_node_labels gauge\n");
  for (int n = 0; n < nodes; ++n) {
    absl::StrAppend(&out, "kube_node_labels{node=\"worker-", n,
                    "\",label_kubernetes_io_arch=\"amd64\",label_kubernetes_io_hostname=\"worker-",
                    n,
                    "\",label_kubernetes_io_os=\"linux\",label_topology_kubernetes_io_zone=\"zone-",
                    n % 3, "\"} 1\n");
  }
  absl::StrAppend(
      &out,
      "# HELP kube_node_status_condition Conditions.\n# TYPE kube_node_status_condition gauge\n");
  for (int n = 0; n < nodes; ++n) {
    for (const char* condition : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
      for (const char* status : {"true", "false", "unknown"}) {
        const bool set = (std::string(condition) == "Ready") == (std::string(status) == "true") &&
                         std::string(status) != "unknown";
        absl::StrAppend(&out, "kube_node_status_condition{node=\"worker-", n, "\",condition=\"",
                        condition, "\",status=\"", status, "\"} ", set ? 1 : 0, "\n");
      }
    }
  }
  return out;
}

}  // namespace gatehouse::testing
