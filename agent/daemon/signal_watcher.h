// Turns SIGTERM/SIGINT (stop) and SIGHUP (reload) into calls on a dedicated thread, so the
// agent reacts to signals with ordinary code instead of async-signal-safe handlers.
//
// BlockTerminationSignals() must run in main() before any thread starts: every thread then
// inherits the mask and only the watcher receives the signals (through sigwait).
//
// Thread contract: thread-compatible; the callbacks run on the watcher's thread.
#ifndef GATEHOUSE_AGENT_DAEMON_SIGNAL_WATCHER_H_
#define GATEHOUSE_AGENT_DAEMON_SIGNAL_WATCHER_H_

#include <functional>
#include <thread>

namespace gatehouse {

void BlockTerminationSignals();

class SignalWatcher {
 public:
  struct Callbacks {
    std::function<void(int signal)> on_stop;  // SIGTERM or SIGINT
    std::function<void()> on_reload;          // SIGHUP
  };
  explicit SignalWatcher(Callbacks callbacks);
  // Stops the watcher thread.
  ~SignalWatcher();

  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  Callbacks callbacks_;
  std::thread thread_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_DAEMON_SIGNAL_WATCHER_H_
