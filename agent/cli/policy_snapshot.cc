#include "agent/cli/policy_snapshot.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/policy/loader.h"
#include "agent/policy/substitution.h"
#include "agent/provider/provider_runner.h"
#include "agent/registry/registry.h"
#include "common/status_macros.h"
#include "common/value_yaml.h"

namespace gatehouse::cli {
namespace {

constexpr absl::string_view kStaticProviders[] = {"agent", "env",   "host",
                                                  "local", "local_dynamic", "path"};

absl::Status VarsError(absl::string_view file, absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(file, ": ", key, ": ", what));
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the ", what));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string AgentIdForRender() {
  if (const char* env = std::getenv("GATEHOUSE_AGENT_ID"); env != nullptr && *env != '\0') {
    return env;
  }
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

bool RegisteredAsDynamic(absl::string_view name) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find(name);
  return factory != nullptr && factory->kind() == ProviderFactory::Kind::kDynamic;
}

}  // namespace

bool IsStaticProvider(absl::string_view name) {
  for (absl::string_view known : kStaticProviders) {
    if (name == known) return true;
  }
  return false;
}

absl::StatusOr<PinnedVariables> ParsePinnedVariables(absl::string_view text,
                                                     absl::string_view file_name) {
  absl::StatusOr<Value> parsed = ParseYamlOrJson(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": ", parsed.status().message()));
  }
  PinnedVariables pinned;
  if (parsed->is_null()) return pinned;
  if (!parsed->is_map()) {
    return VarsError(file_name, "(top level)", "must be a mapping with 'context' and 'dynamic'");
  }
  for (const auto& [key, section] : parsed->as_map()) {
    if (key != "context" && key != "dynamic") {
      return VarsError(file_name, key, "unknown key (expected 'context' or 'dynamic')");
    }
    if (section.is_null()) continue;
    if (!section.is_map()) return VarsError(file_name, key, "must be a mapping of providers");
  }
  if (const Value* context = parsed->Find("context"); context != nullptr && context->is_map()) {
    for (const auto& [provider, mapping] : context->as_map()) {
      const std::string key = absl::StrCat("context.", provider);
      if (!mapping.is_map()) return VarsError(file_name, key, "must be a mapping of variables");
      pinned.context[provider] = mapping;
    }
  }
  if (const Value* dynamic = parsed->Find("dynamic"); dynamic != nullptr && dynamic->is_map()) {
    for (const auto& [provider, list] : dynamic->as_map()) {
      const std::string key = absl::StrCat("dynamic.", provider);
      if (pinned.context.count(provider) > 0) {
        return VarsError(file_name, key, "a provider is either context or dynamic, not both");
      }
      if (!list.is_list() && !list.is_null()) {
        return VarsError(file_name, key, "must be a list of {id, mapping, processors}");
      }
      std::vector<PinnedVariables::Mapping>& mappings = pinned.dynamic[provider];
      if (list.is_null()) continue;
      std::set<std::string> ids;
      for (size_t i = 0; i < list.as_list().size(); ++i) {
        const Value& item = list.as_list()[i];
        const std::string where = absl::StrCat(key, "[", i, "]");
        if (!item.is_map()) return VarsError(file_name, where, "must be {id, mapping, processors}");
        for (const auto& [field, unused] : item.as_map()) {
          if (field != "id" && field != "mapping" && field != "processors") {
            return VarsError(file_name, absl::StrCat(where, ".", field),
                             "unknown key (expected 'id', 'mapping' or 'processors')");
          }
        }
        PinnedVariables::Mapping mapping;
        const Value* id = item.Find("id");
        if (id == nullptr || id->is_null() || id->is_list() || id->is_map()) {
          return VarsError(file_name, absl::StrCat(where, ".id"), "a scalar id is required");
        }
        policy::AppendStringified(*id, &mapping.id);
        if (!ids.insert(mapping.id).second) {
          return VarsError(file_name, absl::StrCat(where, ".id"),
                           absl::StrCat("duplicate id '", mapping.id, "'"));
        }
        const Value* vars = item.Find("mapping");
        if (vars != nullptr && !vars->is_null()) {
          if (!vars->is_map()) {
            return VarsError(file_name, absl::StrCat(where, ".mapping"),
                             "must be a mapping of variables");
          }
          mapping.mapping = vars->as_map();
        }
        if (const Value* processors = item.Find("processors"); processors != nullptr) {
          if (!processors->is_list() && !processors->is_null()) {
            return VarsError(file_name, absl::StrCat(where, ".processors"), "must be a list");
          }
          mapping.processors = *processors;
        }
        mappings.push_back(std::move(mapping));
      }
    }
  }
  return pinned;
}

