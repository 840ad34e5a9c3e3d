#include "inputs/kubernetes/state_container/state_container.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gatehouse::kubernetes {
namespace {

using prometheus::Exposition;
using prometheus::Sample;

// Which kube_pod_[init_]container_<suffix> series a sample belongs to.
enum class Series {
  kInfo,
  kRequests,
  kLimits,
  kReady,
  kRestarts,
  kRunning,
  kTerminated,
  kWaiting,
  kTerminatedReason,
  kWaitingReason,
  kLastTerminatedReason,
  kLastTerminatedTimestamp,
  kLastTerminatedExitcode,
};

// The suffixes after kube_pod_container_ / kube_pod_init_container_ that state_container reads.
constexpr std::pair<absl::string_view, Series> kSeriesSuffixes[] = {
    {"info", Series::kInfo},
    {"resource_requests", Series::kRequests},
    {"resource_limits", Series::kLimits},
    {"status_ready", Series::kReady},
    {"status_restarts_total", Series::kRestarts},
    {"status_running", Series::kRunning},
    {"status_terminated", Series::kTerminated},
    {"status_waiting", Series::kWaiting},
    {"status_terminated_reason", Series::kTerminatedReason},
    {"status_waiting_reason", Series::kWaitingReason},
    {"status_last_terminated_reason", Series::kLastTerminatedReason},
    {"status_last_terminated_timestamp", Series::kLastTerminatedTimestamp},
    {"status_last_terminated_exitcode", Series::kLastTerminatedExitcode},
};

// The series of a suffix, or null (a pointer, not std::optional: g++ 12 warns that an optional
// enum read after the check may be uninitialized).
const Series* SeriesOf(absl::string_view suffix) {
  for (const auto& [known, series] : kSeriesSuffixes) {
    if (suffix == known) return &series;
  }
  return nullptr;
}

struct Container {
  bool init = false;
  absl::string_view uid;
  absl::string_view image;
  absl::string_view container_id;
  absl::string_view node;  // from resource series, when kube_pod_info lacks the pod
  std::optional<double> cpu_request, cpu_limit, memory_request, memory_limit;
  std::optional<bool> ready;
  std::optional<double> restarts;
  absl::string_view phase;
  absl::string_view terminated_reason, waiting_reason, last_terminated_reason;
  std::optional<double> last_terminated_timestamp, last_terminated_exitcode;
};

using ContainerKey = std::tuple<absl::string_view, absl::string_view, absl::string_view>;

bool IsOne(double v) { return v == 1; }

// The labels state_container reads, found in one pass over a sample's labels (the parser has
// rejected duplicate names, so first or last occurrence is the same).
struct SampleLabels {
  absl::string_view ns, pod, container, uid, image, container_id, resource, node, reason;
  absl::string_view pod_ip, created_by_kind, created_by_name;
};

SampleLabels ReadLabels(const Exposition& scrape, const Sample& s) {
  SampleLabels l;
  for (const auto& label : scrape.labels(s)) {
    const absl::string_view n = label.name;  // never empty
    switch (n[0]) {
      case 'n':
        if (n == "namespace")
          l.ns = label.value;
        else if (n == "node")
          l.node = label.value;
        break;
      case 'p':
        if (n == "pod")
          l.pod = label.value;
        else if (n == "pod_ip")
          l.pod_ip = label.value;
        break;
      case 'c':
        if (n == "container")
          l.container = label.value;
        else if (n == "container_id")
          l.container_id = label.value;
        else if (n == "created_by_kind")
          l.created_by_kind = label.value;
        else if (n == "created_by_name")
          l.created_by_name = label.value;
        break;
      case 'u':
        if (n == "uid") l.uid = label.value;
        break;
      case 'i':
        if (n == "image") l.image = label.value;
        break;
      case 'r':
        if (n == "resource")
          l.resource = label.value;
        else if (n == "reason")
          l.reason = label.value;
        break;
      default:
        break;
    }
  }
  return l;
}

void Apply(Series series, const SampleLabels& l, double value, Container& c) {
  switch (series) {
    case Series::kInfo:
      c.uid = l.uid;
      c.image = l.image;
      c.container_id = l.container_id;
      break;
    case Series::kRequests:
    case Series::kLimits: {
      const bool request = series == Series::kRequests;
      if (c.node.empty()) c.node = l.node;
      if (l.resource == "cpu") {
        (request ? c.cpu_request : c.cpu_limit) = value;
      } else if (l.resource == "memory") {
        (request ? c.memory_request : c.memory_limit) = value;
      }
      break;
    }
    case Series::kReady:
      c.ready = IsOne(value);
      break;
    case Series::kRestarts:
      c.restarts = value;
      break;
    case Series::kRunning:
      if (IsOne(value)) c.phase = "running";
      break;
    case Series::kTerminated:
      if (IsOne(value)) c.phase = "terminated";
      break;
    case Series::kWaiting:
      if (IsOne(value)) c.phase = "waiting";
      break;
    case Series::kTerminatedReason:
      if (IsOne(value)) c.terminated_reason = l.reason;
      break;
    case Series::kWaitingReason:
      if (IsOne(value)) c.waiting_reason = l.reason;
      break;
    case Series::kLastTerminatedReason:
      if (IsOne(value)) c.last_terminated_reason = l.reason;
      break;
    case Series::kLastTerminatedTimestamp:
      c.last_terminated_timestamp = value;
      break;
    case Series::kLastTerminatedExitcode:
      c.last_terminated_exitcode = value;
      break;
  }
}

// A labels object shared by several events (a pod's labels, a node's labels): built once, before
// the events, and copied into each of them; the last user moves it instead when no other thread
// can still be copying it (every user is in the same range of events).
struct SharedPart {
  const Sample* sample = nullptr;
  int first_user = -1;  // the first and last container whose event gets it
  int last_user = -1;
  Event json;  // an object, or null when it has no field
};

// A shared part to build before the events, with the label prefix it takes its fields from.
struct PartToBuild {
  SharedPart* part;
  absl::string_view prefix;
};

// Per-pod facts from pod-level families: kube_pod_info always (the node), the rest only with
// add_metadata.
struct Pod {
  absl::string_view node, uid, ip, created_by_kind, created_by_name;
  SharedPart labels;       // kube_pod_labels
  SharedPart annotations;  // kube_pod_annotations
};

using NodeKey = std::tuple<absl::string_view>;
using ReplicaSetKey = std::tuple<absl::string_view, absl::string_view>;  // namespace, name

// The grouping tables, one set per scraping thread, reused between scrapes (see KeyedTable).
struct Scratch {
  KeyedTable<ContainerKey, Container> containers;
  KeyedTable<PodKey, Pod> pods;
  KeyedTable<NodeKey, SharedPart> node_labels;                     // kube_node_labels
  KeyedTable<ReplicaSetKey, absl::string_view> replicaset_owners;  // deployment name
  std::vector<Pod*> pod_of;  // per container, in containers' order
  std::vector<PartToBuild> parts_to_build;
  void Clear() {
    pod_of.clear();
    parts_to_build.clear();
    containers.Clear();
    pods.Clear();
    node_labels.Clear();
    replicaset_owners.Clear();
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// A JSON object filled in ascending key order: each insertion goes at the end of the map with
// no search, no compare and no temporary key.
class SortedObject {
 public:
  explicit SortedObject(Event& object) : map_(&object.get_ref<Event::object_t&>()) {}
  // Keys must come in ascending order (BuildEvent writes them so; event_bytes_test compares
  // every event with std::map-ordered JSON).
  Event& Add(absl::string_view key, Event value) {
    return map_->AppendInOrder(key, std::move(value));
  }
  // `capacity`: the most keys the object gets (one allocation for its entries).
  SortedObject AddObject(absl::string_view key, size_t capacity) {
    SortedObject object(Add(key, Event(Event::value_t::object)));
    object.map_->reserve(capacity);
    return object;
  }
  void Reserve(size_t capacity) { map_->reserve(capacity); }
  Event::object_t& map() { return *map_; }
  Event& AddString(absl::string_view key, absl::string_view value) {
    return Add(key, Event(Event::string_t(value.data(), value.size())));
  }
  bool empty() const { return map_->empty(); }

 private:
  Event::object_t* map_;
};

// `label_app_kubernetes_io_name="x"` -> {"app_kubernetes_io_name": "x"} for every label with
// `prefix`; kube-state-metrics has already turned the key's dots and slashes into '_'. Null when
// no label has the prefix.
Event PrefixedLabels(const Exposition& scrape, const Sample& sample, absl::string_view prefix) {
  Event object(Event::value_t::object);
  SortedObject fields(object);
  for (const auto& label : scrape.labels(sample)) {
    if (label.name.size() <= prefix.size() || label.name.substr(0, prefix.size()) != prefix) {
      continue;
    }
    fields.AddString(label.name.substr(prefix.size()), label.value);
  }
  return fields.empty() ? Event() : object;
}

// Notes that container `user` gets `part`; on its first user, lists it for building.
void UseShared(absl::string_view prefix, int user, SharedPart& part,
               std::vector<PartToBuild>& to_build) {
  if (part.sample == nullptr) return;
  if (part.first_user < 0) {
    part.first_user = user;
    to_build.push_back({&part, prefix});
  }
  part.last_user = user;
}

// The events of containers [begin, end) are built by one thread.
struct Range {
  int begin;
  int end;
};

// Adds `part` under `key` to container `user`'s event.
void AddShared(absl::string_view key, int user, Range range, SharedPart& part,
               SortedObject& parent) {
  if (part.sample == nullptr || part.json.is_null()) return;
  const bool last = user == part.last_user && part.first_user >= range.begin;
  parent.Add(key, last ? std::move(part.json) : part.json);
}

// The node whose labels a container's event gets (kube_pod_info's, else the resource series').
absl::string_view NodeOf(const Container& c, const Pod* pod) {
  return pod != nullptr && !pod->node.empty() ? pod->node : c.node;
}

Event BuildEvent(const ContainerKey& key, const Container& c, Pod* pod, int index, Range range,
                 const CollectOptions& options, Scratch& scratch) {
  const auto& [ns, pod_name, name] = key;
  absl::string_view node = NodeOf(c, pod);
  absl::string_view pod_uid = c.uid;
  const bool metadata = options.add_metadata && pod != nullptr;
  if (metadata && pod_uid.empty()) pod_uid = pod->uid;

  Event event(Event::value_t::object);  // not object(): no initializer-list walk
  SortedObject root(event);
  // container, kubernetes, and the stamp (@timestamp, data_stream, event, metricset, service).
  root.Reserve(7);
  StampAppender stamp(options.stamp);
  stamp.AppendBefore("container", root.map());
  if (!c.container_id.empty() || !c.image.empty()) {
    SortedObject ecs = root.AddObject("container", 3);
    absl::string_view runtime, id;
    if (!c.container_id.empty()) std::tie(runtime, id) = SplitContainerId(c.container_id);
    if (!c.container_id.empty()) ecs.AddString("id", id);
    if (!c.image.empty()) ecs.AddObject("image", 1).AddString("name", c.image);
    if (!runtime.empty()) ecs.AddString("runtime", runtime);
  }

  stamp.AppendBefore("kubernetes", root.map());
  SortedObject k8s = root.AddObject("kubernetes", metadata ? 11 : 4);
  if (metadata) AddShared("annotations", index, range, pod->annotations, k8s);
  {
    SortedObject container = k8s.AddObject("container", 6);
    if (c.cpu_request || c.cpu_limit) {
      SortedObject cpu = container.AddObject("cpu", 2);
      if (c.cpu_limit) cpu.AddObject("limit", 1).Add("cores", *c.cpu_limit);
      if (c.cpu_request) cpu.AddObject("request", 1).Add("cores", *c.cpu_request);
    }
    if (!c.container_id.empty()) container.AddString("id", SplitContainerId(c.container_id).second);
    if (c.memory_request || c.memory_limit) {
      SortedObject memory = container.AddObject("memory", 2);
      if (c.memory_limit) memory.AddObject("limit", 1).Add("bytes", JsonNumber(*c.memory_limit));
      if (c.memory_request) {
        memory.AddObject("request", 1).Add("bytes", JsonNumber(*c.memory_request));
      }
    }
    container.AddString("name", name);
    absl::string_view reason = c.phase == "terminated"     ? c.terminated_reason
                               : c.phase == "waiting"      ? c.waiting_reason
                               : !c.waiting_reason.empty() ? c.waiting_reason
                                                           : c.terminated_reason;
    const size_t status_fields =
        c.last_terminated_exitcode.has_value() + !c.last_terminated_reason.empty() +
        c.last_terminated_timestamp.has_value() + !c.phase.empty() + c.ready.has_value() +
        !reason.empty() + c.restarts.has_value();
    if (status_fields > 0) {
      SortedObject status = container.AddObject("status", status_fields);
      if (c.last_terminated_exitcode) {
        status.Add("last_terminated_exitcode", JsonNumber(*c.last_terminated_exitcode));
      }
      if (!c.last_terminated_reason.empty()) {
        status.AddString("last_terminated_reason", c.last_terminated_reason);
      }
      if (c.last_terminated_timestamp) {
        status.Add("last_terminated_timestamp", *c.last_terminated_timestamp);
      }
      if (!c.phase.empty()) status.AddString("phase", c.phase);
      if (c.ready) status.Add("ready", *c.ready);
      if (!reason.empty()) status.AddString("reason", reason);
      if (c.restarts) status.Add("restarts", JsonNumber(*c.restarts));
    }
    container.AddString("type", c.init ? "init" : "container");
  }
  // The workload that owns the pod (kube_pod_info's created_by_*), and a ReplicaSet's
  // Deployment (kube_replicaset_owner), the names Metricbeat takes from the API.
  absl::string_view owner_kind = metadata ? pod->created_by_kind : absl::string_view();
  absl::string_view owner = metadata ? pod->created_by_name : absl::string_view();
  absl::string_view deployment;
  if (owner_kind == "ReplicaSet") {
    if (const absl::string_view* d = scratch.replicaset_owners.Find(ReplicaSetKey(ns, owner))) {
      deployment = *d;
    }
  }
  if (owner_kind == "DaemonSet") k8s.AddObject("daemonset", 1).AddString("name", owner);
  if (!deployment.empty()) k8s.AddObject("deployment", 1).AddString("name", deployment);
  if (owner_kind == "Job") k8s.AddObject("job", 1).AddString("name", owner);
  if (metadata) AddShared("labels", index, range, pod->labels, k8s);
  k8s.AddString("namespace", ns);
  if (!node.empty()) {
    SortedObject node_object = k8s.AddObject("node", 2);
    if (options.add_metadata) {
      if (SharedPart* labels = scratch.node_labels.Find(NodeKey(node))) {
        AddShared("labels", index, range, *labels, node_object);
      }
    }
    node_object.AddString("name", node);
  }
  {
    SortedObject pod_object = k8s.AddObject("pod", 3);
    if (metadata && !pod->ip.empty()) pod_object.AddString("ip", pod->ip);
    pod_object.AddString("name", pod_name);
    if (!pod_uid.empty()) pod_object.AddString("uid", pod_uid);
  }
  if (owner_kind == "ReplicaSet" && !owner.empty()) {
    k8s.AddObject("replicaset", 1).AddString("name", owner);
  }
  if (owner_kind == "StatefulSet") k8s.AddObject("statefulset", 1).AddString("name", owner);
  stamp.AppendRest(root.map());
  return event;
}

// By the time Collect runs, the parser has moved ~47 MB past the body lines that labels point
// into, so each sample's label names and values are cache misses: read one at a time they cost
// more than the grouping itself. Asking for the lines of the sample (or container) a few ahead
// overlaps those misses with the work on this one.
constexpr size_t kPrefetchAhead = 8;

void PrefetchLabels(const Exposition& scrape, const Sample& sample) {
  const auto labels = scrape.labels(sample);
  if (labels.empty()) return;
  const char* p = labels.front().name.data();
  const char* last = labels.back().value.data() + labels.back().value.size();
  for (; p < last; p += 64) __builtin_prefetch(p);
  __builtin_prefetch(last);
}

void PrefetchContainer(const ContainerKey& key, const Container& c) {
  for (absl::string_view text : {std::get<0>(key), std::get<1>(key), std::get<2>(key), c.uid,
                                 c.image, c.container_id, c.node}) {
    __builtin_prefetch(text.data());
  }
}

}  // namespace

void StateContainer::AddFamilies(const CollectOptions& options,
                                 prometheus::FamilyFilter* filter) const {
  // Exact families, not the kube_pod_container_ prefix: a real body has container families
  // state_container never reads (kube_pod_container_state_started: 1 sample per container),
  // and the parser skips those lines unread.
  for (const auto& [suffix, series] : kSeriesSuffixes) {
    filter->AddName(absl::StrCat("kube_pod_container_", suffix));
    filter->AddName(absl::StrCat("kube_pod_init_container_", suffix));
  }
  filter->AddName("kube_pod_info");
  if (options.add_metadata) {
    filter->AddName("kube_pod_labels")
        .AddName("kube_pod_annotations")
        .AddName("kube_node_labels")
        .AddName("kube_replicaset_owner");
  }
}

void StateContainer::Collect(const Exposition& scrape, const CollectOptions& options,
                             std::vector<Event>* events) const {
  constexpr absl::string_view kPodPrefix = "kube_pod_";
  constexpr absl::string_view kContainer = "container_";
  constexpr absl::string_view kInitContainer = "init_container_";

  Scratch& scratch = ThreadScratch();
  scratch.Clear();
  auto& containers = scratch.containers;

  // Pod- and node-level families each fill one field of a table.
  enum class Other { kNone, kPodInfo, kPodLabels, kPodAnnotations, kNodeLabels, kReplicaSetOwner };

  // Samples come grouped by family: the series of the previous sample is reused while the name
  // repeats, so the name is classified once per family, not once per sample.
  absl::string_view last_name;
  const Series* series = nullptr;
  bool init = false;
  Other other = Other::kNone;
  size_t cursor = 0;  // see KeyedTable::At(key, cursor)
  const std::vector<Sample>& samples = scrape.samples();
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i + kPrefetchAhead < samples.size()) PrefetchLabels(scrape, samples[i + kPrefetchAhead]);
    const Sample& s = samples[i];
    if (s.name.data() != last_name.data() && s.name != last_name) {
      last_name = s.name;
      series = nullptr;
      other = Other::kNone;
      cursor = 0;
      absl::string_view name = s.name;
      if (options.add_metadata && name == "kube_node_labels") {
        other = Other::kNodeLabels;
      } else if (options.add_metadata && name == "kube_replicaset_owner") {
        other = Other::kReplicaSetOwner;
      } else if (name.substr(0, kPodPrefix.size()) != kPodPrefix) {
        continue;
      }
      name.remove_prefix(std::min(name.size(), kPodPrefix.size()));
      if (other != Other::kNone) {
        // classified above
      } else if (name.substr(0, kContainer.size()) == kContainer) {
        init = false;
        series = SeriesOf(name.substr(kContainer.size()));
      } else if (name.substr(0, kInitContainer.size()) == kInitContainer) {
        init = true;
        series = SeriesOf(name.substr(kInitContainer.size()));
      } else if (name == "info") {
        other = Other::kPodInfo;
      } else if (options.add_metadata && name == "labels") {
        other = Other::kPodLabels;
      } else if (options.add_metadata && name == "annotations") {
        other = Other::kPodAnnotations;
      }
    }
    if (other != Other::kNone) {
      switch (other) {
        case Other::kNone:
          break;
        case Other::kPodInfo: {
          const SampleLabels l = ReadLabels(scrape, s);
          Pod& pod = scratch.pods.At(PodKey(l.ns, l.pod), &cursor);
          pod.node = l.node;
          if (options.add_metadata) {
            pod.uid = l.uid;
            pod.ip = l.pod_ip;
            pod.created_by_kind = l.created_by_kind;
            pod.created_by_name = l.created_by_name;
          }
          break;
        }
        case Other::kPodLabels:
        case Other::kPodAnnotations: {
          Pod& pod = scratch.pods.At(
              PodKey(scrape.LabelValue(s, "namespace"), scrape.LabelValue(s, "pod")));
          (other == Other::kPodLabels ? pod.labels : pod.annotations).sample = &s;
          break;
        }
        case Other::kNodeLabels: {
          absl::string_view node = scrape.LabelValue(s, "node");
          if (!node.empty()) scratch.node_labels.At(NodeKey(node)).sample = &s;
          break;
        }
        case Other::kReplicaSetOwner:
          if (s.value == 1 && scrape.LabelValue(s, "owner_kind") == "Deployment") {
            scratch.replicaset_owners.At(ReplicaSetKey(scrape.LabelValue(s, "namespace"),
                                                       scrape.LabelValue(s, "replicaset"))) =
                scrape.LabelValue(s, "owner_name");
          }
          break;
      }
      continue;
    }
    if (series == nullptr) continue;
    const SampleLabels l = ReadLabels(scrape, s);
    if (l.container.empty()) continue;
    Container& c = containers.At(ContainerKey(l.ns, l.pod, l.container), &cursor);
    c.init = init;
    Apply(*series, l, s.value, c);
  }

