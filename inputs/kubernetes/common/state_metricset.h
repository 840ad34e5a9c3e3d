// The kube-state-metrics metricsets of the `kubernetes/metrics` input (`state_container`,
// `state_pod`, `state_node`): each turns one parsed scrape into Metricbeat-compatible events
// (its `kubernetes.*` / `container.*` fields; the input adds `event.*`, `metricset.*`,
// `service.address` and the pipeline the agent metadata).
//
// Adding a metricset: a class implementing StateMetricset in `inputs/kubernetes/<name>/`,
// registered with GATEHOUSE_REGISTER_STATE_METRICSET from its .cc (an alwayslink library).
//
// Thread contract: metricsets are stateless and thread-safe; the registry is filled at static
// initialization and read-only afterwards.
#ifndef GATEHOUSE_INPUTS_KUBERNETES_COMMON_STATE_METRICSET_H_
#define GATEHOUSE_INPUTS_KUBERNETES_COMMON_STATE_METRICSET_H_

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "agent/input/event.h"
#include "inputs/common/prometheus/exposition.h"

namespace gatehouse::kubernetes {

class StateMetricset {
 public:
  virtual ~StateMetricset() = default;
  virtual absl::string_view name() const = 0;  // "state_container"
  // One event per object (container, pod, node) found in the scrape, in first-seen order.
  virtual std::vector<Event> Collect(const prometheus::Exposition& scrape) const = 0;
};

// nullptr when no metricset has that name.
const StateMetricset* FindStateMetricset(absl::string_view name);
// Sorted names, for option descriptions and errors.
std::vector<std::string> StateMetricsetNames();

namespace internal {
struct StateMetricsetRegistrar {
  explicit StateMetricsetRegistrar(std::unique_ptr<StateMetricset> metricset);
};
}  // namespace internal

// Objects keyed by a tuple of label values (string_views into the scrape), kept in first-seen
// order so events come out in the order kube-state-metrics lists them.
template <typename Key, typename Object>
class KeyedTable {
 public:
  Object& At(const Key& key) {
    auto [it, inserted] = index_.try_emplace(key, objects_.size());
    if (inserted) objects_.emplace_back(key, Object{});
    return objects_[it->second].second;
  }
  const Object* Find(const Key& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &objects_[it->second].second;
  }
  const std::vector<std::pair<Key, Object>>& objects() const { return objects_; }
  void Reserve(size_t n) {
    index_.reserve(n);
    objects_.reserve(n);
  }

 private:
  absl::flat_hash_map<Key, size_t> index_;
  std::vector<std::pair<Key, Object>> objects_;
};

using PodKey = std::tuple<absl::string_view, absl::string_view>;  // namespace, pod

// "containerd://abc" -> {"containerd", "abc"}; without "://" the runtime is empty.
std::pair<absl::string_view, absl::string_view> SplitContainerId(absl::string_view id);

// A count-like value as a JSON integer when it is whole (`7`, not `7.0`), else a double.
Event JsonNumber(double v);

// Lower-cases ASCII ("Running" -> "running").
std::string AsciiLower(absl::string_view text);

}  // namespace gatehouse::kubernetes

#define GH_STATE_METRICSET_CONCAT_INNER_(a, b) a##b
#define GH_STATE_METRICSET_CONCAT_(a, b) GH_STATE_METRICSET_CONCAT_INNER_(a, b)
#define GATEHOUSE_REGISTER_STATE_METRICSET(Class)                                          \
  static const ::gatehouse::kubernetes::internal::StateMetricsetRegistrar                  \
      GH_STATE_METRICSET_CONCAT_(gh_state_metricset_, __COUNTER__)(std::make_unique<Class>())

#endif  // GATEHOUSE_INPUTS_KUBERNETES_COMMON_STATE_METRICSET_H_
