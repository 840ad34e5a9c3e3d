// `state_container`: one event per container (and init container) in a kube-state-metrics
// scrape, keyed by (namespace, pod, container), with Metricbeat's field names:
//   kubernetes.namespace, kubernetes.pod.{name,uid}, kubernetes.node.name,
//   kubernetes.container.{name,type,id,cpu.request.cores,cpu.limit.cores,memory.request.bytes,
//   memory.limit.bytes,status.{ready,restarts,phase,reason,last_terminated_reason,
//   last_terminated_timestamp,last_terminated_exitcode}}, container.{id,runtime,image.name}.
//
// With add_metadata, also what the scrape says about the container's pod and node (see
// docs/inputs.md): kubernetes.pod.{uid,ip}, kubernetes.labels.*, kubernetes.annotations.*,
// kubernetes.node.labels.*, kubernetes.{replicaset,deployment,statefulset,daemonset,job}.name.
//
// Thread contract: thread-safe; each calling thread keeps its own grouping tables between
// calls (reused memory, not state: every call starts from empty tables).
#ifndef GATEHOUSE_INPUTS_KUBERNETES_STATE_CONTAINER_STATE_CONTAINER_H_
#define GATEHOUSE_INPUTS_KUBERNETES_STATE_CONTAINER_STATE_CONTAINER_H_

#include <vector>

#include "inputs/kubernetes/common/state_metricset.h"

namespace gatehouse::kubernetes {

class StateContainer final : public StateMetricset {
 public:
  absl::string_view name() const override { return "state_container"; }
  void AddFamilies(const CollectOptions& options,
                   prometheus::FamilyFilter* filter) const override;
  void Collect(const prometheus::Exposition& scrape, const CollectOptions& options,
               std::vector<Event>* events) const override;
};

}  // namespace gatehouse::kubernetes

#endif  // GATEHOUSE_INPUTS_KUBERNETES_STATE_CONTAINER_STATE_CONTAINER_H_
