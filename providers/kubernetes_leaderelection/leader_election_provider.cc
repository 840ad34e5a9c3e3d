#include "providers/kubernetes_leaderelection/leader_election_provider.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "kube/kube_errors.h"

namespace gatehouse::providers {
namespace {

std::string StringOption(const Value& options, absl::string_view key, std::string fallback) {
  const Value* v = options.Find(key);
  return v != nullptr && v->is_string() && !v->as_string().empty() ? v->as_string() : fallback;
}

// A duration option: int milliseconds after ApplyOptions; a Go-style duration text ("15s") is
// read too, so an unconverted default still works.
absl::StatusOr<absl::Duration> DurationOption(const Value& options, absl::string_view key,
                                              absl::Duration fallback) {
  const Value* v = options.Find(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_int()) return absl::Milliseconds(v->as_int());
  absl::Duration parsed;
  if (v->is_string() && absl::ParseDuration(v->as_string(), &parsed)) return parsed;
  return absl::InvalidArgumentError(
      absl::StrCat("provider 'kubernetes_leaderelection': option '", key, "' must be a duration"));
}

}  // namespace

absl::StatusOr<LeaderElectionSettings> ParseLeaderElectionOptions(const Value& options,
                                                                  const ProviderContext& context) {
  LeaderElectionSettings settings;
  settings.lease_name = StringOption(options, "leader_lease", settings.lease_name);
  auto lease = DurationOption(options, "leader_leaseduration", absl::Seconds(15));
  auto renew = DurationOption(options, "leader_renewdeadline", absl::Seconds(10));
  auto retry = DurationOption(options, "leader_retryperiod", absl::Seconds(2));
  for (const auto* d : {&lease, &renew, &retry}) {
    if (!d->ok()) return d->status();
  }
  settings.elector.lease_duration = *lease;
  settings.elector.renew_deadline = *renew;
  settings.elector.retry_period = *retry;
  const char* pod = std::getenv("POD_NAME");
  const std::string default_identity = pod != nullptr && *pod != '\0'
                                           ? absl::StrCat("gatehouse-leader-", pod)
                                           : context.agent_id;
  settings.elector.identity = StringOption(options, "identity", default_identity);
  const std::string follower = StringOption(options, "follower_mode", "watch");
  if (follower != "poll" && follower != "watch") {
    return absl::InvalidArgumentError(absl::StrCat(
        "provider 'kubernetes_leaderelection': follower_mode '", follower,
        "' is not one of poll, watch"));
  }
  settings.elector.follower_mode =
      follower == "watch" ? kube::FollowerMode::kWatch : kube::FollowerMode::kPoll;
  absl::Status valid = kube::ValidateElectorConfig(settings.elector);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("provider 'kubernetes_leaderelection': ", valid.message()));
  }
  kube::LeaseBackendOptions& backend = settings.backend;
  backend.backend = StringOption(options, "backend", "kubernetes");
  backend.kube_config = StringOption(options, "kube_config", "");
  backend.namespace_name = StringOption(options, "namespace", "");
  backend.lease_dir = StringOption(
      options, "lease_dir",
      absl::StrCat(context.data_path.empty() ? "/tmp/gatehouse" : context.data_path, "/leases"));
  if (const Value* client = options.Find("kube_client_options"); client != nullptr) {
    if (const Value* qps = client->Find("qps"); qps != nullptr && qps->is_number()) {
      backend.qps = qps->as_number();
    }
    if (const Value* burst = client->Find("burst"); burst != nullptr && burst->is_int()) {
      backend.burst = static_cast<int>(burst->as_int());
    }
  }
  // One hung request must not eat the renew deadline.
  backend.request_timeout = settings.elector.renew_deadline / 2;
  backend.clock = context.clock;
  return settings;
}

LeaderElectionProvider::LeaderElectionProvider(LeaderElectionSettings settings, Clock* clock)
    : settings_(std::move(settings)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<LeaderElectionProvider>> LeaderElectionProvider::Create(
    LeaderElectionSettings settings, Clock* clock) {
  std::unique_ptr<LeaderElectionProvider> provider(
      new LeaderElectionProvider(std::move(settings), clock));
  auto backend = kube::LeaseBackend::Create(provider->settings_.backend);
  if (!backend.ok()) {
    return absl::Status(backend.status().code(),
                        absl::StrCat("provider 'kubernetes_leaderelection': ",
                                     backend.status().message()));
  }
  provider->backend_ = std::move(*backend);
  auto lock = provider->backend_->NewLock(provider->settings_.lease_name);
  if (!lock.ok()) return lock.status();
  provider->lock_ = std::move(*lock);
  provider->leader_gauge_ = MetricsRegistry::Global().GetGauge(
      "gatehouse_leader_election_is_leader", "1 while this agent leads the lease",
      {{"lease", provider->lock_->Describe()}});
  return provider;
}

LeaderElectionProvider::~LeaderElectionProvider() { Stop(); }

void LeaderElectionProvider::Publish() {
  if (sink_ == nullptr) return;
  sink_->Publish(Value::Map{{"leader", Value(leader_)},
                            {"holder", Value(holder_)},
                            {"identity", Value(settings_.elector.identity)}});
}

void LeaderElectionProvider::OnError(const absl::Status& error) {
  std::string text(error.message());
  {
    absl::MutexLock lock(&mu_);
    if (text == last_error_) return;  // one line per new problem, not one per retry
    last_error_ = text;
  }
  const std::string where = lock_->Describe();
  if (error.code() == absl::StatusCode::kPermissionDenied) {
    GH_LOG_ERROR("{}", kube::ForbiddenLeasesHelp(error, lock_->lease_namespace()));
  } else if (error.code() == absl::StatusCode::kUnauthenticated) {
    GH_LOG_ERROR("cannot access lease {}: {} (the token is missing, wrong or expired)", where,
                 text);
  } else {
    GH_LOG_WARN("lease {}: {}", where, text);
  }
}

absl::Status LeaderElectionProvider::Start(ProviderSink* sink) {
  {
    absl::MutexLock lock(&mu_);
    if (sink_ != nullptr) return absl::OkStatus();
    sink_ = sink;
    Publish();  // leader: false from the start
  }
  const std::string where = lock_->Describe();
  kube::ElectorCallbacks callbacks;
  callbacks.on_started_leading = [this, where] {
    GH_LOG_INFO("became leader of lease {}", where);
    leader_gauge_->Set(1);
    absl::MutexLock lock(&mu_);
    leader_ = true;
    Publish();
  };
  callbacks.on_stopped_leading = [this, where](const std::string& reason) {
    {
      absl::MutexLock lock(&mu_);
      leader_ = false;
      Publish();
    }
    leader_gauge_->Set(0);
    GH_LOG_WARN("lost leadership of lease {}: {}", where, reason);
  };
  callbacks.on_holder_changed = [this](const std::string& holder) {
    if (!holder.empty() && holder != settings_.elector.identity) {
      GH_LOG_INFO("new leader observed: {}", holder);
    }
    absl::MutexLock lock(&mu_);
    holder_ = holder;
    last_error_.clear();
    Publish();
  };
  callbacks.on_error = [this](const absl::Status& error) { OnError(error); };
  auto elector = kube::LeaderElector::Create(settings_.elector, lock_.get(), callbacks, clock_);
  if (!elector.ok()) return elector.status();
  elector_ = std::move(*elector);
  elector_->Start();
  return absl::OkStatus();
}

void LeaderElectionProvider::Stop() {
  if (elector_ != nullptr) elector_->Stop();  // steps down (publishes false), then releases
}

}  // namespace gatehouse::providers
