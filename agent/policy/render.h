// Rendering one input of a Policy over variables (POLICY.md): `${var}` substitution, `condition:`
// gating at every mapping level, and dynamic-provider copies.
//
// Thread contract: free functions over immutable inputs; thread-safe.
#ifndef GATEHOUSE_AGENT_POLICY_RENDER_H_
#define GATEHOUSE_AGENT_POLICY_RENDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "agent/policy/policy.h"
#include "common/value.h"
#include "conditions/variables.h"

namespace gatehouse::controller {
class DesiredInstance;  // agent/controller/input_manager.h
}  // namespace gatehouse::controller

namespace gatehouse::policy {

// Where the keys of a copy's config sit (render.cc): shared by the copies of one input.
class CopyLayouts;

// Which copy of an input is rendered: one mapping of a dynamic provider.
struct CopyInfo {
  absl::string_view provider;
  absl::string_view mapping_id;
  const Value* processors = nullptr;  // the mapping's processors (a list, or null)
  // Set by RenderInputCopiesInto for the copies of one input (null: keys are compared).
  CopyLayouts* layouts = nullptr;
};

// What a full render that ended on recorded for the next one to replay (replay_plan.h): each
// evaluated condition's verdict (by InputSpec::conditions index), the slot of each entry of
// RenderResult::variables, each rendered scalar's value (by TemplateNode::replay_index), and
// the copy's mapping processors. Inline room for the usual few conditions and variables.
struct ReplayRecord {
  absl::InlinedVector<uint8_t, 8> verdicts;
  absl::InlinedVector<conditions::Slot, 4> read;
  std::vector<Value> values;
  Value processors;
};

// Owns a ReplayRecord apart from its RenderResult, and copies it with it. A RenderResult stays
// small: a controller walks 100,000 of them in a leader flip, and every byte more per result
// measurably slows that walk.
class ReplayRecordPtr {
 public:
  ReplayRecordPtr() = default;
  ReplayRecordPtr(const ReplayRecordPtr& other) { *this = other; }
  ReplayRecordPtr& operator=(const ReplayRecordPtr& other) {
    if (this != &other) {
      record_ = other.record_ != nullptr ? std::make_unique<ReplayRecord>(*other.record_) : nullptr;
    }
    return *this;
  }
  ReplayRecordPtr(ReplayRecordPtr&&) noexcept = default;
  ReplayRecordPtr& operator=(ReplayRecordPtr&&) noexcept = default;

  const ReplayRecord* get() const { return record_.get(); }
  // The record, made when there is none yet.
  ReplayRecord& GetOrCreate() {
    if (record_ == nullptr) record_ = std::make_unique<ReplayRecord>();
    return *record_;
  }

 private:
  std::unique_ptr<ReplayRecord> record_;
};

struct RenderResult {
  bool on = false;
  // Why the input (copy) is off: a false condition, a failed condition, a reference without a
  // value, all streams removed. Empty when on.
  std::string reason;
  bool failed = false;  // off because of an error (failed condition), not a false condition
  std::string id;       // the rendered id (with the copy suffix)
  std::string mapping_id;  // the dynamic mapping this copy renders ("" for a plain input)
  // When on: the whole rendered input, `condition` keys removed. When off: the last config
  // rendered while on (null if never): the next render shares its unchanged parts.
  Value config;
  // Each variable the evaluated conditions read, with its value (null: missing).
  std::vector<std::pair<std::string, Value>> variables;
  int evaluations = 0;  // conditions evaluated
  // The copy's state before its latest render, and how many renders it has had: a re-render
  // knows what switched.
  bool was_on = false;
  int renders = 0;
  // Hash of `config` without its ids (identical copies are kept once); valid when `config` is.
  uint64_t config_hash = 0;
  // The map of `config` when this render composed it from every key of the input's template
  // and the copy's own entries (`layout_extras`: a bit each for id, original_id, processors):
  // the next render pairs the top-level map with it by position. Null otherwise.
  const Value::Map* layout_map = nullptr;
  uint8_t layout_extras = 0;
  // True when this render kept the previous config by replaying the input's plan (every
  // condition decided and every `${}` rendered as the last full render recorded), not by
  // walking the whole template (replay_plan.h).
  bool replayed = false;
  // The plan the latest full render that ended on recorded `replay_record` for (0: nothing
  // recorded). Here, not in the record: a leader flip clears it on 100,000 gate members, and
  // dropping their records there instead made BM_ChangeAll 1-2 ms slower.
  uint64_t replay_plan = 0;
  // For the controller: the handle of this copy's input instance, null when it has none.
  // Rendering never touches it.
  std::shared_ptr<controller::DesiredInstance> instance;
  // What that render recorded (read only by a replay), kept apart.
  ReplayRecordPtr replay_record;
};

// Renders `input` over `vars` into `result`, which holds this copy's previous render (or is
// fresh). Every condition is evaluated and every `${}` substituted again; the parts of the new
// config equal to the previous one share its storage, so an unchanged config comes out
// `Identical` to the old one without allocating. Returns true when `result->config` is a new
// Value (the copy is on and its config changed).
bool RenderInputInto(const InputSpec& input, const conditions::VariableReader& vars, bool strict,
                     const CopyInfo* copy, RenderResult* result);

// A fresh render (no previous result).
RenderResult RenderInput(const InputSpec& input, const conditions::VariableReader& vars,
                         bool strict, const CopyInfo* copy = nullptr);

// One mapping of a dynamic provider, as rendering sees it.
struct MappingView {
  absl::string_view id;
  const conditions::VariableReader* reader = nullptr;  // context + this mapping's variables
  const Value* processors = nullptr;
};

// The dynamic provider an input is copied over: the first namespace it reads for which
// `is_dynamic` is true; empty when none (a plain input).
std::string DynamicProviderOf(const InputSpec& input,
                              const std::function<bool(absl::string_view)>& is_dynamic);

// Every copy of `input`: one result over `context` when `provider` is empty, else one per
// mapping (identical rendered copies kept once, the first id wins). With a dynamic provider and
// no mapping, one off result says so.
std::vector<RenderResult> RenderInputCopies(const InputSpec& input,
                                            const conditions::VariableReader& context,
                                            absl::string_view provider,
                                            const std::vector<MappingView>& mappings,
                                            bool strict);

// The same, re-rendering into `copies`, which holds the previous copies (each matched to its
// mapping by id and rendered with RenderInputInto). Previous copies that are gone (their
// mapping was removed, or they now duplicate an earlier copy) are appended to `removed`.
// `mappings` are sorted by id, as the store gives them.
void RenderInputCopiesInto(const InputSpec& input, const conditions::VariableReader& context,
                           absl::string_view provider, const std::vector<MappingView>& mappings,
                           bool strict, std::vector<RenderResult>* copies,
                           std::vector<RenderResult>* removed);

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_RENDER_H_
