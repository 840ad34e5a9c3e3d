#include "inputs/kubernetes/state_node/state_node.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <tuple>

namespace gatehouse::kubernetes {
namespace {

using prometheus::Exposition;
using prometheus::Sample;

struct Resources {
  std::optional<double> cpu, memory, pods;
};

struct Node {
  absl::string_view kernel_version, kubelet_version, runtime_version;
  std::optional<bool> unschedulable;
  // Node conditions: the `status` label ("true"/"false"/"unknown") of the series set to 1.
  absl::string_view ready, memory_pressure, disk_pressure, pid_pressure, network_unavailable;
  Resources capacity, allocatable;
};

using NodeKey = std::tuple<absl::string_view>;

void ApplyResource(const Exposition& scrape, const Sample& s, Resources* r) {
  absl::string_view resource = scrape.LabelValue(s, "resource");
  if (resource == "cpu") r->cpu = s.value;
  else if (resource == "memory") r->memory = s.value;
  else if (resource == "pods") r->pods = s.value;
}

void ApplyCondition(const Exposition& scrape, const Sample& s, Node* node) {
  if (s.value != 1) return;
  absl::string_view condition = scrape.LabelValue(s, "condition");
  absl::string_view status = scrape.LabelValue(s, "status");
  if (condition == "Ready") node->ready = status;
  else if (condition == "MemoryPressure") node->memory_pressure = status;
  else if (condition == "DiskPressure") node->disk_pressure = status;
  else if (condition == "PIDPressure") node->pid_pressure = status;
  else if (condition == "NetworkUnavailable") node->network_unavailable = status;
}

}  // namespace

void StateNode::AddFamilies(const CollectOptions&, prometheus::FamilyFilter* filter) const {
  filter->AddPrefix("kube_node_");
}

void StateNode::Collect(const Exposition& scrape, const CollectOptions& options,
                       std::vector<Event>* events) const {
  KeyedTable<NodeKey, Node> nodes;
  for (const Sample& s : scrape.samples()) {
    absl::string_view name = s.name;
    if (name.substr(0, 10) != "kube_node_") continue;
    name.remove_prefix(10);
    absl::string_view node_name = scrape.LabelValue(s, "node");
    if (node_name.empty()) continue;
    if (name == "info") {
      Node& n = nodes.At(NodeKey(node_name));
      n.kernel_version = scrape.LabelValue(s, "kernel_version");
      n.kubelet_version = scrape.LabelValue(s, "kubelet_version");
      n.runtime_version = scrape.LabelValue(s, "container_runtime_version");
    } else if (name == "spec_unschedulable") {
      nodes.At(NodeKey(node_name)).unschedulable = s.value == 1;
    } else if (name == "status_condition") {
      ApplyCondition(scrape, s, &nodes.At(NodeKey(node_name)));
    } else if (name == "status_capacity") {
      ApplyResource(scrape, s, &nodes.At(NodeKey(node_name)).capacity);
    } else if (name == "status_allocatable") {
      ApplyResource(scrape, s, &nodes.At(NodeKey(node_name)).allocatable);
    }
  }

  events->reserve(events->size() + nodes.objects().size());
  for (const auto& [key, n] : nodes.objects()) {
    Event event = Event::object();
    Event& node = event["kubernetes"]["node"];
    node["name"] = std::get<0>(key);
    if (!n.kernel_version.empty()) node["kernel_version"] = n.kernel_version;
    if (!n.kubelet_version.empty()) node["kubelet_version"] = n.kubelet_version;
    if (!n.runtime_version.empty()) node["container_runtime_version"] = n.runtime_version;
    Event status = Event::object();
    if (!n.ready.empty()) status["ready"] = n.ready;
    if (n.unschedulable) status["unschedulable"] = *n.unschedulable;
    if (!n.memory_pressure.empty()) status["memory_pressure"] = n.memory_pressure;
    if (!n.disk_pressure.empty()) status["disk_pressure"] = n.disk_pressure;
    if (!n.pid_pressure.empty()) status["pid_pressure"] = n.pid_pressure;
    if (!n.network_unavailable.empty()) status["network_unavailable"] = n.network_unavailable;
    if (!status.empty()) node["status"] = std::move(status);
    if (n.capacity.cpu) node["cpu"]["capacity"]["cores"] = *n.capacity.cpu;
    if (n.allocatable.cpu) node["cpu"]["allocatable"]["cores"] = *n.allocatable.cpu;
    if (n.capacity.memory) node["memory"]["capacity"]["bytes"] = JsonNumber(*n.capacity.memory);
    if (n.allocatable.memory) node["memory"]["allocatable"]["bytes"] = JsonNumber(*n.allocatable.memory);
    if (n.capacity.pods) node["pod"]["capacity"]["total"] = JsonNumber(*n.capacity.pods);
    if (n.allocatable.pods) node["pod"]["allocatable"]["total"] = JsonNumber(*n.allocatable.pods);
    if (options.stamp != nullptr) ApplyStamp(*options.stamp, &event);
    events->push_back(std::move(event));
  }
}

GATEHOUSE_REGISTER_STATE_METRICSET(StateNode);

}  // namespace gatehouse::kubernetes
