#include "agent/policy/replay_plan.h"

#include <atomic>
#include <memory>
#include <utility>

#include "agent/policy/substitution.h"

namespace gatehouse::policy {
namespace {

// Pre-order, entries and items as written: the order in which RenderMapEntries and RenderNode
// evaluate conditions and render scalars.
void AddSteps(TemplateNode& node, ReplayPlan& plan) {
  switch (node.kind) {
    case TemplateNode::Kind::kConstant:
      return;
    case TemplateNode::Kind::kScalar:
      node.replay_index = plan.scalars++;
      plan.steps.push_back(ReplayStep{-1, node.scalar.get(), node.replay_index, 0});
      return;
    case TemplateNode::Kind::kList:
      for (TemplateNode& item : node.items) AddSteps(item, plan);
      return;
    case TemplateNode::Kind::kMap: {
      const size_t gate = plan.steps.size();
      if (node.condition >= 0) plan.steps.push_back(ReplayStep{node.condition, nullptr, -1, 0});
      // A gate around constant entries renders them as one constant map: nothing to check.
      if (!node.constant_when_on.is_map()) {
        for (auto& [key, child] : node.entries) AddSteps(child, plan);
      }
      if (node.condition >= 0) {
        plan.steps[gate].skip = static_cast<uint32_t>(plan.steps.size() - gate - 1);
      }
      return;
    }
  }
}

}  // namespace

void PrepareReplay(InputSpec* input) {
  input->replay.reset();
  if (input->body.kind != TemplateNode::Kind::kMap) return;
  auto plan = std::make_shared<ReplayPlan>();
  plan->base_id = input->id;
  for (const auto& [key, child] : input->body.entries) {
    if (key != "id" && key != "original_id" && key != "processors") continue;
    if (child.kind != TemplateNode::Kind::kConstant) return;
    if (key == "id") {
      plan->base_id.clear();
      AppendStringified(child.constant, &plan->base_id);
    }
  }
  static std::atomic<uint64_t> next_id{1};
  plan->id = next_id.fetch_add(1, std::memory_order_relaxed);
  AddSteps(input->body, *plan);
  input->replay = std::move(plan);
}

}  // namespace gatehouse::policy
