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

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "agent/input/event.h"
#include "common/worker_pool.h"
#include "inputs/common/prometheus/exposition.h"

namespace gatehouse::kubernetes {

// The fields the `kubernetes/metrics` input adds to every event of one metricset in one scrape
// (StreamScraper builds it once per scrape and metricset).
struct EventStamp {
  Event timestamp;    // @timestamp
  Event data_stream;  // data_stream.*; left out when an empty object
  Event event;        // event.{dataset,duration,module}
  Event metricset;    // metricset.{name,period}
  Event service;      // service.{address,type}
};

// Copies `stamp` into `event` (an object); keys the event already has are kept.
void ApplyStamp(const EventStamp& stamp, Event* event);

// The same for a builder that fills its event's top level in ascending key order: it calls
// AppendBefore(key) before each of its own top-level keys and AppendRest() at the end, so every
// stamp part is appended in order too (no insertion in the middle of the object).
//
// Thread contract: thread-compatible; one per event being built.
class StampAppender {
 public:
  // `stamp` may be null: then it appends nothing.
  explicit StampAppender(const EventStamp* stamp);
  void AppendBefore(absl::string_view key, Event::object_t& object);
  void AppendRest(Event::object_t& object) { AppendBefore(absl::string_view(), object); }

 private:
  struct Part {
    absl::string_view key;
    const Event* value;
  };
  Part parts_[5];  // in key order
  int count_ = 0;
  int next_ = 0;
};

// What a stream asks of its metricsets beyond the scrape itself.
struct CollectOptions {
  // `add_metadata`: enrich each event with what the same scrape says about its pod and node
  // (kube_pod_info, kube_pod_labels, kube_pod_annotations, kube_node_labels,
  // kube_replicaset_owner). Off: those families are not even parsed.
  bool add_metadata = false;
  // When set, Collect applies it to each event as soon as it has built it (ApplyStamp), while
  // the event is still in cache: after the whole scrape its memory is long out of cache.
  const EventStamp* stamp = nullptr;
  // When set, a metricset may build its events on these threads (state_container does, once a
  // scrape has at least 2 × `min_parallel_events` containers). The events and their order are
  // the same either way.
  WorkerPool* workers = nullptr;
  size_t min_parallel_events = 1000;
};

class StateMetricset {
 public:
  virtual ~StateMetricset() = default;
  virtual absl::string_view name() const = 0;  // "state_container"
  // Adds the metric families Collect reads with `options` to `filter` (the parser skips the
  // others).
  virtual void AddFamilies(const CollectOptions& options,
                           prometheus::FamilyFilter* filter) const = 0;
  // Appends one event per object (container, pod, node) found in the scrape, in first-seen
  // order, each stamped with `options.stamp` when set. Appending to a vector the caller reuses
  // keeps large allocations out of the scrape.
  virtual void Collect(const prometheus::Exposition& scrape, const CollectOptions& options,
                       std::vector<Event>* events) const = 0;

  // Collect into a fresh vector (tests, tools).
  std::vector<Event> CollectAll(const prometheus::Exposition& scrape,
                                const CollectOptions& options = {}) const {
    std::vector<Event> events;
    Collect(scrape, options, &events);
    return events;
  }
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
// order so events come out in the order kube-state-metrics lists them. Clear() keeps the
// memory, so a table reused between scrapes makes no large allocation in steady state (a large
// malloc makes glibc consolidate every small chunk freed since: the events of the last scrape).
//
// Thread contract: thread-compatible.
template <typename Key, typename Object>
class KeyedTable {
 public:
  Object& At(const Key& key) { return objects_[IndexOf(key)].second; }
  // The same, trying `*cursor` (then the object before it) first and leaving it after the object
  // found: kube-state-metrics lists every family of a kind in the same object order, so a cursor
  // reset at each family finds most objects without hashing.
  Object& At(const Key& key, size_t* cursor) {
    if (*cursor < objects_.size() && objects_[*cursor].first == key) {
      return objects_[(*cursor)++].second;
    }
    // The object just found again: a family with several series per object (a container's cpu
    // and memory requests) lists them one after the other.
    if (*cursor > 0 && *cursor <= objects_.size() && objects_[*cursor - 1].first == key) {
      return objects_[*cursor - 1].second;
    }
    const size_t index = IndexOf(key);
    *cursor = index + 1;
    return objects_[index].second;
  }
  // The index of `key` in objects(), added at the end if new.
  size_t IndexOf(const Key& key) {
    if ((objects_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = absl::Hash<Key>{}(key) & mask;; i = (i + 1) & mask) {
      uint32_t& slot = slots_[i];
      if (slot == kEmpty) {
        slot = static_cast<uint32_t>(objects_.size());
        objects_.emplace_back(key, Object{});
        return slot;
      }
      if (objects_[slot].first == key) return slot;
    }
  }
  const Object* Find(const Key& key) const {
    const size_t index = FindIndex(key);
    return index == kNotFound ? nullptr : &objects_[index].second;
  }
  Object* Find(const Key& key) {
    const size_t index = FindIndex(key);
    return index == kNotFound ? nullptr : &objects_[index].second;
  }
  const std::vector<std::pair<Key, Object>>& objects() const { return objects_; }
  size_t size() const { return objects_.size(); }
  // Empties the table and keeps its memory.
  void Clear() {
    objects_.clear();
    std::fill(slots_.begin(), slots_.end(), kEmpty);
  }

 private:
  static constexpr uint32_t kEmpty = ~uint32_t{0};
  static constexpr size_t kNotFound = ~size_t{0};
  size_t FindIndex(const Key& key) const {
    if (slots_.empty()) return kNotFound;
    const size_t mask = slots_.size() - 1;
    for (size_t i = absl::Hash<Key>{}(key) & mask;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == kEmpty) return kNotFound;
      if (objects_[slot].first == key) return slot;
    }
  }
  void Grow() {
    // Open addressing, linear probing, at most half full.
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), kEmpty);
    const size_t mask = slots_.size() - 1;
    for (size_t n = 0; n < objects_.size(); ++n) {
      size_t i = absl::Hash<Key>{}(objects_[n].first) & mask;
      while (slots_[i] != kEmpty) i = (i + 1) & mask;
      slots_[i] = static_cast<uint32_t>(n);
    }
  }
  std::vector<uint32_t> slots_;  // kEmpty or an index into objects_
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
