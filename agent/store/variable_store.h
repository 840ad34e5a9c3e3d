// VariableStore: where providers publish variables and where the controller reads them.
//
// - Dotted paths ("host.os.family") are interned once into slots (`Intern`); a slot exists even
//   before any provider publishes a value for it. A slot's value is what the path finds in its
//   provider's mapping: `host` is the whole map, `host.os.family` a leaf, `kubernetes.pod.ips` a
//   list (lookups go through Value::FindPath, so keys that contain dots resolve too).
// - Providers write through a `ProviderSink` from `NewSink`, scoped to their own namespace.
//   A context provider's `Publish` replaces its whole mapping; a dynamic provider upserts and
//   removes mappings by id. A write equal to the current value is not a change.
// - Every publication that changes something bumps the store generation, records that
//   generation on each changed slot and mapping, publishes a new immutable `StoreSnapshot`
//   (copy-on-write) and queues a `ChangeSet` for the controller.
//
// Thread contract: VariableStore is thread-safe. Snapshots are immutable and thread-safe; a
// reader holds a snapshot for as long as it likes without ever blocking a writer (taking one is a
// shared_ptr copy under a short lock). Change sets have a single consumer (the controller).
#ifndef GATEHOUSE_AGENT_STORE_VARIABLE_STORE_H_
#define GATEHOUSE_AGENT_STORE_VARIABLE_STORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/provider/provider.h"
#include "conditions/variables.h"
#include "common/value.h"

namespace gatehouse {

using conditions::Slot;

// One mapping of a dynamic provider (one input copy each). Immutable once published.
struct DynamicMapping {
  std::string provider;  // the dynamic provider's name (its variable namespace)
  std::string id;        // unique within the provider
  Value mapping;         // a map: the variables under `<provider>.` for this copy
  Value processors;      // a list, or null: put in front of the copy's own processors
  uint64_t generation = 0;  // store generation of its last change
  // By slot, what a reader of this mapping sees, resolved once when the mapping is published
  // (rendering reads the same few paths of every mapping again and again). Slots interned
  // later are resolved by path.
  struct SlotValue {
    bool in_mapping = false;       // the slot is under `provider`: `value` answers it
    const Value* value = nullptr;  // into `mapping`; null: no such variable
  };
  std::vector<SlotValue> slot_values;
};
using DynamicMappingPtr = std::shared_ptr<const DynamicMapping>;

// The ids of one dynamic provider's mappings that one publication touched.
struct DynamicChange {
  std::string provider;
  std::vector<std::string> added;
  std::vector<std::string> updated;
  std::vector<std::string> removed;
};

// What one publication changed.
struct ChangeSet {
  uint64_t generation = 0;
  std::vector<Slot> changed_slots;  // context slots whose value changed (sorted, unique)
  std::vector<DynamicChange> dynamic;
  // True when change sets were dropped because nobody drained them (see kMaxPendingChangeSets):
  // the consumer must treat every slot and mapping as changed.
  bool everything = false;
};

// A consistent, immutable view of every variable at one store generation.
// Read(slot) gives context variables only; a dynamic mapping's variables are read through
// ReaderForMapping or Lookup(path, mapping).
class StoreSnapshot final : public conditions::VariableReader {
 public:
  uint64_t generation() const { return generation_; }

  // Context variables. A slot interned after this snapshot was taken reads as missing here: take
  // a new snapshot after compiling conditions.
  const Value* Read(Slot slot) const override;
  // Store generation of the slot's last change (0: never had a value).
  uint64_t SlotGeneration(Slot slot) const;

  // By path, without interning (for `${var}` in values). With `mapping`, paths under the
  // mapping's provider read that mapping; everything else reads the context variables.
  // nullptr when there is no value.
  const Value* Lookup(absl::string_view dotted_path,
                      const DynamicMapping* mapping = nullptr) const;

  // Names of the dynamic providers that have published at least once (sorted).
  std::vector<std::string> DynamicProviders() const;
  // A dynamic provider's mappings, sorted by id (empty for an unknown provider).
  const std::vector<DynamicMappingPtr>& Mappings(absl::string_view provider) const;
  // nullptr when the provider has no mapping with that id.
  const DynamicMapping* FindMapping(absl::string_view provider, absl::string_view id) const;

  // A reader over the context variables plus one mapping's variables under its provider's
  // namespace. It borrows the snapshot and the mapping: both must outlive it. A value type, so
  // that readers for every mapping fit in one vector.
  class MappingReader final : public conditions::VariableReader {
   public:
    MappingReader(const StoreSnapshot& snapshot, const DynamicMapping& mapping)
        : snapshot_(&snapshot), mapping_(&mapping) {}
    const Value* Read(Slot slot) const override;

   private:
    const StoreSnapshot* snapshot_;
    const DynamicMapping* mapping_;
  };
  std::unique_ptr<conditions::VariableReader> ReaderForMapping(
      const DynamicMapping& mapping) const;

  // Every context provider's mapping as {provider: mapping} (for status and debugging).
  Value ContextToValue() const;

 private:
  friend class VariableStore;

  struct SlotPath {
    std::string path_namespace;  // text before the first dot
    std::string rest;            // text after the first dot ("" for the namespace itself)
  };
  using SlotTable = std::vector<SlotPath>;

