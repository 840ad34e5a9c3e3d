#include "providers/kubernetes_leasepool/lease_pool_provider.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "providers/kubernetes_leaderelection/leader_election_provider.h"

namespace gatehouse::providers {
namespace {

constexpr char kGateHolder[] = "kubernetes_leasepool";

int IntAt(const Value& options, absl::string_view path, int fallback) {
  const Value* v = options.FindPath(path);
  return v != nullptr && v->is_int() ? static_cast<int>(v->as_int()) : fallback;
}

}  // namespace

absl::StatusOr<LeasePoolSettings> ParseLeasePoolOptions(const Value& options,
                                                        const ProviderContext& context) {
  const char* node = std::getenv("NODE_NAME");
  std::string holder = node != nullptr && *node != '\0' ? node : context.agent_id;
  if (const Value* v = options.Find("node_name"); v != nullptr && v->is_string() &&
                                                  !v->as_string().empty()) {
    holder = v->as_string();
  }
  // Timings and back-end options are the leader election provider's; the identity is the node.
  Value::Map with_identity = options.is_map() ? options.as_map() : Value::Map{};
  with_identity["identity"] = Value(holder);
  absl::StatusOr<LeaderElectionSettings> common =
      ParseLeaderElectionOptions(Value(std::move(with_identity)), context);
  if (!common.ok()) {
    std::string message(common.status().message());
    const std::string from = "provider 'kubernetes_leaderelection'";
    if (message.rfind(from, 0) == 0) {
      message = "provider 'kubernetes_leasepool'" + message.substr(from.size());
    }
    return absl::Status(common.status().code(), message);
  }
  LeasePoolSettings settings;
  settings.elector = common->elector;
  settings.backend = common->backend;
  settings.cold_start_count = IntAt(options, "pools.cold_start.count", 10);
  settings.delegation_count = IntAt(options, "pools.delegation.count", 2);
  if (const Value* hold = options.FindPath("pools.cold_start.max_hold"); hold != nullptr) {
    absl::Duration parsed;
    if (hold->is_int()) {
      settings.cold_start_max_hold = absl::Milliseconds(hold->as_int());
    } else if (hold->is_string() && absl::ParseDuration(hold->as_string(), &parsed)) {
      settings.cold_start_max_hold = parsed;
    } else {
      return absl::InvalidArgumentError(
          "provider 'kubernetes_leasepool': pools.cold_start.max_hold must be a duration");
    }
  }
  if (settings.cold_start_count < 0 || settings.delegation_count < 0) {
    return absl::InvalidArgumentError(
        "provider 'kubernetes_leasepool': pool counts must not be negative");
  }
  settings.holder = holder;
  settings.elector.identity = holder;
  return settings;
}

LeasePoolProvider::LeasePoolProvider(LeasePoolSettings settings, Clock* clock, StartupGate* gate)
    : settings_(std::move(settings)), clock_(clock), gate_(gate) {}

absl::StatusOr<std::unique_ptr<LeasePoolProvider>> LeasePoolProvider::Create(
    LeasePoolSettings settings, Clock* clock, StartupGate* gate) {
  std::unique_ptr<LeasePoolProvider> provider(
      new LeasePoolProvider(std::move(settings), clock, gate));
  auto backend = kube::LeaseBackend::Create(provider->settings_.backend);
  if (!backend.ok()) {
    return absl::Status(backend.status().code(), absl::StrCat("provider 'kubernetes_leasepool': ",
                                                              backend.status().message()));
  }
  provider->backend_ = std::move(*backend);
  absl::Status status = provider->BuildPool(&provider->cold_, "cold-start",
                                            provider->settings_.cold_start_count);
  if (status.ok()) {
    status = provider->BuildPool(&provider->delegation_, "delegation",
                                 provider->settings_.delegation_count);
  }
  if (!status.ok()) return status;
  return provider;
}

absl::Status LeasePoolProvider::BuildPool(Pool* pool, const std::string& prefix, int count) {
  pool->prefix = prefix;
  for (int i = 0; i < count; ++i) {
    auto lock = backend_->NewLock(absl::StrCat(prefix, "-", i));
    if (!lock.ok()) return lock.status();
    kube::ElectorConfig config = settings_.elector;
    config.may_acquire = [this, pool, i] {
      absl::MutexLock lock(&mu_);
      return !stopping_ && (pool->held < 0 || pool->held == i);
    };
    kube::ElectorCallbacks callbacks;
    callbacks.on_started_leading = [this, pool, i] { Won(pool, i); };
    callbacks.on_stopped_leading = [this, pool, i](const std::string&) { Lost(pool, i); };
    auto elector = kube::LeaderElector::Create(config, lock->get(), callbacks, clock_);
    if (!elector.ok()) return elector.status();
    pool->locks.push_back(std::move(*lock));
    pool->electors.push_back(std::move(*elector));
  }
  return absl::OkStatus();
}

LeasePoolProvider::~LeasePoolProvider() { Stop(); }

void LeasePoolProvider::Publish() {
  if (sink_ == nullptr) return;
  const bool delegated = delegation_.held >= 0;
  sink_->Publish(Value::Map{
      {"cold_start", Value(Value::Map{{"state", Value(cold_state_)}})},
      {"delegation",
       Value(Value::Map{{"held", Value(delegated)},
                        {"lease", Value(delegated ? absl::StrCat(delegation_.prefix, "-",
                                                                 delegation_.held)
                                                  : std::string())}})},
      {"holder", Value(settings_.holder)}});
}

void LeasePoolProvider::Won(Pool* pool, int index) {
  const std::string lease = absl::StrCat(backend_->lease_namespace(), "/", pool->prefix, "-", index);
  bool resign = false;
  {
    absl::MutexLock lock(&mu_);
    if (pool->held >= 0 && pool->held != index) {
      resign = true;  // we already hold one of this pool: keep the first
    } else {
      pool->held = index;
      if (pool == &cold_) {
        if (cold_state_ == "waiting") cold_state_ = "held";
        cold_won_ = true;
      }
      Publish();
    }
  }
  if (resign) {
    pool->electors[index]->Resign();
    return;
  }
  GH_LOG_INFO("became holder of lease {}", lease);
}

void LeasePoolProvider::Lost(Pool* pool, int index) {
  absl::MutexLock lock(&mu_);
  if (pool->held != index) return;
  pool->held = -1;
  Publish();
}

absl::Status LeasePoolProvider::Start(ProviderSink* sink) {
  if (started_) return absl::OkStatus();
  started_ = true;
  {
    absl::MutexLock lock(&mu_);
    sink_ = sink;
    if (cold_.electors.empty()) cold_state_ = "done";
    Publish();
  }
  if (!cold_.electors.empty()) {
    if (gate_ == nullptr) {
      GH_LOG_WARN(
          "kubernetes_leasepool: this agent gives providers no startup gate, so inputs start "
          "without waiting for a cold-start lease; the lease is taken and released at once");
    }
    if (gate_ != nullptr) gate_->HoldInputStarts(kGateHolder, true);
    coordinator_ = std::thread([this] { ColdStartCoordinator(); });
    for (auto& elector : cold_.electors) elector->Start();
  }
  for (auto& elector : delegation_.electors) elector->Start();
  return absl::OkStatus();
}

void LeasePoolProvider::ColdStartCoordinator() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &LeasePoolProvider::ColdWonOrStopping));
    if (stopping_) return;
  }
  if (gate_ != nullptr) {
    gate_->HoldInputStarts(kGateHolder, false);
    gate_->NotifyWhenFirstCollectionsDone([this] {
      if (!cold_finished_.HasBeenNotified()) cold_finished_.Notify();
    });
  } else if (!cold_finished_.HasBeenNotified()) {
    cold_finished_.Notify();  // nothing to wait for
  }
  const bool timed_out =
      clock_->SleepUntil(clock_->MonotonicNow() + settings_.cold_start_max_hold, &cold_finished_);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    cold_state_ = "done";
    Publish();  // done before the lease goes back
  }
  GH_LOG_INFO("cold start done ({}): releasing the cold-start lease",
              timed_out           ? "max_hold reached"
              : gate_ == nullptr  ? "no startup gate to wait for"
                                  : "first collections done");
  for (auto& elector : cold_.electors) elector->Stop();  // the holder releases
}

void LeasePoolProvider::Stop() {
  if (!started_) return;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (!cold_finished_.HasBeenNotified()) cold_finished_.Notify();
  if (coordinator_.joinable()) coordinator_.join();
  for (auto& elector : cold_.electors) elector->Stop();
  for (auto& elector : delegation_.electors) elector->Stop();
  if (gate_ != nullptr) gate_->HoldInputStarts(kGateHolder, false);
}

}  // namespace gatehouse::providers
