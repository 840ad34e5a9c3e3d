#include "agent/daemon/agent.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "agent/input/input.h"
#include "agent/output/output.h"
#include "agent/policy/loader.h"
#include "agent/policy/substitution.h"
#include "agent/provider/provider.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "agent/version.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace gatehouse {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// GATEHOUSE_AGENT_ID, else the id kept in the data folder, else the host name (then kept).
std::string AgentId(const std::string& data_path) {
  if (const char* env = std::getenv("GATEHOUSE_AGENT_ID"); env != nullptr && *env != '\0') {
    return env;
  }
  const std::filesystem::path file = std::filesystem::path(data_path) / "agent.id";
  std::ifstream in(file);
  std::string id;
  if (in && std::getline(in, id) && !id.empty()) return id;
  id = HostName();
  std::ofstream(file) << id << "\n";
  return id;
}

// Namespaces that `${...}` references in `value` name (for outputs: which providers they need).
void CollectNamespaces(const Value& value, absl::string_view default_provider,
                       std::set<std::string>* out) {
  if (value.is_string()) {
    absl::string_view text = value.as_string();
    for (size_t at = text.find("${"); at != absl::string_view::npos; at = text.find("${", at + 2)) {
      if (at > 0 && text[at - 1] == '$') continue;  // $${ is an escape
      const size_t end = text.find_first_of(".}|:", at + 2);
      if (end == absl::string_view::npos) break;
      std::string name(absl::StripAsciiWhitespace(text.substr(at + 2, end - at - 2)));
      out->insert(text[end] == '.' ? name : std::string(default_provider));
    }
  } else if (value.is_list()) {
    for (const Value& item : value.as_list()) CollectNamespaces(item, default_provider, out);
  } else if (value.is_map()) {
    for (const auto& [key, item] : value.as_map()) CollectNamespaces(item, default_provider, out);
  }
}

// Reads `env.<NAME>` slots straight from the process environment: provider options are
// rendered before any provider (the env provider included) has published.
class EnvironmentReader final : public conditions::VariableReader {
 public:
  explicit EnvironmentReader(const VariableStore* store) : store_(store) {}
  const Value* Read(conditions::Slot slot) const override {
    auto cached = values_.find(slot);
    if (cached != values_.end()) return cached->second.is_null() ? nullptr : &cached->second;
    const std::string path = store_->PathOf(slot);
    Value value;
    if (absl::StartsWith(path, "env.")) {
      if (const char* text = std::getenv(path.c_str() + 4); text != nullptr) value = Value(text);
    }
    const Value& stored = values_.emplace(slot, std::move(value)).first->second;
    return stored.is_null() ? nullptr : &stored;
  }

 private:
  const VariableStore* const store_;
  mutable std::map<conditions::Slot, Value> values_;
};

bool IsDynamicProvider(absl::string_view name) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find(name);
  return factory != nullptr && factory->kind() == ProviderFactory::Kind::kDynamic;
}

}  // namespace

namespace {

AgentStartupGate::Hooks StartupGateHooks(VariableStore* store, const InputHealth* health) {
  AgentStartupGate::Hooks hooks;
  // Held copies are tried again by re-rendering everything.
  hooks.opened = [store] { store->MarkEverythingChanged(); };
  hooks.collected = [health](const std::string& id) {
    const Value record = health->ToValue(id);
    const Value* collections = record.Find("collections");
    return collections != nullptr && collections->is_int() && collections->as_int() > 0;
  };
  return hooks;
}

}  // namespace

Agent::Agent(AgentOptions options)
    : options_(std::move(options)), startup_gate_(StartupGateHooks(&store_, &health_)) {}

Agent::~Agent() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  if (options.data_path.empty()) options.data_path = "data";
  std::error_code error;
  std::filesystem::create_directories(options.data_path, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the data folder ", options.data_path, ": ", error.message()));
  }
  options.data_path = std::filesystem::absolute(options.data_path).string();
  std::unique_ptr<Agent> agent(new Agent(std::move(options)));
  agent->agent_id_ = AgentId(agent->options_.data_path);
  ASSIGN_OR_RETURN(std::shared_ptr<const policy::Policy> policy, agent->LoadPolicy());
  for (const std::string& warning : policy->warnings) GH_LOG_WARN("{}", warning);
  RETURN_IF_ERROR(agent->StartAll(std::move(policy)));
  return agent;
}

