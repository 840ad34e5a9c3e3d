#include "providers/env/environment.h"

#include <cstring>
#include <string>

namespace gatehouse::providers {

Value::Map EnvironmentMapping(const char* const* envp) {
  Value::Map mapping;
  if (envp == nullptr) return mapping;
  for (; *envp != nullptr; ++envp) {
    const char* entry = *envp;
    const char* equals = std::strchr(entry, '=');
    if (equals == nullptr || equals == entry) continue;
    mapping.emplace(std::string(entry, equals), Value(std::string(equals + 1)));
  }
  return mapping;
}

}  // namespace gatehouse::providers
