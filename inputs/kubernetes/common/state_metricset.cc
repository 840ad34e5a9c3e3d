#include "inputs/kubernetes/common/state_metricset.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

namespace gatehouse::kubernetes {
namespace {

std::map<std::string, std::unique_ptr<StateMetricset>, std::less<>>& Metricsets() {
  static auto* const metricsets =
      new std::map<std::string, std::unique_ptr<StateMetricset>, std::less<>>();
  return *metricsets;
}

}  // namespace

namespace internal {
StateMetricsetRegistrar::StateMetricsetRegistrar(std::unique_ptr<StateMetricset> metricset) {
  std::string name(metricset->name());
  if (!Metricsets().emplace(name, std::move(metricset)).second) {
    std::fprintf(stderr, "gatehouse: state metricset '%s' registered twice\n", name.c_str());
    std::abort();
  }
}
}  // namespace internal

const StateMetricset* FindStateMetricset(absl::string_view name) {
  auto it = Metricsets().find(name);
  return it == Metricsets().end() ? nullptr : it->second.get();
}

std::vector<std::string> StateMetricsetNames() {
  std::vector<std::string> names;
  for (const auto& [name, metricset] : Metricsets()) names.push_back(name);
  return names;
}

std::pair<absl::string_view, absl::string_view> SplitContainerId(absl::string_view id) {
  size_t sep = id.find("://");
  if (sep == absl::string_view::npos) return {absl::string_view(), id};
  return {id.substr(0, sep), id.substr(sep + 3)};
}

void ApplyStamp(const EventStamp& stamp, Event* event) {
  Event::object_t& root = event->get_ref<Event::object_t&>();
  root.reserve(root.size() + 5);
  root.emplace("@timestamp", stamp.timestamp);
  if (!stamp.data_stream.empty()) root.emplace("data_stream", stamp.data_stream);
  root.emplace("event", stamp.event);
  root.emplace("metricset", stamp.metricset);
  root.emplace("service", stamp.service);
}

StampAppender::StampAppender(const EventStamp* stamp) {
  if (stamp == nullptr) return;
  parts_[count_++] = {"@timestamp", &stamp->timestamp};
  if (!stamp->data_stream.empty()) parts_[count_++] = {"data_stream", &stamp->data_stream};
  parts_[count_++] = {"event", &stamp->event};
  parts_[count_++] = {"metricset", &stamp->metricset};
  parts_[count_++] = {"service", &stamp->service};
}

void StampAppender::AppendBefore(absl::string_view key, Event::object_t& object) {
  for (; next_ < count_ && (key.empty() || parts_[next_].key < key); ++next_) {
    const absl::string_view part = parts_[next_].key;
    object.emplace_hint(object.end(), std::string_view(part.data(), part.size()),
                        *parts_[next_].value);
  }
}

Event JsonNumber(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) {
    return static_cast<int64_t>(v);
  }
  return v;
}

std::string AsciiLower(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace gatehouse::kubernetes
