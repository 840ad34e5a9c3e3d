// Event processors with Elastic Beats semantics: `add_fields`, `drop_fields`, `rename`.
// A policy lists them as `processors: [{add_fields: {target: ..., fields: {...}}}, ...]`.
//
// Thread contract: a built ProcessorChain is immutable and thread-safe.
#ifndef GATEHOUSE_AGENT_PIPELINE_PROCESSORS_H_
#define GATEHOUSE_AGENT_PIPELINE_PROCESSORS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/input/event.h"
#include "common/value.h"

namespace gatehouse {

class Processor {
 public:
  virtual ~Processor() = default;
  virtual std::string name() const = 0;
  // Edits `event` in place. On error, `rename` with `fail_on_error` (the default) restores the
  // event as it was; `drop_fields` still drops the fields that exist (as in Beats). The chain
  // records the error in the event's `error.message`.
  virtual absl::Status Run(Event* event) const = 0;
};

// Checks a policy's `processors` list (null or a list of one-key maps). An unknown processor or a
// bad option is InvalidArgument naming its index and name: "processors[1]: unknown processor
// 'add_field'". For the policy loader.
absl::Status ValidateProcessors(const Value& list);

class ProcessorChain {
 public:
  // Builds the chain from one or more `processors` lists, run in the order given (the copy's
  // provider processors first, then the input's own).
  static absl::StatusOr<ProcessorChain> Create(const std::vector<Value>& lists);

  // Runs every processor in order. Errors are appended to `error.message` of the event; the
  // event is still returned (Beats keeps it).
  void Run(Event* event) const;
  size_t size() const { return processors_.size(); }

 private:
  std::vector<std::shared_ptr<const Processor>> processors_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PIPELINE_PROCESSORS_H_