absl::StatusOr<std::unique_ptr<PolicySnapshot>> PolicySnapshot::Create(
    const SnapshotOptions& options) {
  std::unique_ptr<PolicySnapshot> snapshot(new PolicySnapshot());
  std::optional<PinnedVariables> pinned;
  if (!options.vars_path.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadWholeFile(options.vars_path, "variables file"));
    ASSIGN_OR_RETURN(pinned, ParsePinnedVariables(text, options.vars_path));
  }

  policy::LoadOptions load;
  load.resolver = &snapshot->store_;
  load.force_strict = options.strict;
  std::set<std::string> pinned_dynamic;
  if (pinned.has_value()) {
    // Pinned providers exist for this render, registered or not (no "no provider" warning).
    for (const auto& [name, unused] : pinned->dynamic) pinned_dynamic.insert(name);
    std::set<std::string> pinned_names = pinned_dynamic;
    for (const auto& [name, unused] : pinned->context) pinned_names.insert(name);
    load.find_provider = [pinned_names, pinned_dynamic](absl::string_view name) {
      std::optional<policy::ProviderInfo> info = policy::FindRegisteredProvider(name);
      if (!info.has_value() && pinned_names.count(std::string(name)) > 0) {
        info = policy::ProviderInfo{};
      }
      if (info.has_value() && pinned_dynamic.count(std::string(name)) > 0) info->dynamic = true;
      return info;
    };
  }
  ASSIGN_OR_RETURN(policy::Policy loaded, policy::LoadPolicyFile(options.policy_path, load));
  snapshot->policy_ = std::make_shared<const policy::Policy>(std::move(loaded));

  if (pinned.has_value()) {
    snapshot->Publish(*pinned);
    snapshot->variables_source_ = absl::StrCat("--vars ", options.vars_path);
  } else {
    RETURN_IF_ERROR(snapshot->RunStaticProviders());
  }
  snapshot->RenderAll(pinned_dynamic);
  return snapshot;
}

void PolicySnapshot::Publish(const PinnedVariables& pinned) {
  for (const auto& [provider, mapping] : pinned.context) {
    store_.NewSink(provider, ProviderFactory::Kind::kContext)->Publish(mapping.as_map());
  }
  for (const auto& [provider, mappings] : pinned.dynamic) {
    std::unique_ptr<ProviderSink> sink = store_.NewSink(provider, ProviderFactory::Kind::kDynamic);
    for (const PinnedVariables::Mapping& m : mappings) {
      sink->UpsertMapping(m.id, m.mapping, m.processors);
    }
  }
}

absl::Status PolicySnapshot::RunStaticProviders() {
  std::set<std::string> referenced;
  for (const policy::InputSpec& input : policy_->inputs) {
    referenced.insert(input.namespaces.begin(), input.namespaces.end());
  }
  Value::Map section;
  for (const auto& [name, spec] : policy_->providers) section[name] = spec.raw_options;
  ASSIGN_OR_RETURN(ProviderSelection selection,
                   SelectProviders(Value(std::move(section)), referenced));
  std::vector<ProviderConfig> run;
  std::vector<std::string> names;
  for (ProviderConfig& config : selection.run) {
    if (IsStaticProvider(config.name)) {
      names.push_back(config.name);
      run.push_back(std::move(config));
    } else {
      notes_.push_back(absl::StrCat("provider '", config.name,
                                    "' was not run (render runs only static providers); its "
                                    "variables are missing: pin them with --vars"));
    }
  }
  ProviderContext context;
  context.agent_id = AgentIdForRender();
  char cwd[4096] = {};
  context.data_path = getcwd(cwd, sizeof(cwd) - 1) != nullptr ? absl::StrCat(cwd, "/data") : "data";
  ASSIGN_OR_RETURN(std::unique_ptr<ProviderRunner> runner,
                   ProviderRunner::Create(&store_, std::move(run), context));
  RETURN_IF_ERROR(runner->Start());
  for (const ProviderState& state : runner->States()) {
    if (state.phase == ProviderState::Phase::kFailed) {
      notes_.push_back(absl::StrCat("provider '", state.name,
                                    "' failed: ", state.last_error.message()));
    }
  }
  runner->Stop();
  variables_source_ =
      names.empty() ? "no providers" : absl::StrCat("providers ", absl::StrJoin(names, ", "));
  return absl::OkStatus();
}

void PolicySnapshot::RenderAll(const std::set<std::string>& pinned_dynamic) {
  std::shared_ptr<const StoreSnapshot> snapshot = store_.Snapshot();
  auto is_dynamic = [&](absl::string_view ns) {
    return pinned_dynamic.count(std::string(ns)) > 0 || RegisteredAsDynamic(ns) ||
           !snapshot->Mappings(ns).empty();
  };
  for (const policy::InputSpec& input : policy_->inputs) {
    RenderedInput rendered;
    rendered.spec = &input;
    rendered.dynamic_provider = policy::DynamicProviderOf(input, is_dynamic);
    std::vector<std::unique_ptr<conditions::VariableReader>> readers;
    std::vector<policy::MappingView> views;
    if (!rendered.dynamic_provider.empty()) {
      for (const DynamicMappingPtr& mapping : snapshot->Mappings(rendered.dynamic_provider)) {
        readers.push_back(snapshot->ReaderForMapping(*mapping));
        views.push_back(
            policy::MappingView{mapping->id, readers.back().get(), &mapping->processors});
      }
    }
    rendered.copies = policy::RenderInputCopies(input, *snapshot, rendered.dynamic_provider,
                                                views, policy_->strict);
    inputs_.push_back(std::move(rendered));
  }
}

}  // namespace gatehouse::cli
