// One registry shape for every plugin category (providers, inputs, outputs), after Envoy:
// a factory has a name equal to the policy key; built-in factories register themselves from their
// own .cc with a registrar macro (their Bazel library is `alwayslink`); `.so` plugins register at
// load time through agent/plugin/. A duplicate name fails loudly.
//
// Thread contract: registration happens at static-init time or before the agent starts its
// threads; lookups are then read-only and thread-safe.
#ifndef GATEHOUSE_AGENT_REGISTRY_REGISTRY_H_
#define GATEHOUSE_AGENT_REGISTRY_REGISTRY_H_

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gatehouse {

// `Factory` must have `absl::string_view name() const` and a static
// `static constexpr absl::string_view kCategory` ("provider", "input", "output").
template <typename Factory>
class Registry {
 public:
  // The process-wide registry of this category: a function-local static, never destroyed.
  static Registry& Global() {
    static Registry* const registry = new Registry();
    return *registry;
  }

  // `origin` says where the factory comes from ("built-in", or the .so path) for error messages.
  absl::Status Register(std::unique_ptr<Factory> factory, std::string origin = "built-in") {
    const std::string name(factory->name());
    auto it = factories_.find(name);
    if (it != factories_.end()) {
      return absl::AlreadyExistsError(absl::StrCat(Factory::kCategory, " '", name, "' from ",
                                                   origin, " is already registered by ",
                                                   it->second.origin));
    }
    factories_.emplace(name, Entry{std::move(factory), std::move(origin)});
    return absl::OkStatus();
  }

  // nullptr when no factory has that name.
  const Factory* Find(absl::string_view name) const {
    auto it = factories_.find(std::string(name));
    return it == factories_.end() ? nullptr : it->second.factory.get();
  }

  std::string OriginOf(absl::string_view name) const {
    auto it = factories_.find(std::string(name));
    return it == factories_.end() ? std::string() : it->second.origin;
  }

  // Sorted by name.
  std::vector<const Factory*> List() const {
    std::vector<const Factory*> all;
    for (const auto& [name, entry] : factories_) all.push_back(entry.factory.get());
    return all;
  }

 private:
  struct Entry {
    std::unique_ptr<Factory> factory;
    std::string origin;
  };
  std::map<std::string, Entry> factories_;
};

namespace registry_internal {

// Registers at static-init time; a duplicate built-in name is a build mistake: abort loudly.
template <typename Factory>
struct StaticRegistrar {
  explicit StaticRegistrar(std::unique_ptr<Factory> factory) {
    absl::Status status = Registry<Factory>::Global().Register(std::move(factory));
    if (!status.ok()) {
      std::fprintf(stderr, "gatehouse: %s\n", std::string(status.message()).c_str());
      std::abort();
    }
  }
};

}  // namespace registry_internal
}  // namespace gatehouse

#define GH_REGISTRY_CONCAT_INNER_(a, b) a##b
#define GH_REGISTRY_CONCAT_(a, b) GH_REGISTRY_CONCAT_INNER_(a, b)

// In the plugin's own .cc, at namespace scope:
//   GATEHOUSE_REGISTER_FACTORY(ProviderFactory, EnvProviderFactory);
#define GATEHOUSE_REGISTER_FACTORY(FactoryInterface, FactoryClass)                          \
  static const ::gatehouse::registry_internal::StaticRegistrar<FactoryInterface>            \
      GH_REGISTRY_CONCAT_(gh_registrar_, __COUNTER__)(std::make_unique<FactoryClass>())

#endif  // GATEHOUSE_AGENT_REGISTRY_REGISTRY_H_
