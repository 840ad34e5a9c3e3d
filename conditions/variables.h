// The small interface between the condition evaluator and whatever holds variables (the agent's
// VariableStore, or a plain map for `gatehouse eval`). Compilation interns each dotted path once
// into a slot; evaluation reads slots, so it does no string hashing.
#ifndef GATEHOUSE_CONDITIONS_VARIABLES_H_
#define GATEHOUSE_CONDITIONS_VARIABLES_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "common/value.h"

namespace gatehouse::conditions {

using Slot = uint32_t;

// Interns dotted paths ("kubernetes_leaderelection.leader") into slots. The same path always
// yields the same slot. Thread-safe.
class VariableResolver {
 public:
  virtual ~VariableResolver() = default;
  virtual Slot Intern(absl::string_view dotted_path) = 0;
};

// Reads the current value of a slot; nullptr when the variable has no value (missing).
// The pointer stays valid while the reader lives. Implementations used by the agent are
// snapshots: every read of one reader sees one consistent state.
class VariableReader {
 public:
  virtual ~VariableReader() = default;
  virtual const Value* Read(Slot slot) const = 0;
};

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_VARIABLES_H_
