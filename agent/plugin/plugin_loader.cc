#include "agent/plugin/plugin_loader.h"

#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/plugin/gatehouse_plugin.h"
#include "common/logging.h"
#include "common/value_json.h"

namespace gatehouse {
namespace {

constexpr size_t kErrorSize = 512;

absl::Status Refuse(const std::string& path, absl::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat("plugin ", path, " refused: ", reason));
}

// The host side of gatehouse_host: forwards to the ProviderSink, parsing JSON.
struct HostBridge {
  ProviderSink* sink;
  std::string provider;

  static HostBridge* From(void* data) { return static_cast<HostBridge*>(data); }

  static void Publish(void* data, const char* mapping_json) {
    HostBridge* bridge = From(data);
    absl::StatusOr<Value> mapping = ParseJson(mapping_json != nullptr ? mapping_json : "");
    if (!mapping.ok() || !mapping->is_map()) {
      GH_LOG_ERROR("plugin provider {}: publish needs a JSON object: {}", bridge->provider,
                   mapping.ok() ? std::string("got ") + std::string(mapping->type_name())
                                : mapping.status().ToString());
      return;
    }
    bridge->sink->Publish(mapping->as_map());
  }

  static void UpsertMapping(void* data, const char* id, const char* mapping_json,
                            const char* processors_json) {
    HostBridge* bridge = From(data);
    absl::StatusOr<Value> mapping = ParseJson(mapping_json != nullptr ? mapping_json : "");
    absl::StatusOr<Value> processors =
        processors_json != nullptr ? ParseJson(processors_json) : absl::StatusOr<Value>(Value());
    if (id == nullptr || !mapping.ok() || !mapping->is_map() || !processors.ok() ||
        !(processors->is_list() || processors->is_null())) {
      GH_LOG_ERROR("plugin provider {}: upsert_mapping needs an id, a JSON object and a JSON "
                   "array or NULL of processors",
                   bridge->provider);
      return;
    }
    bridge->sink->UpsertMapping(id, mapping->as_map(), *std::move(processors));
  }

  static void RemoveMapping(void* data, const char* id) {
    if (id != nullptr) From(data)->sink->RemoveMapping(id);
  }

  static void Fail(void* data, const char* message) {
    From(data)->sink->Fail(absl::UnavailableError(message != nullptr ? message : "failed"));
  }

  static void Log(void* data, uint32_t level, const char* message) {
    HostBridge* bridge = From(data);
    const char* text = message != nullptr ? message : "";
    switch (level) {
      case GATEHOUSE_LOG_DEBUG:
        GH_LOG_DEBUG("provider {}: {}", bridge->provider, text);
        break;
      case GATEHOUSE_LOG_INFO:
        GH_LOG_INFO("provider {}: {}", bridge->provider, text);
        break;
      case GATEHOUSE_LOG_WARN:
        GH_LOG_WARN("provider {}: {}", bridge->provider, text);
        break;
      default:
        GH_LOG_ERROR("provider {}: {}", bridge->provider, text);
        break;
    }
  }
};

// One plugin instance. Thread contract as Provider: Start/Stop from one thread.
class PluginProvider final : public Provider {
 public:
  PluginProvider(const gatehouse_provider_plugin* plugin, void* instance)
      : plugin_(plugin), instance_(instance) {}
  ~PluginProvider() override {
    Stop();
    plugin_->destroy(instance_);
  }

  absl::Status Start(ProviderSink* sink) override {
    bridge_ = std::make_unique<HostBridge>(HostBridge{sink, plugin_->name});
    host_ = gatehouse_host{bridge_.get(),         &HostBridge::Publish, &HostBridge::UpsertMapping,
                           &HostBridge::RemoveMapping, &HostBridge::Fail, &HostBridge::Log};
    char error[kErrorSize] = {0};
    if (plugin_->start(instance_, &host_, error, sizeof(error)) != 0) {
      error[kErrorSize - 1] = '\0';
      return absl::UnavailableError(absl::StrCat("provider ", plugin_->name, ": ",
                                                 error[0] != '\0' ? error : "start failed"));
    }
    started_ = true;
    return absl::OkStatus();
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    plugin_->stop(instance_);
  }

 private:
  const gatehouse_provider_plugin* const plugin_;
  void* const instance_;
  std::unique_ptr<HostBridge> bridge_;
  gatehouse_host host_{};
  bool started_ = false;
  bool stopped_ = false;
};

class PluginProviderFactory final : public ProviderFactory {
 public:
  PluginProviderFactory(const gatehouse_provider_plugin* plugin, OptionTable options)
      : plugin_(plugin), options_(std::move(options)) {}

  absl::string_view name() const override { return plugin_->name; }
  Kind kind() const override {
    return plugin_->kind == GATEHOUSE_PROVIDER_DYNAMIC ? Kind::kDynamic : Kind::kContext;
  }
  absl::string_view description() const override {
    return plugin_->description != nullptr ? plugin_->description : "";
  }
  const OptionTable& options() const override { return options_; }

  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    const std::string json = options.is_null() ? "{}" : options.ToJson();
    char error[kErrorSize] = {0};
    void* instance = plugin_->create(json.c_str(), context.agent_id.c_str(), error, sizeof(error));
    if (instance == nullptr) {
      error[kErrorSize - 1] = '\0';
      return absl::InvalidArgumentError(absl::StrCat("provider '", plugin_->name, "': ",
                                                     error[0] != '\0' ? error : "create failed"));
    }
    return std::make_unique<PluginProvider>(plugin_, instance);
  }

