// Agent state at scale for the render and memory benchmarks: a real VariableStore, a real policy
// loaded from generated YAML, the real Controller and InputManager, over a fake input type whose
// instances do nothing but exist (so what is measured is Gatehouse, not an input's own work).
//
// Thread contract: thread-compatible; one benchmark thread drives it.
#ifndef GATEHOUSE_BENCHMARKS_AGENT_SCALE_H_
#define GATEHOUSE_BENCHMARKS_AGENT_SCALE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/controller/controller.h"
#include "agent/controller/input_manager.h"
#include "agent/input/input.h"
#include "agent/registry/registry.h"
#include "agent/store/variable_store.h"

namespace gatehouse::bench {

// Inputs of type "fake": Start and Stop do nothing; `live` counts the instances alive.
class FakeInputFactory final : public InputFactory {
 public:
  absl::string_view name() const override { return "fake"; }
  absl::string_view description() const override { return "does nothing (benchmarks)"; }
  const OptionTable& options() const override { return table_; }
  const OptionTable& stream_options() const override { return table_; }
  absl::StatusOr<std::unique_ptr<Input>> Create(InputContext context) const override;
  int live() const { return *live_; }

 private:
  OptionTable table_;
  std::shared_ptr<int> live_ = std::make_shared<int>(0);
};

// Policy text generators.
// `inputs` inputs copied over the dynamic provider `kubernetes` (pod metrics shaped: hosts from
// the pod's ip, data_stream, metricsets, processors); the first `conditions` of them carry a
// condition, input 0 the leader gate, the others conditions over pod labels, namespace and host.
std::string PodInputsPolicy(int inputs, int conditions);
// `inputs` plain inputs; the first `leader_readers` are gated on the leader variable, the rest
// on `host.platform`.
std::string PlainInputsPolicy(int inputs, int leader_readers);

// The whole agent state: store, policy, input manager, controller.
class AgentState {
 public:
  // Publishes host and leader (= `leader`) and `pods` kubernetes mappings (each with an
  // add_fields processor), loads `policy_text`, and creates the controller (which renders
  // everything and starts what is on). `render_threads`: ControllerOptions::render_threads
  // (0: the default, min(2, cores)).
  static absl::StatusOr<std::unique_ptr<AgentState>> Create(const std::string& policy_text,
                                                            int pods, bool leader,
                                                            int render_threads = 0);
  ~AgentState();

  // Publishes the leader variable; returns the change sets it produced (drained from the store).
  std::vector<ChangeSet> SetLeader(bool leader);
  bool leader() const { return leader_value_; }
  // A change set that marks everything changed (what a full re-render reacts to).
  static std::vector<ChangeSet> Everything();
  // Publishes every pod mapping again with a new ip (`round` picks it; consecutive rounds
  // differ); returns the change sets it produced.
  std::vector<ChangeSet> MovePods(int round);

  controller::Controller& controller() { return *controller_; }
  controller::InputManager& manager() { return *manager_; }
  VariableStore& store() { return store_; }
  int live_inputs() const { return factory_->live(); }

 private:
  AgentState() = default;

  VariableStore store_;
  Registry<InputFactory> registry_;
  const FakeInputFactory* factory_ = nullptr;
  bool leader_value_ = false;
  int pods_count_ = 0;
  std::unique_ptr<ProviderSink> leader_;
  std::unique_ptr<ProviderSink> host_;
  std::unique_ptr<ProviderSink> pods_;
  std::unique_ptr<controller::InputManager> manager_;
  std::unique_ptr<controller::Controller> controller_;
};

}  // namespace gatehouse::bench

#endif  // GATEHOUSE_BENCHMARKS_AGENT_SCALE_H_