  // Find each container's pod, and build the parts its event shares with others (noting their
  // first and last users) before any event, so the events can be built on several threads.
  const int count = static_cast<int>(containers.size());
  for (int i = 0; i < count; ++i) {
    const auto& [key, container] = containers.objects()[i];
    Pod* pod = scratch.pods.Find(PodKey(std::get<0>(key), std::get<1>(key)));
    scratch.pod_of.push_back(pod);
    if (!options.add_metadata) continue;
    if (pod != nullptr) {
      UseShared("label_", i, pod->labels, scratch.parts_to_build);
      UseShared("annotation_", i, pod->annotations, scratch.parts_to_build);
    }
    const absl::string_view node = NodeOf(container, pod);
    if (node.empty()) continue;
    if (SharedPart* labels = scratch.node_labels.Find(NodeKey(node))) {
      UseShared("label_", i, *labels, scratch.parts_to_build);
    }
  }
  const int ranges =
      options.workers == nullptr
          ? 1
          : std::min(2 * options.workers->threads(),
                     count / static_cast<int>(std::max<size_t>(1, options.min_parallel_events)));
  // The shared parts (one per pod and node at most: independent of each other), then the events.
  const std::vector<PartToBuild>& parts = scratch.parts_to_build;
  auto build_parts = [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      parts[k].part->json = PrefixedLabels(scrape, *parts[k].part->sample, parts[k].prefix);
    }
  };
  if (ranges <= 1) {
    build_parts(0, parts.size());
  } else {
    options.workers->Run(ranges, [&](size_t r) {
      build_parts(parts.size() * r / ranges, parts.size() * (r + 1) / ranges);
    });
  }
  const size_t first = events->size();
  events->resize(first + count);
  auto build = [&](Range range) {
    for (int i = range.begin; i < range.end; ++i) {
      if (i + static_cast<int>(kPrefetchAhead) < range.end) {
        const auto& [next_key, next] = containers.objects()[i + kPrefetchAhead];
        PrefetchContainer(next_key, next);
      }
      const auto& [key, container] = containers.objects()[i];
      (*events)[first + i] =
          BuildEvent(key, container, scratch.pod_of[i], i, range, options, scratch);
    }
  };
  if (ranges <= 1) {
    build(Range{0, count});
    return;
  }
  options.workers->Run(ranges, [&](size_t r) {
    build(Range{static_cast<int>(count * r / ranges), static_cast<int>(count * (r + 1) / ranges)});
  });
}

GATEHOUSE_REGISTER_STATE_METRICSET(StateContainer);

}  // namespace gatehouse::kubernetes
