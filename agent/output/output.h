// Outputs write events somewhere (console and file NDJSON). The agent runs one consumer thread
// per output that drains the bounded queue into it.
#ifndef GATEHOUSE_AGENT_OUTPUT_OUTPUT_H_
#define GATEHOUSE_AGENT_OUTPUT_OUTPUT_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/input/event.h"
#include "agent/registry/options.h"
#include "common/value.h"

namespace gatehouse {

// Thread-compatible: only the agent's consumer thread for this output calls it.
class Output {
 public:
  virtual ~Output() = default;
  // Writes a batch; a batch is written whole or the error says how many events made it.
  virtual absl::Status Write(const std::vector<Event>& batch) = 0;
  // Durably flushes (fsync for files); called on shutdown and periodically.
  virtual absl::Status Flush() = 0;
};

class OutputFactory {
 public:
  static constexpr absl::string_view kCategory = "output";

  virtual ~OutputFactory() = default;
  // The policy's `outputs.<name>.type` (`console`, `file`).
  virtual absl::string_view name() const = 0;
  virtual absl::string_view description() const = 0;
  virtual const OptionTable& options() const = 0;
  virtual absl::StatusOr<std::unique_ptr<Output>> Create(const Value& options) const = 0;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_OUTPUT_OUTPUT_H_
