// One event as one NDJSON line, shared by the console and file outputs.
#ifndef GATEHOUSE_AGENT_OUTPUT_NDJSON_H_
#define GATEHOUSE_AGENT_OUTPUT_NDJSON_H_

#include <string>

#include "agent/input/event.h"

namespace gatehouse {

// Appends `event` as compact JSON plus '\n'. Invalid UTF-8 in strings is replaced (U+FFFD),
// never thrown.
inline void AppendNdjsonLine(const Event& event, std::string* out) {
  out->append(event.dump(-1, ' ', false, Event::error_handler_t::replace));
  out->push_back('\n');
}

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_OUTPUT_NDJSON_H_
