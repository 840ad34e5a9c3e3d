// What the `host` provider publishes (its logic, testable without the registry): name, platform,
// architecture, ip (list), mac (list), os.{family, platform, version, name}, id (machine-id).
#ifndef GATEHOUSE_PROVIDERS_HOST_HOST_INFO_H_
#define GATEHOUSE_PROVIDERS_HOST_HOST_INFO_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace gatehouse::providers {

// Where the facts come from; tests point these at their own files.
struct HostSources {
  std::string os_release_path = "/etc/os-release";
  std::string machine_id_path = "/etc/machine-id";
};

// Parses os-release text (KEY=value, optionally quoted, # comments).
std::map<std::string, std::string> ParseOsRelease(absl::string_view text);

// The host mapping. Missing os-release or machine-id leaves those fields out rather than failing
// (containers often lack them); uname failing is an error.
absl::StatusOr<Value::Map> CollectHostInfo(const HostSources& sources);

}  // namespace gatehouse::providers

#endif  // GATEHOUSE_PROVIDERS_HOST_HOST_INFO_H_
