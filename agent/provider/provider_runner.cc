#include "agent/provider/provider_runner.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "common/logging.h"

namespace gatehouse {

// One provider. Every field but the first three is guarded by the runner's mu_ (entries live in
// entries_, which is ABSL_GUARDED_BY(mu_); the analysis cannot follow the pointer).
struct ProviderRunner::Entry {
  std::string name;
  const ProviderFactory* factory = nullptr;
  Value options;  // after ApplyOptions

  std::unique_ptr<ProviderSink> sink;  // outlives `provider`
  std::unique_ptr<Provider> provider;
  ProviderState::Phase phase = ProviderState::Phase::kStopped;
  absl::Status last_error;
  int restarts = 0;
  int instance = 0;  // which instance is current: a late Fail from an older one is ignored
  absl::Time started_at;
  absl::Duration backoff;
  absl::Time next_restart = absl::InfinitePast();
  bool fail_pending = false;
  absl::Status pending_error;
};

absl::string_view ProviderPhaseName(ProviderState::Phase phase) {
  switch (phase) {
    case ProviderState::Phase::kStopped:
      return "stopped";
    case ProviderState::Phase::kRunning:
      return "running";
    case ProviderState::Phase::kFailed:
      return "failed";
  }
  return "unknown";
}

absl::StatusOr<ProviderSelection> SelectProviders(const Value& providers_section,
                                                  const std::set<std::string>& referenced) {
  if (!providers_section.is_null() && !providers_section.is_map()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'providers' must be a map, got ", providers_section.type_name()));
  }
  const auto& registry = Registry<ProviderFactory>::Global();
  ProviderSelection selection;
  std::set<std::string> configured;
  if (providers_section.is_map()) {
    for (const auto& [name, config] : providers_section.as_map()) {
      configured.insert(name);
      if (!config.is_null() && !config.is_map()) {
        return absl::InvalidArgumentError(absl::StrCat("provider '", name,
                                                       "': its section must be a map, got ",
                                                       config.type_name()));
      }
      bool enabled = true;
      Value::Map options = config.is_map() ? config.as_map() : Value::Map{};
      if (auto it = options.find("enabled"); it != options.end()) {
        if (!it->second.is_bool()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "provider '", name, "': option 'enabled' must be a bool, got ",
              it->second.type_name()));
        }
        enabled = it->second.as_bool();
        options.erase(it);
      }
      if (registry.Find(name) == nullptr) {
        selection.unknown.push_back(name);
        continue;
      }
      if (enabled) selection.run.push_back({name, Value(std::move(options))});
    }
  }
  for (const std::string& name : referenced) {
    if (configured.count(name) > 0 || registry.Find(name) == nullptr) continue;
    selection.run.push_back({name, Value()});
  }
  std::sort(selection.run.begin(), selection.run.end(),
            [](const ProviderConfig& a, const ProviderConfig& b) { return a.name < b.name; });
  return selection;
}

absl::StatusOr<std::unique_ptr<ProviderRunner>> ProviderRunner::Create(
    VariableStore* store, std::vector<ProviderConfig> providers, ProviderContext context,
    ProviderRunnerOptions options) {
  std::unique_ptr<ProviderRunner> runner(new ProviderRunner(store, context, options));
  const auto& registry = Registry<ProviderFactory>::Global();
  absl::MutexLock lock(&runner->mu_);
  for (ProviderConfig& config : providers) {
    const ProviderFactory* factory = registry.Find(config.name);
    if (factory == nullptr) {
      std::vector<std::string> names;
      for (const ProviderFactory* f : registry.List()) names.emplace_back(f->name());
      return absl::NotFoundError(absl::StrCat("unknown provider '", config.name,
                                              "' (registered: ", absl::StrJoin(names, ", "), ")"));
    }
    absl::StatusOr<Value> applied =
        ApplyOptions(config.options, factory->options(), absl::StrCat("provider '", config.name, "'"));
    if (!applied.ok()) return applied.status();
    auto entry = std::make_unique<Entry>();
    entry->name = config.name;
    entry->factory = factory;
    entry->options = *std::move(applied);
    entry->backoff = options.initial_backoff;
    runner->entries_.push_back(std::move(entry));
  }
  return runner;
}

ProviderRunner::ProviderRunner(VariableStore* store, ProviderContext context,
                               ProviderRunnerOptions options)
    : store_(store), context_(std::move(context)), options_(options) {}

ProviderRunner::~ProviderRunner() { Stop(); }

absl::Status ProviderRunner::Start() {
  std::vector<Entry*> entries;
  {
    absl::MutexLock lock(&mu_);
    if (started_) return absl::FailedPreconditionError("provider runner already started");
    started_ = true;
    for (auto& entry : entries_) entries.push_back(entry.get());
  }
  for (Entry* entry : entries) Launch(entry);
  supervisor_ = std::thread([this] { Supervise(); });
  return absl::OkStatus();
}