absl::StatusOr<std::shared_ptr<const policy::Policy>> Agent::LoadPolicy() const {
  policy::LoadOptions load;
  load.resolver = const_cast<VariableStore*>(&store_);
  load.force_strict = options_.strict;
  ASSIGN_OR_RETURN(policy::Policy loaded, policy::LoadPolicyFile(options_.policy_path, load));
  return std::make_shared<const policy::Policy>(std::move(loaded));
}

absl::Status Agent::StartAll(std::shared_ptr<const policy::Policy> policy) {
  absl::MutexLock lock(&mu_);
  GH_LOG_INFO("gatehouse {} starting: agent id {}, policy {}, data {}", kVersion, agent_id_,
              options_.policy_path, options_.data_path);
  ASSIGN_OR_RETURN(ProviderSelection selection, SelectProvidersFor(*policy));
  RETURN_IF_ERROR(StartProviders(std::move(selection)));
  RETURN_IF_ERROR(StartOutputs(*policy));
  RETURN_IF_ERROR(StartMonitoring(*policy));
  RETURN_IF_ERROR(StartController(policy));
  policy_ = std::move(policy);
  return absl::OkStatus();
}

absl::StatusOr<ProviderSelection> Agent::SelectProvidersFor(const policy::Policy& policy) const {
  std::set<std::string> referenced;
  for (const auto& input : policy.inputs) {
    referenced.insert(input.namespaces.begin(), input.namespaces.end());
  }
  for (const auto& [name, output] : policy.outputs) {
    CollectNamespaces(output, policy.default_provider, &referenced);
  }
  ASSIGN_OR_RETURN(Value section, RenderedProviderSection(policy));
  return SelectProviders(section, referenced);
}

absl::Status Agent::StartProviders(ProviderSelection selection) {
  ProviderContext context;
  context.agent_id = agent_id_;
  context.data_path = options_.data_path;
  context.startup_gate = &startup_gate_;
  std::vector<std::string> names;
  for (const auto& config : selection.run) names.push_back(config.name);
  provider_configs_ = selection.run;
  ASSIGN_OR_RETURN(providers_,
                   ProviderRunner::Create(&store_, std::move(selection.run), context));
  RETURN_IF_ERROR(providers_->Start());
  GH_LOG_INFO("providers running: {}", names.empty() ? "none" : absl::StrJoin(names, ", "));
  return absl::OkStatus();
}

absl::StatusOr<Value> Agent::RenderedProviderSection(const policy::Policy& policy) const {
  EnvironmentReader environment(&store_);
  Value::Map section;
  for (const auto& [name, spec] : policy.providers) {
    ASSIGN_OR_RETURN(section[name], RenderStatic(spec.raw_options, absl::StrCat("providers.", name),
                                                 policy.default_provider, &environment));
  }
  return Value(std::move(section));
}

absl::StatusOr<Value> Agent::RenderStatic(const Value& raw, absl::string_view where,
                                          absl::string_view default_provider,
                                          const conditions::VariableReader* reader) const {
  if (raw.is_string()) {
    const std::string& text = raw.as_string();
    if (text.find('$') == std::string::npos) return raw;
    policy::Position position;
    position.file = std::make_shared<const std::string>(options_.policy_path);
    ASSIGN_OR_RETURN(policy::ScalarTemplate scalar,
                     policy::ScalarTemplate::Parse(text, position, default_provider,
                                                   const_cast<VariableStore*>(&store_)));
    std::shared_ptr<const StoreSnapshot> snapshot = store_.Snapshot();
    Value out;
    std::string missing;
    if (!scalar.Render(reader != nullptr ? *reader : *snapshot, &out, &missing)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", missing, " has no value and no default"));
    }
    return out;
  }
  if (raw.is_list()) {
    Value::List items;
    for (size_t i = 0; i < raw.as_list().size(); ++i) {
      ASSIGN_OR_RETURN(Value item, RenderStatic(raw.as_list()[i], absl::StrCat(where, "[", i, "]"),
                                                 default_provider, reader));
      items.push_back(std::move(item));
    }
    return Value(std::move(items));
  }
  if (raw.is_map()) {
    Value::Map entries;
    for (const auto& [key, item] : raw.as_map()) {
      ASSIGN_OR_RETURN(entries[key], RenderStatic(item, absl::StrCat(where, ".", key), default_provider, reader));
    }
    return Value(std::move(entries));
  }
  return raw;
}

