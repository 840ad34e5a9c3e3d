#include "inputs/kubernetes/state_pod/state_pod.h"

#include <optional>

namespace gatehouse::kubernetes {
namespace {

using prometheus::Exposition;
using prometheus::Sample;

struct Pod {
  absl::string_view uid, node, host_ip, ip;
  absl::string_view phase, ready, scheduled, reason;  // the label of the series whose value is 1
  std::optional<double> ready_time;
};

}  // namespace

void StatePod::AddFamilies(const CollectOptions&, prometheus::FamilyFilter* filter) const {
  filter->AddName("kube_pod_info")
      .AddName("kube_pod_status_phase")
      .AddName("kube_pod_status_ready")
      .AddName("kube_pod_status_scheduled")
      .AddName("kube_pod_status_reason")
      .AddName("kube_pod_status_ready_time");
}

void StatePod::Collect(const Exposition& scrape, const CollectOptions& options,
                       std::vector<Event>* events) const {
  KeyedTable<PodKey, Pod> pods;
  for (const Sample& s : scrape.samples()) {
    absl::string_view name = s.name;
    if (name.substr(0, 9) != "kube_pod_" || name.substr(9, 10) == "container_" ||
        name.substr(9, 15) == "init_container_") {
      continue;
    }
    name.remove_prefix(9);
    absl::string_view* label_target = nullptr;
    absl::string_view label;
    Pod* pod = nullptr;
    auto pod_of = [&]() -> Pod& {
      return pods.At(PodKey(scrape.LabelValue(s, "namespace"), scrape.LabelValue(s, "pod")));
    };
    if (name == "info") {
      pod = &pod_of();
      pod->uid = scrape.LabelValue(s, "uid");
      pod->node = scrape.LabelValue(s, "node");
      pod->host_ip = scrape.LabelValue(s, "host_ip");
      pod->ip = scrape.LabelValue(s, "pod_ip");
      continue;
    }
    if (name == "status_phase") {
      pod = &pod_of();
      label_target = &pod->phase;
      label = "phase";
    } else if (name == "status_ready") {
      pod = &pod_of();
      label_target = &pod->ready;
      label = "condition";
    } else if (name == "status_scheduled") {
      pod = &pod_of();
      label_target = &pod->scheduled;
      label = "condition";
    } else if (name == "status_reason") {
      pod = &pod_of();
      label_target = &pod->reason;
      label = "reason";
    } else if (name == "status_ready_time") {
      pod_of().ready_time = s.value;
      continue;
    } else {
      continue;
    }
    if (s.value == 1) *label_target = scrape.LabelValue(s, label);
  }

  events->reserve(events->size() + pods.objects().size());
  for (const auto& [key, pod] : pods.objects()) {
    Event event = Event::object();
    Event& k8s = event["kubernetes"];
    k8s["namespace"] = std::get<0>(key);
    if (!pod.node.empty()) k8s["node"]["name"] = pod.node;
    // Last key of k8s: an insertion into an Event object moves its values (see event.h).
    Event& p = k8s["pod"];
    p["name"] = std::get<1>(key);
    if (!pod.uid.empty()) p["uid"] = pod.uid;
    if (!pod.host_ip.empty()) p["host_ip"] = pod.host_ip;
    if (!pod.ip.empty()) p["ip"] = pod.ip;
    Event status = Event::object();
    if (!pod.phase.empty()) status["phase"] = AsciiLower(pod.phase);
    if (!pod.ready.empty()) status["ready"] = AsciiLower(pod.ready);
    if (!pod.scheduled.empty()) status["scheduled"] = AsciiLower(pod.scheduled);
    if (!pod.reason.empty()) status["reason"] = AsciiLower(pod.reason);
    if (pod.ready_time) status["ready_time"] = *pod.ready_time;
    if (!status.empty()) p["status"] = std::move(status);
    if (options.stamp != nullptr) ApplyStamp(*options.stamp, &event);
    events->push_back(std::move(event));
  }
}

GATEHOUSE_REGISTER_STATE_METRICSET(StatePod);

}  // namespace gatehouse::kubernetes
