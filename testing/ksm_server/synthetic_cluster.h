// Generates a kube-state-metrics exposition for a cluster of any size, in the shape of
// testdata/ksm/cluster.prom (pod info, phases, container info, requests/limits, ready,
// restarts, running/waiting/terminated with reasons), for benchmarks and the 50 MB fault.
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