absl::Status Agent::StartOutputs(const policy::Policy& policy) {
  for (const auto& [name, raw] : policy.outputs) {
    OutputSlot slot;
    const Value* type = raw.Find("type");
    slot.type = type != nullptr && type->is_string() ? type->as_string() : "";
    const OutputFactory* factory = Registry<OutputFactory>::Global().Find(slot.type);
    if (factory == nullptr) {
      GH_LOG_WARN("output '{}' has type '{}', which this build does not implement; inputs that "
                  "use it will be reported as failed",
                  name, slot.type);
      outputs_.emplace(name, std::move(slot));
      continue;
    }
    Value::Map without_type = raw.as_map();
    without_type.erase("type");
    ASSIGN_OR_RETURN(Value rendered, RenderStatic(Value(std::move(without_type)),
                                                  absl::StrCat("outputs.", name),
                                                  policy.default_provider, nullptr));
    ASSIGN_OR_RETURN(Value options,
                     ApplyOptions(rendered, factory->options(), absl::StrCat("output '", name, "'")));
    ASSIGN_OR_RETURN(std::unique_ptr<Output> output, factory->Create(options));
    slot.options = options;
    slot.queue = std::make_unique<EventQueue>(options_.queue_capacity, name);
    OutputWorkerOptions worker_options;
    worker_options.name = name;
    ASSIGN_OR_RETURN(slot.worker,
                     OutputWorker::Create(std::move(output), slot.queue.get(), worker_options));
    slot.worker->Start();
    GH_LOG_INFO("output '{}' ({}) ready", name, slot.type);
    outputs_.emplace(name, std::move(slot));
  }
  return absl::OkStatus();
}

absl::StatusOr<controller::InputManager::InstanceWiring> Agent::Wire(
    const std::string& id, const controller::DesiredInput& input) {
  const Value* use_output = input.config.Find("use_output");
  const std::string output_name =
      use_output != nullptr && use_output->is_string() ? use_output->as_string() : "default";
  EventQueue* queue = nullptr;
  {
    // The InputManager's worker calls this while it starts an instance; outputs only change
    // after InputManager::StopAll has waited for the worker, so reading them here without mu_
    // (which a reload holds) is safe.
    auto it = outputs_.find(output_name);
    if (it == outputs_.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("input ", id, " uses output '", output_name, "', which is not defined"));
    }
    if (it->second.queue == nullptr) {
      return absl::UnimplementedError(absl::StrCat("input ", id, " uses output '", output_name,
                                                   "' of type '", it->second.type,
                                                   "', which this build does not implement"));
    }
    queue = it->second.queue.get();
  }
  PipelineConfig config;
  config.input_id = id;
  config.input_config = input.config;
  if (const Value* processors = input.config.Find("processors")) {
    config.input_processors = *processors;
  }
  config.agent = AgentInfo{agent_id_, kVersion, HostName()};
  config.queue = queue;
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline, Pipeline::Create(std::move(config)));
  controller::InputManager::InstanceWiring wiring;
  wiring.publisher = std::move(pipeline);
  wiring.observer = health_.ObserverFor(id);
  return wiring;
}

absl::Status Agent::StartController(std::shared_ptr<const policy::Policy> policy) {
  if (!inputs_) {
    inputs_ = std::make_unique<controller::InputManager>(
        &Registry<InputFactory>::Global(),
        [this](const std::string& id, const controller::DesiredInput& input)
            ABSL_NO_THREAD_SAFETY_ANALYSIS { return Wire(id, input); });
    inputs_->set_start_gate(&startup_gate_);
  }
  controller::ControllerOptions controller_options;
  controller_options.is_dynamic = IsDynamicProvider;
  controller_options.applied = [this] { startup_gate_.Reconciled(); };
  ASSIGN_OR_RETURN(controller_, controller::Controller::Create(policy, &store_, inputs_.get(),
                                                               controller_options));
  // Inputs the previous policy ran and this one does not want stop now (once the new
  // controller's first wants are acted on).
  std::set<std::string> keep;
  for (const auto& status : controller_->Statuses()) {
    if (status.state != controller::InputStatus::State::kStopped) keep.insert(status.id);
  }
  inputs_->RetainOnly(keep);
  controller_stop_ = std::make_unique<absl::Notification>();
  controller_thread_ = std::thread(
      [controller = controller_.get(), stop = controller_stop_.get()] { controller->Run(stop); });
  GH_LOG_INFO("{} input(s) running", inputs_->running_count());
  return absl::OkStatus();
}

