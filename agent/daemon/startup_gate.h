// The agent's start-up gate. Providers hold input starts through it (the cold-start lease pool
// holds them until it wins a cold-start Lease) and learn when the inputs that started once it
// opened have each completed a first successful collection (then the Lease goes back).
//
// It sits between the providers and the InputManager: the manager asks it before every start;
// a held start is remembered as pending and tried again at the reconcile that opening the gate
// asks for. "First collections done" means: the gate is open, a reconcile has run since it
// opened (every pending copy was tried again), and every copy started since it opened has
// collected successfully (or stopped).
//
// Thread contract: thread-safe. The waiter thread (started by the first
// NotifyWhenFirstCollectionsDone) ends in the destructor.
#ifndef GATEHOUSE_AGENT_DAEMON_STARTUP_GATE_H_
#define GATEHOUSE_AGENT_DAEMON_STARTUP_GATE_H_

#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/controller/input_manager.h"
#include "agent/provider/provider.h"

namespace gatehouse {

class AgentStartupGate final : public StartupGate,
                               public controller::InputManager::StartGate {
 public:
  struct Hooks {
    // The gate opened: held copies must be tried again (the agent marks everything changed).
    std::function<void()> opened;
    // Copy `id` has completed at least one successful collection (InputHealth).
    std::function<bool(const std::string& id)> collected;
  };
  explicit AgentStartupGate(Hooks hooks, absl::Duration poll = absl::Milliseconds(100));
  ~AgentStartupGate() override;
  AgentStartupGate(const AgentStartupGate&) = delete;
  AgentStartupGate& operator=(const AgentStartupGate&) = delete;

  // StartupGate (providers).
  void HoldInputStarts(absl::string_view holder, bool hold) override ABSL_LOCKS_EXCLUDED(mu_);
  void NotifyWhenFirstCollectionsDone(std::function<void()> done) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // InputManager::StartGate (the controller's thread).
  absl::Status MayStart(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  void Started(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  void Stopped(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);

  // After every controller Apply: pending copies have been tried again.
  void Reconciled() ABSL_LOCKS_EXCLUDED(mu_);

  bool held() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  bool FirstCollectionsDoneLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WaitForFirstCollections();

  const Hooks hooks_;
  const absl::Duration poll_;
  mutable absl::Mutex mu_;
  std::set<std::string> holders_ ABSL_GUARDED_BY(mu_);
  // Copies whose start was held; tried again once the gate opens.
  std::set<std::string> pending_ ABSL_GUARDED_BY(mu_);
  // Copies started since the gate last opened, still running.
  std::set<std::string> started_ ABSL_GUARDED_BY(mu_);
  bool reconciled_since_open_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<std::function<void()>> waiting_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread waiter_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_DAEMON_STARTUP_GATE_H_
