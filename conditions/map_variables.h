// Variables from a nested Value map (provider name -> mapping), for `gatehouse eval`, tests and
// benchmarks. The agent uses its VariableStore instead.
#ifndef GATEHOUSE_CONDITIONS_MAP_VARIABLES_H_
#define GATEHOUSE_CONDITIONS_MAP_VARIABLES_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/value.h"
#include "conditions/variables.h"

namespace gatehouse::conditions {

// Intern resolves a dotted path once (Value::FindPath, so keys containing dots work); Read is
// an array index, no hashing, no lock. The map is immutable for the object's life.
// Thread-safe: Intern and Read may run concurrently.
class MapVariables final : public VariableResolver, public VariableReader {
 public:
  // `root` should be a map; anything else has no variables.
  explicit MapVariables(Value root);
  ~MapVariables() override;
  MapVariables(const MapVariables&) = delete;
  MapVariables& operator=(const MapVariables&) = delete;

  Slot Intern(absl::string_view dotted_path) override ABSL_LOCKS_EXCLUDED(mutex_);
  const Value* Read(Slot slot) const override;

  const Value& root() const { return root_; }

 private:
  static constexpr int kChunkBits = 8;
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;
  static constexpr size_t kMaxChunks = 4096;  // 1M distinct paths
  using Chunk = std::array<std::atomic<const Value*>, kChunkSize>;

  const Value root_;
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Slot> slots_ ABSL_GUARDED_BY(mutex_);
  // Published chunk pointers; a chunk's entries are written under mutex_ before the slot is
  // handed out, so readers need no lock.
  std::unique_ptr<std::atomic<Chunk*>[]> chunks_;
};

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_MAP_VARIABLES_H_