absl::Status Agent::StartMonitoring(const policy::Policy& policy) {
  std::optional<MonitoringServer::Options> listen;
  if (options_.status_addr.has_value()) {
    ASSIGN_OR_RETURN(listen, ParseListenAddress(*options_.status_addr));
  } else if (const Value* http = policy.monitoring.FindPath("http"); http != nullptr) {
    const Value* enabled = http->Find("enabled");
    if (enabled != nullptr && enabled->is_bool() && enabled->as_bool()) {
      MonitoringServer::Options from_policy;
      if (const Value* host = http->Find("host"); host != nullptr && host->is_string()) {
        from_policy.host = host->as_string();
      }
      if (const Value* port = http->Find("port"); port != nullptr) {
        if (!port->is_int()) {
          return absl::InvalidArgumentError(absl::StrCat(
              options_.policy_path, ": agent.monitoring.http.port must be a port number"));
        }
        from_policy.port = static_cast<int>(port->as_int());
      }
      listen = from_policy;
    }
  }
  if (!listen.has_value()) return absl::OkStatus();
  MonitoringServer::Handlers handlers;
  handlers.status_json = [this] { return StatusJson(); };
  handlers.alive = [] { return true; };
  ASSIGN_OR_RETURN(monitoring_,
                   MonitoringServer::Start(*listen, handlers, &MetricsRegistry::Global()));
  GH_LOG_INFO("monitoring on http://{} (/status, /metrics, /liveness)", monitoring_->address());
  return absl::OkStatus();
}

void Agent::StopControllerLoop() {
  if (controller_stop_) controller_stop_->Notify();
  store_.WakeWaiters();
  if (controller_thread_.joinable()) controller_thread_.join();
}

absl::Status Agent::Run() {
  for (;;) {
    int reloads = 0;
    {
      absl::MutexLock lock(&request_mu_);
      auto requested = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(request_mu_) {
        return stop_requested_ || reloads_requested_ > 0;
      };
      request_mu_.Await(absl::Condition(&requested));
      if (stop_requested_) break;
      reloads = reloads_requested_;
      reloads_requested_ = 0;
    }
    if (reloads > 0) Reload();
  }
  absl::Notification done;
  std::thread shutdown([this, &done] {
    Shutdown();
    done.Notify();
  });
  if (!done.WaitForNotificationWithTimeout(options_.shutdown_timeout)) {
    shutdown.detach();
    return absl::DeadlineExceededError(absl::StrCat(
        "shutdown did not finish within ", absl::FormatDuration(options_.shutdown_timeout)));
  }
  shutdown.join();
  return absl::OkStatus();
}

void Agent::RequestStop() {
  absl::MutexLock lock(&request_mu_);
  stop_requested_ = true;
}

void Agent::RequestReload() {
  absl::MutexLock lock(&request_mu_);
  ++reloads_requested_;
}

