// yaml-cpp -> Value with YAML 1.2 core-schema scalar typing, shared by `gatehouse eval --vars`,
// `--var` and the policy loader so a scalar means the same thing everywhere.
#ifndef GATEHOUSE_COMMON_VALUE_YAML_H_
#define GATEHOUSE_COMMON_VALUE_YAML_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"
#include "yaml-cpp/yaml.h"

namespace gatehouse {

// A plain scalar typed by the core schema: true/True/TRUE/false/..., null/Null/NULL/~/empty,
// ints (decimal with sign, 0x hex, 0o octal; too large for 64 bits: a float), floats
// (1.5, 1e3, .5, .inf, -.Inf, .nan). Anything else, and every quoted scalar, is a string.
Value YamlScalarToValue(absl::string_view text, bool quoted);

// A parsed node (quoted or `!!str`-tagged scalars stay strings; map keys are their text).
// Errors (nesting deeper than 512, a non-scalar map key) name line and column. Never throws.
absl::StatusOr<Value> YamlToValue(const YAML::Node& node);

// One YAML (or JSON, a subset) document; an empty document is null. Never throws.
absl::StatusOr<Value> ParseYamlOrJson(absl::string_view text);

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_VALUE_YAML_H_
