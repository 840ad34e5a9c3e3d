// PolicySnapshot: a policy rendered once, for `gatehouse render` and `gatehouse explain`.
//
// The variables come either from the policy's static providers, run once (env, host, agent,
// path, local, local_dynamic: started through the ProviderRunner into a real VariableStore, then
// stopped), or from a `--vars` file that pins them:
//
//   context: {<provider>: <mapping>, ...}
//   dynamic: {<provider>: [{id: ..., mapping: {...}, processors: [...]}, ...]}
//
// (YAML or JSON). A provider under `dynamic:` is treated as dynamic (one copy per mapping) even
// when this build has no such provider (Elastic's `kubernetes`).
//
// Thread contract: immutable after Create; thread-safe to read.
#ifndef GATEHOUSE_AGENT_CLI_POLICY_SNAPSHOT_H_
#define GATEHOUSE_AGENT_CLI_POLICY_SNAPSHOT_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/policy/policy.h"
#include "agent/policy/render.h"
#include "agent/store/variable_store.h"
#include "common/value.h"

namespace gatehouse::cli {

struct SnapshotOptions {
  std::string policy_path;
  std::string vars_path;  // empty: run the policy's static providers once
  bool strict = false;    // --strict (the policy may also turn it on)
};

// The providers `render` runs itself when there is no `--vars` file: they publish what they know
// in Start, without a cluster or a network.
bool IsStaticProvider(absl::string_view name);

// Pinned variables, as read from a `--vars` file.
struct PinnedVariables {
  Value::Map context;  // provider -> mapping
  struct Mapping {
    std::string id;
    Value::Map mapping;
    Value processors;  // a list, or null
  };
  std::map<std::string, std::vector<Mapping>> dynamic;  // provider -> mappings
};

// Checks the shape; errors name the file and the key ("vars.yml: dynamic.kubernetes[1].id: ...").
absl::StatusOr<PinnedVariables> ParsePinnedVariables(absl::string_view text,
                                                     absl::string_view file_name);

// One input of the policy and its rendered copies.
struct RenderedInput {
  const policy::InputSpec* spec = nullptr;
  std::string dynamic_provider;  // the provider it is copied over; empty for a plain input
  std::vector<policy::RenderResult> copies;
};

class PolicySnapshot {
 public:
  // A policy error is InvalidArgument with the loader's `file:line:col: error:` diagnostic; a
  // bad `--vars` file is InvalidArgument naming that file.
  static absl::StatusOr<std::unique_ptr<PolicySnapshot>> Create(const SnapshotOptions& options);

  const policy::Policy& policy() const { return *policy_; }
  bool strict() const { return policy_->strict; }
  const std::vector<RenderedInput>& inputs() const { return inputs_; }
  // Where the variables came from: "--vars FILE", or the providers that ran.
  const std::string& variables_source() const { return variables_source_; }
  // Providers the policy selects that were not run (not static, so not available without a
  // cluster: use --vars), and static providers that failed: one line each.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  PolicySnapshot() = default;
  absl::Status RunStaticProviders();
  void Publish(const PinnedVariables& pinned);
  void RenderAll(const std::set<std::string>& pinned_dynamic);

  VariableStore store_;
  std::shared_ptr<const policy::Policy> policy_;
  std::vector<RenderedInput> inputs_;
  std::string variables_source_;
  std::vector<std::string> notes_;
};

}  // namespace gatehouse::cli

#endif  // GATEHOUSE_AGENT_CLI_POLICY_SNAPSHOT_H_