void ProviderRunner::Launch(Entry* entry) {
  int instance;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    instance = ++entry->instance;
  }
  std::unique_ptr<ProviderSink> sink = store_->NewSink(
      entry->name, entry->factory->kind(),
      [this, entry, instance](absl::Status status) { OnFail(entry, instance, std::move(status)); });
  std::unique_ptr<Provider> provider;
  absl::Status status;
  absl::StatusOr<std::unique_ptr<Provider>> created =
      entry->factory->Create(entry->options, context_);
  if (created.ok()) {
    provider = *std::move(created);
    status = provider->Start(sink.get());
    if (!status.ok()) {
      provider->Stop();
      provider.reset();
    }
  } else {
    status = created.status();
  }
  absl::MutexLock lock(&mu_);
  if (status.ok()) {
    entry->sink = std::move(sink);
    entry->provider = std::move(provider);
    entry->phase = ProviderState::Phase::kRunning;
    entry->started_at = context_.clock->MonotonicNow();
    GH_LOG_INFO("provider {} started", entry->name);
  } else {
    MarkFailedLocked(entry, status);
  }
}

void ProviderRunner::MarkFailedLocked(Entry* entry, absl::Status status) {
  const absl::Time now = context_.clock->MonotonicNow();
  if (entry->phase == ProviderState::Phase::kRunning &&
      now - entry->started_at >= options_.reset_backoff_after) {
    entry->backoff = options_.initial_backoff;
  }
  entry->phase = ProviderState::Phase::kFailed;
  entry->next_restart = now + entry->backoff;
  GH_LOG_WARN("provider {} failed: {}; restarting in {}", entry->name, status.ToString(),
              absl::FormatDuration(entry->backoff));
  entry->last_error = std::move(status);
  entry->backoff = std::min(entry->backoff * 2, options_.max_backoff);
}

void ProviderRunner::OnFail(Entry* entry, int instance, absl::Status status) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || instance != entry->instance || entry->phase != ProviderState::Phase::kRunning) {
    return;
  }
  entry->fail_pending = true;
  entry->pending_error = std::move(status);
  failure_pending_ = true;
  WakeSupervisorLocked();
}

void ProviderRunner::WakeSupervisorLocked() {
  if (wake_ && !wake_->HasBeenNotified()) wake_->Notify();
}

void ProviderRunner::Supervise() {
  mu_.Lock();
  while (!stopping_) {
    // 1. Stop the instances that reported a failure (outside the lock: Stop waits for them).
    std::vector<std::pair<std::unique_ptr<Provider>, std::unique_ptr<ProviderSink>>> failed;
    for (auto& entry : entries_) {
      if (!entry->fail_pending) continue;
      entry->fail_pending = false;
      failed.emplace_back(std::move(entry->provider), std::move(entry->sink));
      MarkFailedLocked(entry.get(), entry->pending_error);
    }
    failure_pending_ = false;
    if (!failed.empty()) {
      mu_.Unlock();
      for (auto& [provider, sink] : failed) {
        if (provider) provider->Stop();
      }
      failed.clear();
      mu_.Lock();
      continue;
    }
    // 2. Restart one provider whose back-off is over.
    const absl::Time now = context_.clock->MonotonicNow();
    Entry* due = nullptr;
    absl::Time next = absl::InfiniteFuture();
    for (auto& entry : entries_) {
      if (entry->phase != ProviderState::Phase::kFailed) continue;
      if (entry->next_restart <= now) {
        due = entry.get();
        break;
      }
      next = std::min(next, entry->next_restart);
    }
    if (due != nullptr) {
      ++due->restarts;
      due->phase = ProviderState::Phase::kStopped;
      mu_.Unlock();
      Launch(due);
      mu_.Lock();
      continue;
    }
    // 3. Wait for a failure, Stop, or the next restart time.
    if (next == absl::InfiniteFuture()) {
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || failure_pending_;
      };
      mu_.Await(absl::Condition(&woken));
      continue;
    }
    auto wake = std::make_shared<absl::Notification>();
    wake_ = wake;
    if (failure_pending_) {
      wake_.reset();
      continue;
    }
    mu_.Unlock();
    context_.clock->SleepUntil(next, wake.get());
    mu_.Lock();
    wake_.reset();
  }
  mu_.Unlock();
}

void ProviderRunner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    WakeSupervisorLocked();
  }
  if (supervisor_.joinable()) supervisor_.join();
  std::vector<std::pair<std::unique_ptr<Provider>, std::unique_ptr<ProviderSink>>> running;
  {
    absl::MutexLock lock(&mu_);
    for (auto& entry : entries_) {
      running.emplace_back(std::move(entry->provider), std::move(entry->sink));
      entry->phase = ProviderState::Phase::kStopped;
    }
  }
  for (auto& [provider, sink] : running) {
    if (provider) provider->Stop();
  }
}

std::vector<ProviderState> ProviderRunner::States() const {
  absl::MutexLock lock(&mu_);
  std::vector<ProviderState> states;
  for (const auto& entry : entries_) {
    ProviderState state;
    state.name = entry->name;
    state.kind = entry->factory->kind();
    state.phase = entry->phase;
    state.last_error = entry->last_error;
    state.restarts = entry->restarts;
    state.next_restart = entry->next_restart;
    states.push_back(std::move(state));
  }
  return states;
}

Value ProviderRunner::StatesToValue() const {
  Value::List list;
  for (const ProviderState& state : States()) {
    list.push_back(Value(Value::Map{
        {"name", state.name},
        {"kind", state.kind == ProviderFactory::Kind::kContext ? "context" : "dynamic"},
        {"state", ProviderPhaseName(state.phase)},
        {"error", state.last_error.ok() ? Value() : Value(std::string(state.last_error.message()))},
        {"restarts", state.restarts}}));
  }
  return Value(std::move(list));
}

}  // namespace gatehouse
