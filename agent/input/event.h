// An event is a JSON document (nlohmann::json): inputs build it, processors edit it in place,
// outputs write it as one NDJSON line.
#ifndef GATEHOUSE_AGENT_INPUT_EVENT_H_
#define GATEHOUSE_AGENT_INPUT_EVENT_H_

#include "nlohmann/json.hpp"

namespace gatehouse {

using Event = nlohmann::json;

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_INPUT_EVENT_H_
