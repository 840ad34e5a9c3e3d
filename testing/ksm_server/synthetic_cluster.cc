#include "testing/ksm_server/synthetic_cluster.h"

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
  out.reserve(static_cast<size_t>(pods) * containers_per_pod * 2600 + 4096);
  const std::string prefix = "kube_pod_container_";
  Family(&out, "kube_pod_info", "[STABLE] Information about pod.", pods, 1,
         [](std::string* o, int p, int, const Ids& ids, const std::string& labels) {
           absl::StrAppendFormat(o,
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
  auto container_line = [&](absl::string_view suffix, auto value) {
    return [suffix, value](std::string* o, int p, int c, const Ids&, const std::string& labels) {
      absl::StrAppend(o, "kube_pod_container_", suffix, "{", labels, ",container=\"c", c, "\"} ",
                      value(p, c), "\n");
    };
  };
  Family(&out, prefix + "info", "[STABLE] Information about a container in a pod.", pods,
         containers_per_pod,
         [](std::string* o, int p, int c, const Ids&, const std::string& labels) {
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
  return out;
}

}  // namespace gatehouse::testing
