#include "agent/daemon/startup_gate.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/logging.h"

namespace gatehouse {

AgentStartupGate::AgentStartupGate(Hooks hooks, absl::Duration poll)
    : hooks_(std::move(hooks)), poll_(poll) {}

AgentStartupGate::~AgentStartupGate() {
  std::thread waiter;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    waiter = std::move(waiter_);
  }
  if (waiter.joinable()) waiter.join();
}

void AgentStartupGate::HoldInputStarts(absl::string_view holder, bool hold) {
  bool opened = false;
  {
    absl::MutexLock lock(&mu_);
    const bool was_held = !holders_.empty();
    if (hold) {
      holders_.insert(std::string(holder));
    } else {
      holders_.erase(std::string(holder));
    }
    if (!was_held && !holders_.empty()) {
      GH_LOG_INFO("input starts held by {}", std::string(holder));
    }
    if (was_held && holders_.empty()) {
      opened = true;
      reconciled_since_open_ = false;
      started_.clear();
      GH_LOG_INFO("input starts released by {}: {} held input(s) start now", std::string(holder),
                  pending_.size());
    }
  }
  if (opened && hooks_.opened) hooks_.opened();
}

absl::Status AgentStartupGate::MayStart(const std::string& id) {
  absl::MutexLock lock(&mu_);
  if (holders_.empty()) return absl::OkStatus();
  pending_.insert(id);
  return absl::UnavailableError(absl::StrCat("waiting for the start-up gate (held by ",
                                             absl::StrJoin(holders_, ", "), ")"));
}

void AgentStartupGate::Started(const std::string& id) {
  absl::MutexLock lock(&mu_);
  pending_.erase(id);
  started_.insert(id);
}

void AgentStartupGate::Stopped(const std::string& id) {
  absl::MutexLock lock(&mu_);
  started_.erase(id);
}

void AgentStartupGate::Reconciled() {
  absl::MutexLock lock(&mu_);
  if (!holders_.empty()) return;
  // Every pending copy was tried: those that did not start are off now, or failed for a reason
  // of their own.
  pending_.clear();
  reconciled_since_open_ = true;
}

bool AgentStartupGate::held() const {
  absl::MutexLock lock(&mu_);
  return !holders_.empty();
}

bool AgentStartupGate::FirstCollectionsDoneLocked() const {
  if (!holders_.empty() || !reconciled_since_open_) return false;
  for (const std::string& id : started_) {
    if (!hooks_.collected || !hooks_.collected(id)) return false;
  }
  return true;
}

void AgentStartupGate::NotifyWhenFirstCollectionsDone(std::function<void()> done) {
  absl::MutexLock lock(&mu_);
  waiting_.push_back(std::move(done));
  if (!waiter_.joinable()) waiter_ = std::thread([this] { WaitForFirstCollections(); });
}

void AgentStartupGate::WaitForFirstCollections() {
  while (true) {
    std::vector<std::function<void()>> ready;
    {
      absl::MutexLock lock(&mu_);
      // Polled: collections are counted by InputHealth, which does not call back.
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll_);
      if (stopping_) return;
      if (!waiting_.empty() && FirstCollectionsDoneLocked()) ready.swap(waiting_);
    }
    for (auto& done : ready) done();
  }
}

}  // namespace gatehouse
