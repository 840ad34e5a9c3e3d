#include "agent/daemon/signal_watcher.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

namespace gatehouse {
namespace {

// SIGUSR2 is private to the watcher: its destructor sends it to end the thread.
sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(Callbacks callbacks) : callbacks_(std::move(callbacks)) {
  BlockTerminationSignals();
  thread_ = std::thread([this] {
    const sigset_t set = WatchedSignals();
    for (;;) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) continue;
      if (signal == SIGUSR2) return;
      if (signal == SIGHUP) {
        if (callbacks_.on_reload) callbacks_.on_reload();
      } else if (callbacks_.on_stop) {
        callbacks_.on_stop(signal);
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

}  // namespace gatehouse
