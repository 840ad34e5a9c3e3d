// Dotted-path access into an Event ("kubernetes.pod.name" walks nested objects), shared by the
// pipeline, its processors and the inputs that build events.
//
// Thread contract: free functions over a caller-owned event (thread-compatible).
#ifndef GATEHOUSE_AGENT_PIPELINE_EVENT_FIELDS_H_
#define GATEHOUSE_AGENT_PIPELINE_EVENT_FIELDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/input/event.h"

namespace gatehouse {

// nullptr when a segment is missing or a parent is not an object.
const Event* FindField(const Event& event, absl::string_view dotted_path);

// Sets the value at `dotted_path`, creating objects on the way and replacing any non-object
// parent.
void PutField(Event* event, absl::string_view dotted_path, Event value);

// Removes the value at `dotted_path`; false when it was not there. Parents left empty stay.
bool DeleteField(Event* event, absl::string_view dotted_path);

// `@timestamp` text: RFC 3339 in UTC with milliseconds ("2027-01-15T08:00:00.000Z").
std::string FormatEventTimestamp(absl::Time time);

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PIPELINE_EVENT_FIELDS_H_
