// Agent: the `gatehouse run` process. Wires the policy, the variable store, the providers, the
// controller, the input manager, the pipelines, the outputs and the monitoring endpoint, and
// owns the lifecycle: reload without dropping data, and a bounded, draining shutdown.
//
//   providers ──▶ VariableStore ──change sets──▶ Controller ──▶ InputManager ──▶ inputs
//                                                                         │
//                      output workers ◀── EventQueue (one per output) ◀── Pipeline (per copy)
//
// Thread contract: thread-safe. Run() blocks on the caller's thread; RequestStop() and
// RequestReload() may be called from any thread (the signal watcher's).
#ifndef GATEHOUSE_AGENT_DAEMON_AGENT_H_
#define GATEHOUSE_AGENT_DAEMON_AGENT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/controller/controller.h"
#include "agent/controller/input_manager.h"
#include "agent/daemon/input_health.h"
#include "agent/daemon/startup_gate.h"
#include "agent/monitoring/monitoring_server.h"
#include "agent/output/event_queue.h"
#include "agent/output/output_worker.h"
#include "agent/pipeline/pipeline.h"
#include "agent/policy/policy.h"
#include "agent/provider/provider_runner.h"
#include "agent/store/variable_store.h"

namespace gatehouse {

struct AgentOptions {
  std::string policy_path;
  std::string data_path;                   // --path.data; default: a folder under the cwd
  bool strict = false;                     // --strict
  std::optional<std::string> status_addr;  // --status-addr overrides agent.monitoring.http
  absl::Duration shutdown_timeout = absl::Seconds(30);
  absl::Duration reload_debounce = absl::Milliseconds(300);
  bool watch_policy = true;
  size_t queue_capacity = 4096;
};

class Agent {
 public:
  // Loads and validates the policy (an InvalidArgument with every diagnostic when it is bad),
  // starts the providers, the outputs, the controller and the monitoring endpoint.
  static absl::StatusOr<std::unique_ptr<Agent>> Start(AgentOptions options);
  ~Agent();

  // Blocks until RequestStop, then shuts down: stops the inputs, drains every queue into its
  // output and flushes it, stops the providers (releasing leases). Returns DeadlineExceeded
  // when the shutdown did not finish within shutdown_timeout.
  absl::Status Run();

  void RequestStop();
  // Loads the policy file again; a bad policy is logged and the running one stays.
  void RequestReload();

  // The /status document.
  std::string StatusJson() const;
  // The monitoring endpoint's port (0 when off).
  int monitoring_port() const;

 private:
  struct OutputSlot {
    std::string type;
    Value options;
    std::unique_ptr<EventQueue> queue;
    std::unique_ptr<OutputWorker> worker;
  };

  explicit Agent(AgentOptions options);

  absl::Status StartAll(std::shared_ptr<const policy::Policy> policy);
  absl::StatusOr<std::shared_ptr<const policy::Policy>> LoadPolicy() const;
  // Which providers `policy` runs: referenced or enabled, options rendered from the environment.
  absl::StatusOr<ProviderSelection> SelectProvidersFor(const policy::Policy& policy) const;
  absl::Status StartProviders(ProviderSelection selection) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StartOutputs(const policy::Policy& policy) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StartMonitoring(const policy::Policy& policy) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StartController(std::shared_ptr<const policy::Policy> policy)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StopControllerLoop() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Reload() ABSL_LOCKS_EXCLUDED(mu_);
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);
  // The pipeline and observer of one input copy. Called by the controller while it reconciles,
  // with mu_ held by this thread (start, reload) or by no one (the controller loop); outputs_
  // only change while no controller loop runs, so it reads them without taking mu_.
  absl::StatusOr<controller::InputManager::InstanceWiring> Wire(
      const std::string& id, const controller::DesiredInput& input) ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // Renders `${var}` in a non-input section over `reader` (null: the store's context variables;
  // outputs are rendered after the providers published).
  absl::StatusOr<Value> RenderStatic(const Value& raw, absl::string_view where,
                                     absl::string_view default_provider,
                                     const conditions::VariableReader* reader) const;
  // The `providers:` section with `${env.X}` rendered from the process environment.
  absl::StatusOr<Value> RenderedProviderSection(const policy::Policy& policy) const;

  const AgentOptions options_;
  std::string agent_id_;
  VariableStore store_;
  InputHealth health_;
  // Providers hold input starts through it (the cold-start lease pool); after store_ and
  // health_, which its hooks use.
  AgentStartupGate startup_gate_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const policy::Policy> policy_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<ProviderRunner> providers_ ABSL_GUARDED_BY(mu_);
  std::vector<ProviderConfig> provider_configs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, OutputSlot> outputs_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<controller::InputManager> inputs_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<controller::Controller> controller_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<absl::Notification> controller_stop_ ABSL_GUARDED_BY(mu_);
  std::thread controller_thread_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<MonitoringServer> monitoring_ ABSL_GUARDED_BY(mu_);

  absl::Mutex request_mu_;
  bool stop_requested_ ABSL_GUARDED_BY(request_mu_) = false;
  int reloads_requested_ ABSL_GUARDED_BY(request_mu_) = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_DAEMON_AGENT_H_