 private:
  const gatehouse_provider_plugin* const plugin_;
  const OptionTable options_;
};

absl::StatusOr<OptionTable> ReadOptionTable(const std::string& path,
                                            const gatehouse_provider_plugin& plugin) {
  OptionTable table;
  if (plugin.option_count > 0 && plugin.options == nullptr) {
    return Refuse(path, "option_count is set but options is NULL");
  }
  for (size_t i = 0; i < plugin.option_count; ++i) {
    const gatehouse_option& option = plugin.options[i];
    if (option.name == nullptr || option.name[0] == '\0') {
      return Refuse(path, absl::StrCat("option ", i, " has no name"));
    }
    if (option.type > GATEHOUSE_OPTION_ANY) {
      return Refuse(path, absl::StrCat("option '", option.name, "' has unknown type ", option.type));
    }
    OptionSpec spec;
    spec.name = option.name;
    spec.type = static_cast<OptionType>(option.type);
    spec.description = option.description != nullptr ? option.description : "";
    spec.required = option.required != 0;
    if (option.default_json != nullptr) {
      absl::StatusOr<Value> value = ParseJson(option.default_json);
      if (!value.ok()) {
        return Refuse(path, absl::StrCat("option '", option.name, "' default is not JSON: ",
                                         value.status().message()));
      }
      spec.default_value = *std::move(value);
    }
    table.push_back(std::move(spec));
  }
  return table;
}

// Checks the descriptor; on success returns the factory.
absl::StatusOr<std::unique_ptr<ProviderFactory>> Adapt(const std::string& path,
                                                       const gatehouse_provider_plugin* plugin) {
  if (plugin == nullptr) return Refuse(path, "gatehouse_plugin_v1() returned NULL");
  if (plugin->abi_version != GATEHOUSE_PLUGIN_ABI_VERSION) {
    return Refuse(path, absl::StrCat("ABI version ", plugin->abi_version, ", this agent speaks ",
                                     GATEHOUSE_PLUGIN_ABI_VERSION, " (rebuild the plugin against "
                                     "this agent's gatehouse_plugin.h)"));
  }
  if (plugin->struct_size != sizeof(gatehouse_provider_plugin)) {
    return Refuse(path, absl::StrCat("descriptor struct size ", plugin->struct_size,
                                     ", expected ", sizeof(gatehouse_provider_plugin),
                                     " (built against a different gatehouse_plugin.h)"));
  }
  if (plugin->name == nullptr || plugin->name[0] == '\0') return Refuse(path, "no provider name");
  if (plugin->kind > GATEHOUSE_PROVIDER_DYNAMIC) {
    return Refuse(path, absl::StrCat("unknown provider kind ", plugin->kind));
  }
  if (plugin->create == nullptr || plugin->start == nullptr || plugin->stop == nullptr ||
      plugin->destroy == nullptr) {
    return Refuse(path, "a create/start/stop/destroy hook is NULL");
  }
  absl::StatusOr<OptionTable> options = ReadOptionTable(path, *plugin);
  if (!options.ok()) return options.status();
  return std::make_unique<PluginProviderFactory>(plugin, *std::move(options));
}

}  // namespace

absl::Status LoadProviderPlugin(const std::string& path, Registry<ProviderFactory>& registry) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return Refuse(path, absl::StrCat("cannot load: ", reason != nullptr ? reason : "dlopen failed"));
  }
  auto entry = reinterpret_cast<gatehouse_plugin_entry_fn>(
      dlsym(handle, GATEHOUSE_PLUGIN_ENTRY_SYMBOL));
  if (entry == nullptr) {
    dlclose(handle);
    return Refuse(path, absl::StrCat("missing symbol ", GATEHOUSE_PLUGIN_ENTRY_SYMBOL,
                                     " (export it with extern \"C\")"));
  }
  absl::StatusOr<std::unique_ptr<ProviderFactory>> factory = Adapt(path, entry());
  if (!factory.ok()) {
    dlclose(handle);
    return factory.status();
  }
  absl::Status registered = registry.Register(*std::move(factory), path);
  if (!registered.ok()) {
    dlclose(handle);
    return Refuse(path, absl::StrCat("duplicate name: ", registered.message()));
  }
  GH_LOG_INFO("loaded provider plugin {}", path);
  return absl::OkStatus();  // the handle stays open for the life of the process
}

absl::StatusOr<PluginDirectoryReport> LoadProviderPluginDirectory(
    const std::string& directory, Registry<ProviderFactory>& registry) {
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) {
    return absl::NotFoundError(absl::StrCat("plugin directory ", directory,
                                            " cannot be read: ", std::strerror(errno)));
  }
  std::vector<std::string> files;
  while (struct dirent* entry = readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (absl::StartsWith(name, "lib") && absl::EndsWith(name, "_provider.so")) {
      files.push_back(absl::StrCat(directory, absl::EndsWith(directory, "/") ? "" : "/", name));
    }
  }
  closedir(dir);
  std::sort(files.begin(), files.end());
  PluginDirectoryReport report;
  for (const std::string& file : files) {
    absl::Status status = LoadProviderPlugin(file, registry);
    if (status.ok()) {
      report.loaded.push_back(file);
    } else {
      GH_LOG_ERROR("{}", std::string(status.message()));
      report.refused.push_back(std::move(status));
    }
  }
  return report;
}

}  // namespace gatehouse
