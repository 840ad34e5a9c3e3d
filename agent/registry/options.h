// Options as data (after Fluent Bit): every provider, input and output declares a table of its
// options. One table fills defaults, parses values ("10s", "2MiB"), rejects unknown keys (typos)
// and prints the documentation (`gatehouse plugins --json`).
#ifndef GATEHOUSE_AGENT_REGISTRY_OPTIONS_H_
#define GATEHOUSE_AGENT_REGISTRY_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/value.h"

namespace gatehouse {

enum class OptionType {
  kBool,
  kInt,
  kDouble,    // an int is accepted and widened
  kString,
  kDuration,  // "10s", "1m30s", "250ms" or a number of seconds; stored as int milliseconds
  kSize,      // "2MiB", "10KB", "512" bytes; stored as int bytes
  kList,
  kMap,
  kAny,       // taken as it is
};

absl::string_view OptionTypeName(OptionType type);

struct OptionSpec {
  std::string name;  // the policy key; dotted names address nested maps ("ssl.ca_file")
  OptionType type = OptionType::kString;
  Value default_value;  // null: no default (absent stays absent unless `required`)
  std::string description;
  bool required = false;
};

using OptionTable = std::vector<OptionSpec>;

// Checks `config` (a map, or null for "no options") against `table`: fills defaults, converts
// durations and sizes, and rejects unknown keys, missing required keys and values of the wrong
// type. Keys listed in `passthrough_keys` are kept untouched without a spec (for example
// `condition`, `id`, `type`, `streams`). An error is InvalidArgument and names `owner` and the
// offending key path ("provider 'env': unknown option 'prefx'"), so the policy loader can add the
// key's file position.
absl::StatusOr<Value> ApplyOptions(const Value& config, absl::Span<const OptionSpec> table,
                                   absl::string_view owner,
                                   absl::Span<const std::string> passthrough_keys = {});

// Like ApplyOptions for a policy before `${}` substitution: a string value that holds a `${}`
// reference (`leader_leaseduration: ${env.LEASE_DURATION}`) is kept as it is instead of being
// checked against its type; the agent checks it after substituting. Unknown keys, missing
// required keys and every other value are checked as usual.
absl::StatusOr<Value> ApplyOptionsBeforeSubstitution(
    const Value& config, absl::Span<const OptionSpec> table, absl::string_view owner,
    absl::Span<const std::string> passthrough_keys = {});

// Parses "10s", "1m30s", "1.5s", "250ms", "2h" (Go duration syntax) or a bare number of seconds
// into milliseconds.
absl::StatusOr<int64_t> ParseDurationMillis(absl::string_view text);

// Parses "2MiB", "10KB", "1.5GiB" or a bare number of bytes.
absl::StatusOr<int64_t> ParseSizeBytes(absl::string_view text);

// The table as data: [{name, type, default, description, required}] (for `gatehouse plugins`).
Value OptionTableToValue(absl::Span<const OptionSpec> table);

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_REGISTRY_OPTIONS_H_
