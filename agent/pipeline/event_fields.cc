#include "agent/pipeline/event_fields.h"

#include <string>
#include <utility>

namespace gatehouse {
namespace {

// Splits off the first segment: "a.b.c" -> "a", rest "b.c".
absl::string_view NextSegment(absl::string_view* path) {
  size_t dot = path->find('.');
  absl::string_view head = path->substr(0, dot);
  path->remove_prefix(dot == absl::string_view::npos ? path->size() : dot + 1);
  return head;
}

}  // namespace

const Event* FindField(const Event& event, absl::string_view dotted_path) {
  const Event* node = &event;
  absl::string_view rest = dotted_path;
  while (!rest.empty()) {
    if (!node->is_object()) return nullptr;
    absl::string_view key = NextSegment(&rest);
    auto it = node->find(std::string(key));
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

void PutField(Event* event, absl::string_view dotted_path, Event value) {
  Event* node = event;
  absl::string_view rest = dotted_path;
  while (true) {
    if (!node->is_object()) *node = Event::object();
    absl::string_view key = NextSegment(&rest);
    Event& child = (*node)[std::string(key)];
    if (rest.empty()) {
      child = std::move(value);
      return;
    }
    node = &child;
  }
}

bool DeleteField(Event* event, absl::string_view dotted_path) {
  Event* node = event;
  absl::string_view rest = dotted_path;
  while (true) {
    if (!node->is_object()) return false;
    absl::string_view key = NextSegment(&rest);
    auto it = node->find(std::string(key));
    if (it == node->end()) return false;
    if (rest.empty()) {
      node->erase(it);
      return true;
    }
    node = &*it;
  }
}

std::string FormatEventTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

}  // namespace gatehouse
