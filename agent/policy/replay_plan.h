// The replay plan of an input (policy.h, ReplayPlan): the steps a re-render checks to keep a
// copy's previous config as it is. A full render walks the whole template and composes every
// map; most re-renders find every condition and every `${}` as before. Checking just those,
// in the order a render meets them, decides that at a fraction of the cost (render.cc).
//
// Thread contract: called by the loader while it builds the input; the plan is immutable after.
#ifndef GATEHOUSE_AGENT_POLICY_REPLAY_PLAN_H_
#define GATEHOUSE_AGENT_POLICY_REPLAY_PLAN_H_

#include "agent/policy/policy.h"

namespace gatehouse::policy {

// Numbers the `${}` scalars of `input->body` (TemplateNode::replay_index) and sets
// `input->replay`, or leaves it null when the input cannot be replayed: its body is not a map,
// or its own `id`, `original_id` or `processors` holds `${}` (a copy rewrites those keys, so
// the previous config does not show what they rendered to).
void PrepareReplay(InputSpec* input);

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_REPLAY_PLAN_H_
