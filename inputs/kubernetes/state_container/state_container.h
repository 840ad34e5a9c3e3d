// `state_container`: one event per container (and init container) in a kube-state-metrics
// scrape, keyed by (namespace, pod, container), with Metricbeat's field names:
//   kubernetes.namespace, kubernetes.pod.{name,uid}, kubernetes.node.name,
//   kubernetes.container.{name,type,id,cpu.request.cores,cpu.limit.cores,memory.request.bytes,
//   memory.limit.bytes,status.{ready,restarts,phase,reason,last_terminated_reason,
//   last_terminated_timestamp,last_terminated_exitcode}}, container.{id,runtime,image.name}.
//
// Thread contract: stateless, thread-safe.
#ifndef GATEHOUSE_INPUTS_KUBERNETES_STATE_CONTAINER_STATE_CONTAINER_H_
#define GATEHOUSE_INPUTS_KUBERNETES_STATE_CONTAINER_STATE_CONTAINER_H_

#include <vector>

#include "inputs/kubernetes/common/state_metricset.h"

namespace gatehouse::kubernetes {

class StateContainer final : public StateMetricset {
 public:
  absl::string_view name() const override { return "state_container"; }
  std::vector<Event> Collect(const prometheus::Exposition& scrape) const override;
};

}  // namespace gatehouse::kubernetes

#endif  // GATEHOUSE_INPUTS_KUBERNETES_STATE_CONTAINER_STATE_CONTAINER_H_
