#include "inputs/kubernetes/state_container/state_container.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

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

std::optional<Series> SeriesOf(absl::string_view suffix) {
  static const auto* const kSeries = new absl::flat_hash_map<absl::string_view, Series>{
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
  auto it = kSeries->find(suffix);
  if (it == kSeries->end()) return std::nullopt;
  return it->second;
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

void Apply(Series series, const Exposition& scrape, const Sample& s, Container& c) {
  switch (series) {
    case Series::kInfo:
      c.uid = scrape.LabelValue(s, "uid");
      c.image = scrape.LabelValue(s, "image");
      c.container_id = scrape.LabelValue(s, "container_id");
      break;
    case Series::kRequests:
    case Series::kLimits: {
      const bool request = series == Series::kRequests;
      absl::string_view resource = scrape.LabelValue(s, "resource");
      if (c.node.empty()) c.node = scrape.LabelValue(s, "node");
      if (resource == "cpu") {
        (request ? c.cpu_request : c.cpu_limit) = s.value;
      } else if (resource == "memory") {
        (request ? c.memory_request : c.memory_limit) = s.value;
      }
      break;
    }
    case Series::kReady: c.ready = IsOne(s.value); break;
    case Series::kRestarts: c.restarts = s.value; break;
    case Series::kRunning: if (IsOne(s.value)) c.phase = "running"; break;
    case Series::kTerminated: if (IsOne(s.value)) c.phase = "terminated"; break;
    case Series::kWaiting: if (IsOne(s.value)) c.phase = "waiting"; break;
    case Series::kTerminatedReason:
      if (IsOne(s.value)) c.terminated_reason = scrape.LabelValue(s, "reason");
      break;
    case Series::kWaitingReason:
      if (IsOne(s.value)) c.waiting_reason = scrape.LabelValue(s, "reason");
      break;
    case Series::kLastTerminatedReason:
      if (IsOne(s.value)) c.last_terminated_reason = scrape.LabelValue(s, "reason");
      break;
    case Series::kLastTerminatedTimestamp: c.last_terminated_timestamp = s.value; break;
    case Series::kLastTerminatedExitcode: c.last_terminated_exitcode = s.value; break;
  }
}

Event BuildEvent(const ContainerKey& key, const Container& c, absl::string_view node) {
  const auto& [ns, pod, name] = key;
  Event event = Event::object();
  Event& k8s = event["kubernetes"];
  k8s["namespace"] = ns;
  Event& pod_obj = k8s["pod"];
  pod_obj["name"] = pod;
  if (!c.uid.empty()) pod_obj["uid"] = c.uid;
  if (!node.empty()) k8s["node"]["name"] = node;

  Event& container = k8s["container"];
  container["name"] = name;
  container["type"] = c.init ? "init" : "container";
  if (!c.container_id.empty() || !c.image.empty()) {
    Event& ecs = event["container"];
    if (!c.container_id.empty()) {
      auto [runtime, id] = SplitContainerId(c.container_id);
      container["id"] = id;
      ecs["id"] = id;
      if (!runtime.empty()) ecs["runtime"] = runtime;
    }
    if (!c.image.empty()) ecs["image"]["name"] = c.image;
  }
  if (c.cpu_request) container["cpu"]["request"]["cores"] = *c.cpu_request;
  if (c.cpu_limit) container["cpu"]["limit"]["cores"] = *c.cpu_limit;
  if (c.memory_request) container["memory"]["request"]["bytes"] = JsonNumber(*c.memory_request);
  if (c.memory_limit) container["memory"]["limit"]["bytes"] = JsonNumber(*c.memory_limit);

  Event& status = container["status"];
  if (c.ready) status["ready"] = *c.ready;
  if (c.restarts) status["restarts"] = JsonNumber(*c.restarts);
  if (!c.phase.empty()) status["phase"] = c.phase;
  absl::string_view reason = c.phase == "terminated" ? c.terminated_reason
                             : c.phase == "waiting"  ? c.waiting_reason
                             : !c.waiting_reason.empty() ? c.waiting_reason
                                                         : c.terminated_reason;
  if (!reason.empty()) status["reason"] = reason;
  if (!c.last_terminated_reason.empty()) {
    status["last_terminated_reason"] = c.last_terminated_reason;
  }
  if (c.last_terminated_timestamp) {
    status["last_terminated_timestamp"] = *c.last_terminated_timestamp;
  }
  if (c.last_terminated_exitcode) {
    status["last_terminated_exitcode"] = JsonNumber(*c.last_terminated_exitcode);
  }
  if (status.empty()) container.erase("status");
  return event;
}

}  // namespace

std::vector<Event> StateContainer::Collect(const Exposition& scrape) const {
  constexpr absl::string_view kPodPrefix = "kube_pod_";
  constexpr absl::string_view kContainer = "container_";
  constexpr absl::string_view kInitContainer = "init_container_";

  KeyedTable<ContainerKey, Container> containers;
  absl::flat_hash_map<PodKey, absl::string_view> pod_nodes;
  containers.Reserve(scrape.samples().size() / 12 + 16);

  // Samples come grouped by family: the series of the previous sample is reused while the name
  // repeats, so the name is classified once per family, not once per sample.
  absl::string_view last_name;
  std::optional<Series> series;
  bool init = false;
  bool pod_info = false;
  for (const Sample& s : scrape.samples()) {
    if (s.name.data() != last_name.data() && s.name != last_name) {
      last_name = s.name;
      series.reset();
      pod_info = false;
      absl::string_view name = s.name;
      if (name.substr(0, kPodPrefix.size()) != kPodPrefix) continue;
      name.remove_prefix(kPodPrefix.size());
      if (name.substr(0, kContainer.size()) == kContainer) {
        init = false;
        series = SeriesOf(name.substr(kContainer.size()));
      } else if (name.substr(0, kInitContainer.size()) == kInitContainer) {
        init = true;
        series = SeriesOf(name.substr(kInitContainer.size()));
      } else {
        pod_info = name == "info";
      }
    }
    if (pod_info) {
      absl::string_view node = scrape.LabelValue(s, "node");
      if (!node.empty()) {
        pod_nodes[PodKey(scrape.LabelValue(s, "namespace"), scrape.LabelValue(s, "pod"))] = node;
      }
      continue;
    }
    if (!series) continue;
    // One pass over the labels for the key.
    absl::string_view ns, pod, container_name;
    for (const auto& label : scrape.labels(s)) {
      if (label.name == "namespace") ns = label.value;
      else if (label.name == "pod") pod = label.value;
      else if (label.name == "container") container_name = label.value;
    }
    if (container_name.empty()) continue;
    Container& c = containers.At(ContainerKey(ns, pod, container_name));
    c.init = init;
    Apply(*series, scrape, s, c);
  }

  std::vector<Event> events;
  events.reserve(containers.objects().size());
  for (const auto& [key, container] : containers.objects()) {
    absl::string_view node = container.node;
    auto it = pod_nodes.find(PodKey(std::get<0>(key), std::get<1>(key)));
    if (it != pod_nodes.end()) node = it->second;
    events.push_back(BuildEvent(key, container, node));
  }
  return events;
}

GATEHOUSE_REGISTER_STATE_METRICSET(StateContainer);

}  // namespace gatehouse::kubernetes
