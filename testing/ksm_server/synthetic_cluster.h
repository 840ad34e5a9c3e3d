// Generates a kube-state-metrics exposition for a cluster of any size, for benchmarks and the
// 50 MB fault. Shaped like a real kube-state-metrics v2 scrape (Metricbeat's v2.12 test data):
// the container families state_container reads (info, requests/limits, ready, restarts,
// running/waiting/terminated with reasons) are about 30% of the bytes; the rest is what a real
// scrape also carries: ~20 other pod families (info, phase, ready, scheduled, reasons, qos,
// tolerations, labels, annotations, owner, ...), container start times, a Deployment and a
// ReplicaSet per app (300 apps at most) and the nodes (info, labels, conditions).
//
// Thread contract: a pure function, thread-safe.
#ifndef GATEHOUSE_TESTING_KSM_SERVER_SYNTHETIC_CLUSTER_H_
#define GATEHOUSE_TESTING_KSM_SERVER_SYNTHETIC_CLUSTER_H_

#include <string>

namespace gatehouse::testing {

// `pods` pods with `containers_per_pod` containers each, on `pods / 30 + 1` nodes.
std::string SyntheticClusterExposition(int pods, int containers_per_pod);

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_KSM_SERVER_SYNTHETIC_CLUSTER_H_
