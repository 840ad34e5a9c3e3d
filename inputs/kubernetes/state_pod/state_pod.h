// `state_pod`: one event per pod in a kube-state-metrics scrape, with Metricbeat's fields:
//   kubernetes.namespace, kubernetes.pod.{name,uid,host_ip,ip,status.{phase,ready,scheduled,
//   reason,ready_time}}, kubernetes.node.name.
//
// Thread contract: stateless, thread-safe.
#ifndef GATEHOUSE_INPUTS_KUBERNETES_STATE_POD_STATE_POD_H_
#define GATEHOUSE_INPUTS_KUBERNETES_STATE_POD_STATE_POD_H_

#include <vector>

#include "inputs/kubernetes/common/state_metricset.h"

namespace gatehouse::kubernetes {

class StatePod final : public StateMetricset {
 public:
  absl::string_view name() const override { return "state_pod"; }
  void AddFamilies(const CollectOptions& options,
                   prometheus::FamilyFilter* filter) const override;
  void Collect(const prometheus::Exposition& scrape, const CollectOptions& options,
               std::vector<Event>* events) const override;
};

}  // namespace gatehouse::kubernetes

#endif  // GATEHOUSE_INPUTS_KUBERNETES_STATE_POD_STATE_POD_H_
