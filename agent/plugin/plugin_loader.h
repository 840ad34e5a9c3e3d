// Loads provider plugins from shared objects (C ABI in gatehouse_plugin.h) and registers each as
// a ProviderFactory whose origin is the file's path. A plugin that is refused is named with the
// reason: missing entry symbol, ABI version or struct size mismatch, missing hook, duplicate name.
//
// Thread contract: call before the agent starts its threads (registration is not synchronized,
// see registry.h). A loaded library is never unloaded: factories and instances point into it.
#ifndef GATEHOUSE_AGENT_PLUGIN_PLUGIN_LOADER_H_
#define GATEHOUSE_AGENT_PLUGIN_PLUGIN_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agent/provider/provider.h"
#include "agent/registry/registry.h"

namespace gatehouse {

// Loads one file and registers its provider in `registry`.
absl::Status LoadProviderPlugin(const std::string& path,
                                Registry<ProviderFactory>& registry =
                                    Registry<ProviderFactory>::Global());

struct PluginDirectoryReport {
  std::vector<std::string> loaded;   // paths, sorted
  std::vector<absl::Status> refused;  // one per file that was refused, naming it
};

// Loads every `lib*_provider.so` of `directory` (not recursive), in name order. A refused file
// does not stop the others. Fails only when the directory cannot be read.
absl::StatusOr<PluginDirectoryReport> LoadProviderPluginDirectory(
    const std::string& directory,
    Registry<ProviderFactory>& registry = Registry<ProviderFactory>::Global());

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PLUGIN_PLUGIN_LOADER_H_