void Agent::Reload() {
  absl::StatusOr<std::shared_ptr<const policy::Policy>> loaded = LoadPolicy();
  if (!loaded.ok()) {
    GH_LOG_ERROR("policy reload rejected; the running policy stays:\n{}",
                 std::string(loaded.status().message()));
    return;
  }
  std::shared_ptr<const policy::Policy> next = *std::move(loaded);
  for (const std::string& warning : next->warnings) GH_LOG_WARN("{}", warning);
  absl::MutexLock lock(&mu_);
  StopControllerLoop();

  // Providers: restart them only when their configuration changed.
  absl::StatusOr<ProviderSelection> selection = SelectProvidersFor(*next);
  bool providers_changed = !selection.ok() || selection->run.size() != provider_configs_.size();
  for (size_t i = 0; !providers_changed && i < provider_configs_.size(); ++i) {
    providers_changed = selection->run[i].name != provider_configs_[i].name ||
                        selection->run[i].options != provider_configs_[i].options;
  }
  absl::Status status;
  if (providers_changed) {
    GH_LOG_INFO("providers changed: restarting them");
    providers_->Stop();
    status = selection.ok() ? StartProviders(*std::move(selection)) : selection.status();
  }
  // Outputs: a changed output section rebuilds the outputs (and so restarts every input).
  if (status.ok() && next->outputs != policy_->outputs) {
    GH_LOG_INFO("outputs changed: draining and rebuilding them");
    inputs_->StopAll();
    for (auto& [name, slot] : outputs_) {
      if (slot.worker) (void)slot.worker->Stop();
    }
    outputs_.clear();
    status = StartOutputs(*next);
  }
  if (status.ok()) status = StartController(next);
  if (!status.ok()) {
    GH_LOG_ERROR("policy reload failed while applying it ({}); restoring the previous policy",
                 std::string(status.message()));
    if (!controller_thread_.joinable()) (void)StartController(policy_);
    return;
  }
  policy_ = std::move(next);
  GH_LOG_INFO("policy reloaded from {}", options_.policy_path);
}

void Agent::Shutdown() {
  // The /status handler takes mu_: stop the server before holding mu_ for the rest, or a request
  // arriving now would block the server's stop (and the shutdown) for good.
  std::unique_ptr<MonitoringServer> monitoring;
  {
    absl::MutexLock lock(&mu_);
    monitoring = std::move(monitoring_);
  }
  if (monitoring) monitoring->Stop();
  absl::MutexLock lock(&mu_);
  if (!policy_ && !providers_) return;  // never started, or already shut down
  GH_LOG_INFO("stopping: inputs, then outputs (draining), then providers");
  StopControllerLoop();
  if (inputs_) inputs_->StopAll();
  int64_t written = 0;
  for (auto& [name, slot] : outputs_) {
    if (!slot.worker) continue;
    if (absl::Status s = slot.worker->Stop(); !s.ok()) {
      GH_LOG_ERROR("output '{}': {}", name, std::string(s.message()));
    }
    written += slot.worker->events_written();
  }
  if (providers_) providers_->Stop();
  controller_.reset();
  inputs_.reset();
  providers_.reset();
  policy_.reset();
  GH_LOG_INFO("stopped cleanly; {} event(s) written", written);
}

int Agent::monitoring_port() const {
  absl::MutexLock lock(&mu_);
  return monitoring_ ? monitoring_->port() : 0;
}

std::string Agent::StatusJson() const {
  Value::Map doc;
  doc["agent"] = Value(Value::Map{{"id", Value(agent_id_)}, {"version", Value(kVersion)}});
  absl::MutexLock lock(&mu_);
  doc["policy"] = Value(options_.policy_path);
  doc["providers"] = providers_ ? providers_->StatesToValue() : Value(Value::List{});
  Value::List inputs;
  if (controller_) {
    for (const auto& status : controller_->Statuses()) {
      Value::Map entry;
      entry["id"] = Value(status.id);
      entry["input_id"] = Value(status.input_id);
      entry["state"] = Value(controller::StateName(status.state));
      Value::List conditions;
      for (const auto& text : status.conditions) conditions.push_back(Value(text));
      entry["conditions"] = Value(std::move(conditions));
      entry["reason"] = Value(status.reason);
      Value::Map variables;
      for (const auto& [path, value] : status.variables) variables[path] = value;
      entry["variables"] = Value(std::move(variables));
      entry["health"] = health_.ToValue(status.id);
      inputs.push_back(Value(std::move(entry)));
    }
  }
  doc["inputs"] = Value(std::move(inputs));
  Value::List outputs;
  for (const auto& [name, slot] : outputs_) {
    Value::Map entry{{"name", Value(name)}, {"type", Value(slot.type)}};
    entry["supported"] = Value(slot.worker != nullptr);
    if (slot.worker) {
      entry["events_written"] = Value(static_cast<int64_t>(slot.worker->events_written()));
      entry["queue_depth"] = Value(static_cast<int64_t>(slot.queue->size()));
    }
    outputs.push_back(Value(std::move(entry)));
  }
  doc["outputs"] = Value(std::move(outputs));
  return Value(std::move(doc)).ToJson();
}

}  // namespace gatehouse