  const Value* LookupContext(absl::string_view path_namespace, absl::string_view rest) const;

  uint64_t generation_ = 0;
  std::shared_ptr<const SlotTable> slots_;
  std::vector<const Value*> values_;      // by slot; points into context_
  std::vector<uint64_t> slot_generations_;  // by slot
  std::map<std::string, std::shared_ptr<const Value>, std::less<>> context_;
  std::map<std::string, std::shared_ptr<const std::vector<DynamicMappingPtr>>, std::less<>>
      dynamic_;
};

class VariableStore final : public conditions::VariableResolver {
 public:
  // Undrained change sets kept before they collapse into one `everything` change set.
  static constexpr size_t kMaxPendingChangeSets = 4096;

  using FailureCallback = std::function<void(absl::Status)>;

  VariableStore();
  ~VariableStore() override;
  VariableStore(const VariableStore&) = delete;
  VariableStore& operator=(const VariableStore&) = delete;

  // Same path, same slot, forever. Thread-safe.
  Slot Intern(absl::string_view dotted_path) override;
  // The path a slot was interned from.
  std::string PathOf(Slot slot) const;
  size_t slot_count() const;

  // A sink that writes only under `provider_name`. Context sinks accept Publish; dynamic sinks
  // accept UpsertMapping/RemoveMapping (the other calls are logged and ignored). `on_fail` is
  // called (on the provider's thread) when the provider calls Fail; the failure is also kept
  // for LastFailure. The sink may outlive nothing: the store must outlive every sink.
  std::unique_ptr<ProviderSink> NewSink(std::string provider_name, ProviderFactory::Kind kind,
                                        FailureCallback on_fail = nullptr);

  // The last failure a provider reported through its sink (OK when none).
  absl::Status LastFailure(absl::string_view provider_name) const;

  // The current state. Cheap (a shared_ptr copy); never blocks on a writer's work.
  std::shared_ptr<const StoreSnapshot> Snapshot() const;
  uint64_t generation() const;

  // Waits until a change set newer than `after_generation` exists, `timeout` passes, or
  // WakeWaiters is called; then returns every queued change set newer than `after_generation`
  // (oldest first) and forgets those at or below it. Empty on timeout/wake with nothing new.
  // A zero timeout polls.
  std::vector<ChangeSet> WaitForChanges(uint64_t after_generation, absl::Duration timeout);
  // Returns and forgets every queued change set without waiting.
  std::vector<ChangeSet> DrainChanges();
  // Makes every current WaitForChanges return (for shutdown).
  void WakeWaiters();
  // Queues a change set that says "everything changed" (no variable changes): whoever applies
  // change sets re-renders every input. The agent uses it when its start-up gate opens.
  void MarkEverythingChanged();

 private:
  class Sink;
  friend class Sink;

  void PublishContext(const std::string& provider, Value::Map mapping);
  void UpsertMapping(const std::string& provider, absl::string_view id, Value::Map mapping,
                     Value processors);
  void RemoveMapping(const std::string& provider, absl::string_view id);
  void RecordFailure(const std::string& provider, absl::Status status);

  // Bumps the generation, publishes a new snapshot and queues `change` (whose generation it
  // fills in).
  void CommitLocked(ChangeSet change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fills `mapping->slot_values` up to the current slot count.
  void ResolveMappingSlotsLocked(DynamicMapping* mapping) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<const StoreSnapshot> BuildSnapshotLocked() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Value* ResolveLocked(const StoreSnapshot::SlotPath& path) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // Writer state.
  absl::flat_hash_map<std::string, Slot> slot_of_ ABSL_GUARDED_BY(mu_);
  std::vector<StoreSnapshot::SlotPath> slot_paths_ ABSL_GUARDED_BY(mu_);
  std::vector<const Value*> slot_values_ ABSL_GUARDED_BY(mu_);  // points into context_
  std::vector<uint64_t> slot_generations_ ABSL_GUARDED_BY(mu_);
  // slot_paths_ as shared by snapshots; rebuilt only after new slots were interned.
  mutable std::shared_ptr<const StoreSnapshot::SlotTable> slot_table_ ABSL_GUARDED_BY(mu_);
  // Slots by namespace, so a publication only looks at its own slots.
  absl::flat_hash_map<std::string, std::vector<Slot>> slots_by_namespace_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::shared_ptr<const Value>, std::less<>> context_ ABSL_GUARDED_BY(mu_);
  // Mutable: a snapshot built after new slots were interned re-resolves every mapping's
  // `slot_values` (the same mappings, read faster), which changes no variable.
  mutable std::map<std::string, std::shared_ptr<const std::vector<DynamicMappingPtr>>,
                   std::less<>>
      dynamic_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::Status> failures_ ABSL_GUARDED_BY(mu_);
  // Readers' view; replaced (never mutated) by writers. `snapshot_stale_` is set by Intern so
  // the next Snapshot() includes the new slots.
  mutable std::shared_ptr<const StoreSnapshot> snapshot_ ABSL_GUARDED_BY(mu_);
  mutable bool snapshot_stale_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<ChangeSet> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t wake_count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_STORE_VARIABLE_STORE_H_
