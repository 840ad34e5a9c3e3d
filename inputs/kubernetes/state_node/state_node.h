// `state_node`: one event per node in a kube-state-metrics scrape, with Metricbeat's fields:
//   kubernetes.node.{name,status.{ready,unschedulable,memory_pressure,disk_pressure,
//   pid_pressure,network_unavailable},cpu.{capacity,allocatable}.cores,
//   memory.{capacity,allocatable}.bytes,pod.{capacity,allocatable}.total,kernel_version,
//   kubelet_version,container_runtime_version}.
//
// Thread contract: stateless, thread-safe.
#ifndef GATEHOUSE_INPUTS_KUBERNETES_STATE_NODE_STATE_NODE_H_
#define GATEHOUSE_INPUTS_KUBERNETES_STATE_NODE_STATE_NODE_H_

#include <vector>

#include "inputs/kubernetes/common/state_metricset.h"

namespace gatehouse::kubernetes {

class StateNode final : public StateMetricset {
 public:
  absl::string_view name() const override { return "state_node"; }
  void AddFamilies(const CollectOptions& options,
                   prometheus::FamilyFilter* filter) const override;
  void Collect(const prometheus::Exposition& scrape, const CollectOptions& options,
               std::vector<Event>* events) const override;
};

}  // namespace gatehouse::kubernetes

#endif  // GATEHOUSE_INPUTS_KUBERNETES_STATE_NODE_STATE_NODE_H_
