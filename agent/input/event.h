// An event is a JSON document: inputs build it, processors edit it in place, outputs write it as
// one NDJSON line.
//
// It is nlohmann::basic_json with a sorted flat map for objects (SortedObjectMap): the same API,
// key order and dump() bytes as nlohmann::json, with one allocation per object instead of one per
// key. Its nodes come from a per-thread arena (EventAllocator, event_allocator.h): a node costs a
// pointer bump, and an event is meant to be short-lived (a kept event pins its arena chunk).
// Converting constructors go both ways between Event and nlohmann::json (a copy), e.g. where a
// test compares with a nlohmann::json literal: EXPECT_EQ(event, Event(expected)).
//
// Unlike std::map, inserting a key into an object may move that object's values, as inserting
// into a std::vector does: a reference or iterator into an object is invalid after a later
// insertion into the same object (children's contents are not moved, only their handles). Take
// `Event& child = object["key"]` after the last insertion of a sibling, or look it up again.
#ifndef GATEHOUSE_AGENT_INPUT_EVENT_H_
#define GATEHOUSE_AGENT_INPUT_EVENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "agent/input/event_allocator.h"
#include "common/sorted_map.h"
#include "nlohmann/json.hpp"

namespace gatehouse {

using Event = nlohmann::basic_json<SortedObjectMap, std::vector, std::string, bool, std::int64_t,
                                   std::uint64_t, double, EventAllocator>;

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_INPUT_EVENT_H_
