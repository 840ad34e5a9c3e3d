#include "agent/policy/render.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/container/fixed_array.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "agent/policy/substitution.h"

namespace gatehouse::policy {
namespace {

enum class Outcome { kOk, kRemoved, kFailed };

// Rendering points at existing values wherever it can (the template's constants, the
// variables, the previous rendering when equal) and builds a new Value only for what changed:
// an unchanged config then costs no allocation and no reference-count traffic.

// A map's rendered entries in key order, before they become a Value (most maps in a policy
// have fewer than 12 keys: no allocation until the map itself is built).
using Entries = absl::InlinedVector<std::pair<absl::string_view, const Value*>, 12>;

struct MapRender {
  Entries entries;
  absl::InlinedVector<Value, 12> storage;  // what the children built
  bool same_as_previous = false;           // the same keys as the previous map, identical values
  const Value* whole = nullptr;            // the whole map when it exists already (a constant)
};

struct RenderContext {
  const InputSpec& input;
  const conditions::VariableReader& vars;
  bool strict;
  RenderResult* result;
  // Texts of the nested conditions found false (unique), for the "all streams removed" reason.
  std::vector<absl::string_view> false_conditions;
  size_t noted = 0;  // entries of result->variables written by this render
  // Where verdicts, scalar values and noted slots go (the input has a plan), else null.
  ReplayRecord* record = nullptr;
};

// A variable's value as RenderResult::variables notes it: null when missing.
const Value& NotedValue(const conditions::VariableReader& vars, conditions::Slot slot) {
  static const Value* const kMissing = new Value();
  const Value* v = vars.Read(slot);
  return v != nullptr ? *v : *kMissing;
}

// Records each variable a condition reads, overwriting the previous render's list in place (the
// same conditions read the same paths: nothing is allocated again).
void NoteVariables(const CompiledCondition& condition, RenderContext& ctx) {
  std::vector<std::pair<std::string, Value>>& noted = ctx.result->variables;
  for (const auto& [path, slot] : condition.variables()) {
    bool seen = false;
    for (size_t i = 0; i < ctx.noted && !seen; ++i) seen = noted[i].first == path;
    if (seen) continue;
    const Value& v = NotedValue(ctx.vars, slot);
    if (ctx.noted < noted.size()) {
      if (noted[ctx.noted].first != path) noted[ctx.noted].first.assign(path);
      if (!noted[ctx.noted].second.Identical(v)) noted[ctx.noted].second = v;
    } else {
      noted.emplace_back(std::string(path), v);
    }
    if (ctx.record != nullptr) ctx.record->read.push_back(slot);
    ++ctx.noted;
  }
}

// Keys a copy sets in the input's rendered map itself.
bool IsCopyExtra(absl::string_view key) {
  return key == "id" || key == "original_id" || key == "processors";
}

// Inline: asked for every entry of every copy.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool SameValue(const Value* a, const Value* b) {
  return a != nullptr && b != nullptr && (a == b || a->Identical(*b));
}

// The map of `entries` (all keys compared with `previous`'s): `previous` when it holds exactly
// these entries, else a new map in `storage`.
const Value* ComposeMapComparingKeys(const Entries& entries, const Value* previous,
                                     Value* storage) {
  if (previous != nullptr && previous->is_map() && previous->as_map().size() == entries.size()) {
    bool same = true;
    auto it = previous->as_map().begin();
    for (const auto& [key, value] : entries) {
      // A value taken from `previous` at this very position has this key.
      if (value != &it->second && (it->first != key || !SameValue(&it->second, value))) {
        same = false;
        break;
      }
      ++it;
    }
    if (same) return previous;
  }
  Value::Map map;
  map.reserve(entries.size());
  for (const auto& [key, value] : entries) map.emplace_hint(map.end(), std::string(key), *value);
  *storage = Value(std::move(map));
  return storage;
}

// `previous` when it holds exactly `items`, else a new list in `storage`.
template <typename Items>
const Value* ComposeList(const Items& items, const Value* previous, Value* storage) {
  if (previous != nullptr && previous->is_list() && previous->as_list().size() == items.size()) {
    bool same = true;
    for (size_t i = 0; i < items.size() && same; ++i) {
      same = SameValue(&previous->as_list()[i], items[i]);
    }
    if (same) return previous;
  }
  Value::List list;
  list.reserve(items.size());
  for (const Value* item : items) list.push_back(*item);
  *storage = Value(std::move(list));
  return storage;
}

// Key order as a three-way comparison (one call decides "before", "same" and "after"), deciding
// on the first byte without a call when it differs (it mostly does).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline int KeyCompare(absl::string_view a, absl::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]) ? -1 : 1;
  }
  return a.compare(b);
}

// The entries a copy sets in the input's rendered map (null: not set), in key order: what it
// sets now, or what it set in the previous config (FindCopyExtras).
struct CopyExtras {
  const Value* id = nullptr;
  const Value* original_id = nullptr;
  const Value* processors = nullptr;
};

}  // namespace

// The keys a copy sets in its config, in key order: bit e of RenderResult::layout_extras.
constexpr absl::string_view kCopyKeys[3] = {"id", "original_id", "processors"};

// Where the keys of a copy's config sit when it holds every key of the input's top-level
// template merged with one set of the copy's entries: worked out once per input and set of
// entries (RenderInputCopiesInto), not by comparing keys for every copy.
struct TopLayout {
  bool computed = false;
  bool usable = false;  // the template's key order is known (a loaded policy's is)
  uint32_t size = 0;    // keys in the config
  absl::InlinedVector<uint32_t, 16> node_position;  // by the template's key order
  int32_t copy_key_position[3] = {-1, -1, -1};      // id, original_id, processors (-1: absent)
};

class CopyLayouts {
 public:
  explicit CopyLayouts(const TemplateNode& node) : node_(node) {}
  // Null when the template's key order is not known.
  const TopLayout* For(uint8_t extras);

 private:
  const TemplateNode& node_;
  TopLayout layouts_[8];  // by `extras`
};

const TopLayout* CopyLayouts::For(uint8_t extras) {
  TopLayout& layout = layouts_[extras & 7];
  if (layout.computed) return layout.usable ? &layout : nullptr;
  layout.computed = true;
  const uint32_t n = static_cast<uint32_t>(node_.entries.size());
  layout.usable = node_.kind == TemplateNode::Kind::kMap && !node_.constant_when_on.is_map() &&
                  node_.sorted_entries.size() == n;
  if (!layout.usable) return nullptr;
  layout.node_position.resize(n);
  uint32_t at = 0;
  int e = 0;
  for (uint32_t k = 0; k < n; ++k) {
    const std::string& key = node_.entries[node_.sorted_entries[k]].first;
    for (; e < 3 && KeyCompare(kCopyKeys[e], key) < 0; ++e) {
      if (extras >> e & 1) layout.copy_key_position[e] = static_cast<int32_t>(at++);
    }
    // The template's own entry of a copy key: where the copy's replaces it when set.
    if (e < 3 && key == kCopyKeys[e]) layout.copy_key_position[e++] = static_cast<int32_t>(at);
    layout.node_position[k] = at++;
  }
  for (; e < 3; ++e) {
    if (extras >> e & 1) layout.copy_key_position[e] = static_cast<int32_t>(at++);
  }
  layout.size = at;
  return &layout;
}

namespace {

// `entries` (every key of the template, in key order) with the copy's entries `set` at the
// places `layout` gives them.
void PlaceCopyEntries(const TopLayout& layout, const CopyExtras& set, const Entries& entries,
                      Entries* out) {
  out->resize(layout.size);
  for (size_t k = 0; k < entries.size(); ++k) (*out)[layout.node_position[k]] = entries[k];
  const Value* values[3] = {set.id, set.original_id, set.processors};
  for (int e = 0; e < 3; ++e) {
    if (values[e] != nullptr) (*out)[layout.copy_key_position[e]] = {kCopyKeys[e], values[e]};
  }
}

// The bits of `set` (RenderResult::layout_extras).
uint8_t ExtrasOf(const CopyExtras& set) {
  return static_cast<uint8_t>((set.id != nullptr ? 1 : 0) | (set.original_id != nullptr ? 2 : 0) |
                              (set.processors != nullptr ? 4 : 0));
}

// `entries` with the copy's entries set, replacing the rendered ones of the same keys, in
// `*out`: one merge walk.
void MergeCopyEntries(const CopyExtras& set, const Entries& entries, Entries* out) {
  const std::pair<absl::string_view, const Value*> extras[] = {
      {"id", set.id}, {"original_id", set.original_id}, {"processors", set.processors}};
  Entries& merged = *out;
  const size_t n = entries.size();
  size_t e = 0;
  for (const auto& [key, value] : extras) {
    if (value == nullptr) continue;
    int order = -1;
    while (e < n && (order = KeyCompare(entries[e].first, key)) < 0) merged.push_back(entries[e++]);
    if (e < n && order == 0) ++e;  // replaced
    merged.emplace_back(key, value);
  }
  for (; e < n; ++e) merged.push_back(entries[e]);
}

const Value* FindEntry(const Entries& entries, absl::string_view key) {
  for (const auto& [k, v] : entries) {
    if (k == key) return v;
  }
  return nullptr;
}

// A string of `text`: `previous` when it already says that, else a new one in `storage`.
const Value* ReuseString(absl::string_view text, const Value* previous, Value* storage) {
  if (previous != nullptr && previous->is_string() && previous->as_string() == text) {
    return previous;
  }
  *storage = Value(text);
  return storage;
}

// Whether `id` is its first `base_size` bytes + "-" + the copy's provider + "-" + its mapping id.
bool HasCopySuffix(absl::string_view id, size_t base_size, const CopyInfo& copy) {
  const size_t provider = copy.provider.size();
  const size_t mapping = copy.mapping_id.size();
  if (id.size() != base_size + provider + mapping + 2) return false;
  const char* suffix = id.data() + base_size;
  return suffix[0] == '-' && suffix[provider + 1] == '-' &&
         std::memcmp(suffix + provider + 2, copy.mapping_id.data(), mapping) == 0 &&
         std::memcmp(suffix + 1, copy.provider.data(), provider) == 0;
}

// Whether `id` is `base` + "-" + the copy's provider + "-" + its mapping id.
bool IsCopyId(absl::string_view id, absl::string_view base, const CopyInfo& copy) {
  return HasCopySuffix(id, base.size(), copy) && id.substr(0, base.size()) == base;
}

// The entries a copy set in the previous config (one walk).
CopyExtras FindCopyExtras(const Value* config) {
  CopyExtras found;
  if (config == nullptr) return found;
  for (const auto& [key, value] : config->as_map()) {
    const absl::string_view k = key;
    if (k == "id") found.id = &value;
    else if (k == "original_id") found.original_id = &value;
    else if (k == "processors") found.processors = &value;
  }
  return found;
}

// The same, in a config laid out as `layout` says.
CopyExtras CopyExtrasAt(const TopLayout& layout, const Value::Map& config) {
  const Value* found[3] = {nullptr, nullptr, nullptr};
  for (int e = 0; e < 3; ++e) {
    if (layout.copy_key_position[e] >= 0) {
      found[e] = &(config.begin() + layout.copy_key_position[e])->second;
    }
  }
  return CopyExtras{found[0], found[1], found[2]};
}

// `same_node`: `previous` was rendered from this very node (or is null). True from the input
// down through maps (paired by key) and lists whose items no condition can remove; false below
// a list that can shift its items.
Outcome RenderNode(const TemplateNode& node, RenderContext& ctx, const Value* previous,
                   bool same_node, Value* storage, const Value** out);

// Evaluates a map's condition and renders its entries (in key order) into `out`, each next to
// the same key of `previous` (the map's last rendering, or null).
// `layout` (top only, may be null): how `previous` is laid out (its size is checked).
Outcome RenderMapEntries(const TemplateNode& node, RenderContext& ctx, bool top,
                         const Value* previous, bool same_node, MapRender* out,
                         const TopLayout* layout = nullptr) {
  if (node.condition >= 0) {
    const ConditionSpec& spec = ctx.input.conditions[node.condition];
    ++ctx.result->evaluations;
    NoteVariables(*spec.compiled, ctx);
    absl::StatusOr<bool> verdict = spec.compiled->Evaluate(ctx.vars, ctx.strict);
    if (!verdict.ok()) {
      ctx.result->failed = true;
      ctx.result->reason = absl::StrCat("condition '", spec.text, "' at ",
                                        spec.position.ToString(),
                                        " failed: ", verdict.status().message());
      return Outcome::kFailed;
    }
    if (ctx.record != nullptr) ctx.record->verdicts[node.condition] = *verdict ? 1 : 0;
    if (!*verdict) {
      if (top) {
        ctx.result->reason = absl::StrCat("condition '", spec.text, "' is false");
      } else if (std::find(ctx.false_conditions.begin(), ctx.false_conditions.end(),
                           spec.text) == ctx.false_conditions.end()) {
        ctx.false_conditions.push_back(spec.text);
      }
      return Outcome::kRemoved;
    }
  }
  if (node.constant_when_on.is_map()) {  // a gate around fixed entries: nothing to render
    out->entries.clear();
    for (const auto& [key, value] : node.constant_when_on.as_map()) {
      out->entries.emplace_back(key, &value);
    }
    out->same_as_previous = SameValue(previous, &node.constant_when_on);
    out->whole = &node.constant_when_on;
    return Outcome::kOk;
  }
  const uint32_t n = static_cast<uint32_t>(node.entries.size());
  // Key order: the loader computes it once; a hand-built node gets it here.
  absl::InlinedVector<uint32_t, 12> computed_order;
  const uint32_t* order = node.sorted_entries.data();
  if (node.sorted_entries.size() != n) {
    for (uint32_t i = 0; i < n; ++i) computed_order.push_back(i);
    std::sort(computed_order.begin(), computed_order.end(), [&node](uint32_t a, uint32_t b) {
      return node.entries[a].first < node.entries[b].first;
    });
    order = computed_order.data();
  }
  // Both in key order: one walk pairs every entry with its previous rendering.
  absl::FixedArray<const Value*, 16> previous_children(n, nullptr);
  const Value::Map* previous_map =
      previous != nullptr && previous->is_map() ? &previous->as_map() : nullptr;
  if (previous_map != nullptr && same_node && !top && previous_map->size() == n) {
    // Rendered from this node with every key kept: its keys are this node's, in key order.
    auto it = previous_map->begin();
    for (uint32_t k = 0; k < n; ++k, ++it) previous_children[order[k]] = &it->second;
  } else if (previous_map != nullptr && layout != nullptr) {
    // The input's own map, composed from every key of this node and the copy's entries.
    for (uint32_t k = 0; k < n; ++k) {
      const auto& entry = *(previous_map->begin() + layout->node_position[k]);
      assert(entry.first == node.entries[order[k]].first);
      previous_children[order[k]] = &entry.second;
    }
  } else if (previous_map != nullptr) {
    auto it = previous_map->begin();
    for (uint32_t k = 0; k < n && it != previous_map->end(); ++k) {
      const std::string& key = node.entries[order[k]].first;
      int c = -1;
      while (it != previous_map->end() && (c = KeyCompare(it->first, key)) < 0) ++it;
      if (it != previous_map->end() && c == 0) previous_children[order[k]] = &it->second;
    }
  }
  // Rendered in the file's order (conditions are evaluated, and failures found, as written).
  absl::FixedArray<const Value*, 16> rendered(n, nullptr);
  // Only a child that renders something gets room for what it may build; constants (most
  // entries) are pointed at where they are. Reserved first: the room does not move.
  out->storage.clear();
  out->storage.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const auto& [key, child] = node.entries[i];
    if (child.kind == TemplateNode::Kind::kConstant) {
      rendered[i] = &child.constant;
      continue;
    }
    // The input's `id`, `original_id` and `processors` in the previous config are what the
    // copy made of them, not what the node rendered.
    const bool child_same_node = same_node && !(top && IsCopyExtra(key));
    const Outcome o = RenderNode(child, ctx, previous_children[i], child_same_node,
                                 &out->storage.emplace_back(), &rendered[i]);
    if (o == Outcome::kFailed) return o;
    if (o == Outcome::kRemoved) {
      rendered[i] = nullptr;
      continue;
    }
    if (top && rendered[i]->is_list() && rendered[i]->as_list().empty() &&
        !child.items.empty() && key == "streams") {
      ctx.result->reason = "the conditions of all its streams are false";
      for (size_t f = 0; f < ctx.false_conditions.size(); ++f) {
        absl::StrAppend(&ctx.result->reason, f == 0 ? ": '" : ", '", ctx.false_conditions[f],
                        "'");
      }
      return Outcome::kRemoved;
    }
  }
  out->entries.clear();
  bool same = previous_map != nullptr;
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t i = order[k];
    if (rendered[i] == nullptr) continue;
    // The previous map's own entry when identical: composing the map then knows its key.
    const bool same_value = SameValue(previous_children[i], rendered[i]);
    out->entries.emplace_back(node.entries[i].first,
                              same_value ? previous_children[i] : rendered[i]);
    same = same && same_value;
  }
  // Every kept key was found in the previous map: equal sizes mean the same keys.
  out->same_as_previous = same && out->entries.size() == previous_map->size();
  return Outcome::kOk;
}

Outcome RenderNode(const TemplateNode& node, RenderContext& ctx, const Value* previous,
                   bool same_node, Value* storage, const Value** out) {
  switch (node.kind) {
    case TemplateNode::Kind::kConstant:
      *out = &node.constant;
      return Outcome::kOk;
    case TemplateNode::Kind::kScalar: {
      std::string missing;
      if (!node.scalar->RenderShared(ctx.vars, previous, storage, out, &missing)) {
        ctx.result->reason = absl::StrCat("no value for ", missing, " at ",
                                          node.position.ToString(), " and no fallback");
        return Outcome::kFailed;
      }
      if (ctx.record != nullptr && node.replay_index >= 0) {
        ctx.record->values[node.replay_index] = **out;
      }
      return Outcome::kOk;
    }
    case TemplateNode::Kind::kList: {
      // Room only for the items that render (reserved first: it does not move).
      absl::InlinedVector<Value, 8> item_storage;
      item_storage.reserve(node.items.size());
      absl::InlinedVector<const Value*, 8> items;
      const Value::List* previous_items =
          previous != nullptr && previous->is_list() ? &previous->as_list() : nullptr;
      bool items_stay = same_node;  // no item can be removed: positions pair items exactly
      for (size_t i = 0; i < node.items.size() && items_stay; ++i) {
        items_stay = node.items[i].kind != TemplateNode::Kind::kMap || node.items[i].condition < 0;
      }
      for (size_t i = 0; i < node.items.size(); ++i) {
        // Items removed by a condition shift the rest: pair by position in the output.
        const size_t k = items.size();
        const Value* previous_item =
            previous_items != nullptr && k < previous_items->size() ? &(*previous_items)[k]
                                                                    : nullptr;
        const Value* item = nullptr;
        const Outcome o =
            node.items[i].kind == TemplateNode::Kind::kConstant
                ? (item = &node.items[i].constant, Outcome::kOk)
                : RenderNode(node.items[i], ctx, previous_item, items_stay,
                             &item_storage.emplace_back(), &item);
        if (o == Outcome::kFailed) return o;
        if (o == Outcome::kOk) items.push_back(item);
      }
      *out = ComposeList(items, previous, storage);
      return Outcome::kOk;
    }
    case TemplateNode::Kind::kMap: {
      MapRender map;
      const Outcome o = RenderMapEntries(node, ctx, /*top=*/false, previous, same_node, &map);
      if (o != Outcome::kOk) return o;
      *out = map.same_as_previous ? previous
             : map.whole != nullptr ? map.whole
                                    : ComposeMapComparingKeys(map.entries, nullptr, storage);
      return Outcome::kOk;
    }
  }
  return Outcome::kFailed;
}

// The copy's processors: the mapping's first, then the input's own; null when there are none
// (the rendered `processors` entry, if any, then stays as it is).
const Value* CopyProcessors(const CopyInfo& copy, const Entries& entries, const Value* previous,
                            Value* storage) {
  absl::InlinedVector<const Value*, 8> items;
  if (copy.processors != nullptr && copy.processors->is_list()) {
    for (const Value& p : copy.processors->as_list()) items.push_back(&p);
  }
  if (const Value* own = FindEntry(entries, "processors"); own != nullptr && own->is_list()) {
    for (const Value& p : own->as_list()) items.push_back(&p);
  }
  if (items.empty()) return nullptr;
  return ComposeList(items, previous, storage);
}

// Whether `id`, recorded by a render with `plan`, is the id of `copy` (of no copy: the plain
// id). Such a render made it from the plan's base id, so only the suffix can differ.
bool RecordedFor(absl::string_view id, const ReplayPlan& plan, const CopyInfo* copy) {
  return copy == nullptr ? id.size() == plan.base_id.size()
                         : HasCopySuffix(id, plan.base_id.size(), *copy);
}

// Replays `plan` over `vars` (replay_plan.h): true when every condition decides and every
// scalar renders as in the full render that recorded `result` (which was on, for this copy):
// its config, id and reason stay as they are. False: the caller renders in full.
bool Replay(const ReplayPlan& plan, const InputSpec& input, const conditions::VariableReader& vars,
            bool strict, const CopyInfo* copy, RenderResult* result) {
  const ReplayRecord* record = result->replay_record.get();
  if (record == nullptr || !RecordedFor(result->id, plan, copy)) return false;
  if (copy != nullptr) {
    static const Value* const kNoProcessors = new Value();
    if (!record->processors.Identical(copy->processors != nullptr ? *copy->processors
                                                                         : *kNoProcessors)) {
      return false;
    }
  }
  const std::vector<ReplayStep>& steps = plan.steps;
  for (size_t i = 0; i < steps.size();) {
    const ReplayStep& step = steps[i];
    if (step.condition >= 0) {
      const ConditionSpec& spec = input.conditions[step.condition];
      ++result->evaluations;
      const absl::StatusOr<bool> verdict = spec.compiled->Evaluate(vars, strict);
      if (!verdict.ok() || *verdict != (record->verdicts[step.condition] != 0)) {
        return false;
      }
      i += *verdict ? 1 : 1 + step.skip;  // a false gate: its map was not rendered
      continue;
    }
    if (!step.scalar->RendersTo(vars, record->values[step.index])) return false;
    ++i;
  }
  // The same conditions read the same variables, in the same order: only values can differ.
  std::vector<std::pair<std::string, Value>>& noted = result->variables;
  if (noted.size() != record->read.size()) return false;
  for (size_t k = 0; k < noted.size(); ++k) {
    const Value& v = NotedValue(vars, record->read[k]);
    if (!noted[k].second.Identical(v)) noted[k].second = v;
  }
  return true;
}

}  // namespace

bool RenderInputInto(const InputSpec& input, const conditions::VariableReader& vars, bool strict,
                     const CopyInfo* copy, RenderResult* result) {
  result->was_on = result->on;
  ++result->renders;
  result->replayed = false;
  const ReplayPlan* plan = input.replay.get();
  if (plan != nullptr && result->on && result->replay_plan == plan->id &&
      result->config.is_map()) {
    result->evaluations = 0;
    if (Replay(*plan, input, vars, strict, copy, result)) {
      result->replayed = true;
      return false;
    }
  }
  result->on = false;
  result->failed = false;
  result->reason.clear();
  result->evaluations = 0;
  // The previous config stays untouched until the end: every previous_* pointer points into it.
  const Value* previous = result->config.is_map() ? &result->config : nullptr;

  // A copy's previous config composed from every key of the template is paired by position.
  const TopLayout* previous_layout = nullptr;
  if (copy != nullptr && copy->layouts != nullptr && previous != nullptr &&
      result->layout_map == &previous->as_map()) {
    previous_layout = copy->layouts->For(result->layout_extras);
    if (previous_layout != nullptr && previous_layout->size != previous->as_map().size()) {
      previous_layout = nullptr;
    }
  }

  RenderContext ctx{input, vars, strict, result};
  result->replay_plan = 0;  // recorded again below when this render ends on
  if (plan != nullptr) {
    ctx.record = &result->replay_record.GetOrCreate();
    ctx.record->read.clear();
    ctx.record->verdicts.resize(input.conditions.size());
    ctx.record->values.resize(static_cast<size_t>(plan->scalars));
  }
  MapRender top;
  Outcome outcome = Outcome::kOk;
  if (input.body.kind == TemplateNode::Kind::kMap) {
    outcome = RenderMapEntries(input.body, ctx, /*top=*/true, previous, /*same_node=*/true, &top,
                               previous_layout);
  } else if (input.body.constant.is_map()) {  // an input without `${}` or conditions
    for (const auto& [key, value] : input.body.constant.as_map()) top.entries.emplace_back(key, &value);
    top.same_as_previous = SameValue(previous, &input.body.constant);
    top.whole = &input.body.constant;
  }
  result->variables.erase(result->variables.begin() + static_cast<std::ptrdiff_t>(ctx.noted),
                          result->variables.end());

  // The id: the rendered `id` as text (else the policy's), with the copy's suffix.
  const Value* rendered_id = outcome == Outcome::kOk ? FindEntry(top.entries, "id") : nullptr;
  Value original_id_storage, id_storage, processors_storage;
  bool extras = false;  // entries added to (or replaced in) the rendered map
  CopyExtras set;
  const CopyExtras previous_extras =
      outcome != Outcome::kOk       ? CopyExtras{}
      : previous_layout != nullptr ? CopyExtrasAt(*previous_layout, previous->as_map())
                                    : FindCopyExtras(previous);
  if (copy != nullptr && rendered_id != nullptr && rendered_id->is_string() &&
      previous_extras.original_id != nullptr && previous_extras.original_id->is_string() &&
      previous_extras.original_id->as_string() == rendered_id->as_string() &&
      IsCopyId(result->id, rendered_id->as_string(), *copy)) {
    // The same id as last time (a copy's usual case): nothing to build.
    extras = true;
    set.original_id = previous_extras.original_id;
  } else {
    // The id: the rendered `id` as text (else the policy's), with the copy's suffix.
    thread_local std::string id;
    id.clear();
    if (rendered_id != nullptr) {
      AppendStringified(*rendered_id, &id);
    } else {
      id.append(input.id);
    }
    if (outcome == Outcome::kOk && copy != nullptr) {
      extras = true;
      set.original_id = ReuseString(id, previous_extras.original_id, &original_id_storage);
    }
    if (copy != nullptr) absl::StrAppend(&id, "-", copy->provider, "-", copy->mapping_id);
    if (result->id != id) result->id.assign(id);
  }
  if (outcome != Outcome::kOk) return false;

  if (rendered_id == nullptr || !rendered_id->is_string() || copy != nullptr) {
    extras = true;
    set.id = ReuseString(result->id, previous_extras.id, &id_storage);
  }
  if (copy != nullptr) {
    set.processors =
        CopyProcessors(*copy, top.entries, previous_extras.processors, &processors_storage);
  }
  // Every key of the template rendered: the copy's entries go where the layout says.
  const TopLayout* layout =
      extras && copy != nullptr && copy->layouts != nullptr && top.whole == nullptr &&
              top.entries.size() == input.body.entries.size()
          ? copy->layouts->For(ExtrasOf(set))
          : nullptr;
  Entries merged;
  if (layout != nullptr) {
    PlaceCopyEntries(*layout, set, top.entries, &merged);
  } else if (extras) {
    MergeCopyEntries(set, top.entries, &merged);
  }
  const Entries& entries = extras ? merged : top.entries;
  result->on = true;
  if (plan != nullptr) {
    result->replay_plan = plan->id;
    if (copy != nullptr && copy->processors != nullptr) {
      ctx.record->processors = *copy->processors;
    } else {
      ctx.record->processors = Value();
    }
  }
  if (!extras && top.same_as_previous) return false;
  if (!extras && top.whole != nullptr) {
    result->config = *top.whole;
    result->layout_map = nullptr;
    return true;
  }
  Value config_storage;
  const Value* config = ComposeMapComparingKeys(entries, previous, &config_storage);
  if (config == previous) return false;  // the same keys: `layout_map` stays true
  result->config = std::move(config_storage);
  result->layout_map = layout != nullptr ? &result->config.as_map() : nullptr;
  result->layout_extras = ExtrasOf(set);
  return true;
}

RenderResult RenderInput(const InputSpec& input, const conditions::VariableReader& vars,
                         bool strict, const CopyInfo* copy) {
  RenderResult result;
  if (copy != nullptr) result.mapping_id = std::string(copy->mapping_id);
  RenderInputInto(input, vars, strict, copy, &result);
  return result;
}

std::string DynamicProviderOf(const InputSpec& input,
                              const std::function<bool(absl::string_view)>& is_dynamic) {
  for (const std::string& ns : input.namespaces) {
    if (is_dynamic(ns)) return ns;
  }
  return "";
}

namespace {

bool IsIdKey(absl::string_view key) { return key == "id" || key == "original_id"; }

uint64_t Mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

// A config's values, in order, with each list's and map's size. Keys are left out: the copies
// of an input share the template's keys, and hashing them cost as much as the values. Equal
// configs hash equal; the rare unequal ones that collide are told apart by EqualWithoutIds.
uint64_t HashOf(const Value& value, uint64_t h) {
  h = Mix(h, static_cast<uint64_t>(value.type()));
  switch (value.type()) {
    case Value::Type::kNull:
      return h;
    case Value::Type::kBool:
      return Mix(h, value.as_bool() ? 1 : 0);
    case Value::Type::kInt:
      return Mix(h, static_cast<uint64_t>(value.as_int()));
    case Value::Type::kDouble:
      return Mix(h, absl::Hash<double>{}(value.as_double()));
    case Value::Type::kString:
      return Mix(h, absl::Hash<absl::string_view>{}(value.as_string()));
    case Value::Type::kList:
      for (const Value& item : value.as_list()) h = HashOf(item, h);
      return Mix(h, value.as_list().size());
    case Value::Type::kMap:
      for (const auto& [key, item] : value.as_map()) h = HashOf(item, h);
      return Mix(h, value.as_map().size());
  }
  return h;
}

// "Identical copies" compare the rendered configs without their ids: hash first, compare the
// few that collide.
uint64_t HashWithoutIds(const Value& config) {
  uint64_t h = 0;
  for (const auto& [key, item] : config.as_map()) {
    if (!IsIdKey(key)) h = HashOf(item, h);
  }
  return h;
}

bool EqualWithoutIds(const Value& a, const Value& b) {
  auto ia = a.as_map().begin(), ea = a.as_map().end();
  auto ib = b.as_map().begin(), eb = b.as_map().end();
  while (true) {
    while (ia != ea && IsIdKey(ia->first)) ++ia;
    while (ib != eb && IsIdKey(ib->first)) ++ib;
    if (ia == ea || ib == eb) return ia == ea && ib == eb;
    if (ia->first != ib->first || ia->second != ib->second) return false;
    ++ia, ++ib;
  }
}

// Re-rendering walks each copy's previous config beside the template, and a copy's maps lie
// apart in memory from the previous copy's: ask for the next copies' while this one renders.
// `Header` reads only the RenderResult (its map object and noted variables); `Entries` reads
// the map object, so it is asked for a copy whose header was asked for an iteration before.
void PrefetchHeader(const RenderResult& result) {
  if (result.config.is_map()) __builtin_prefetch(&result.config.as_map());
  __builtin_prefetch(result.variables.data());
}
void PrefetchEntries(const RenderResult& result) {
  if (!result.config.is_map()) return;
  const Value::Map& map = result.config.as_map();
  if (map.empty()) return;
  const char* begin = reinterpret_cast<const char*>(&*map.begin());
  const size_t bytes = map.size() * sizeof(*map.begin());
  for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(begin + offset);
}

}  // namespace

std::vector<RenderResult> RenderInputCopies(const InputSpec& input,
                                            const conditions::VariableReader& context,
                                            absl::string_view provider,
                                            const std::vector<MappingView>& mappings,
                                            bool strict) {
  std::vector<RenderResult> copies;
  std::vector<RenderResult> removed;
  RenderInputCopiesInto(input, context, provider, mappings, strict, &copies, &removed);
  return copies;
}

void RenderInputCopiesInto(const InputSpec& input, const conditions::VariableReader& context,
                           absl::string_view provider, const std::vector<MappingView>& mappings,
                           bool strict, std::vector<RenderResult>* copies,
                           std::vector<RenderResult>* removed) {
  if (provider.empty() || mappings.empty()) {
    // One result, rendered in place over the previous one when that was the same kind.
    if (copies->size() != 1 || !(*copies)[0].mapping_id.empty()) {
      for (RenderResult& gone : *copies) removed->push_back(std::move(gone));
      copies->clear();
      copies->emplace_back();
    }
    RenderResult& result = copies->front();
    if (provider.empty()) {
      RenderInputInto(input, context, strict, nullptr, &result);
      return;
    }
    result.was_on = result.on;
    ++result.renders;
    result.on = false;
    result.failed = false;
    result.evaluations = 0;
    result.variables.clear();
    result.replay_plan = 0;
    result.id = input.id;
    result.reason = absl::StrCat("dynamic provider '", provider, "' has no mappings");
    return;
  }
  absl::flat_hash_map<uint64_t, absl::InlinedVector<size_t, 1>> seen;  // hash -> copies index
  // Keeps `result` (just rendered) as the next copy unless it duplicates an earlier one.
  auto is_duplicate = [&](const RenderResult& result, size_t index) {
    if (!result.on) return false;
    absl::InlinedVector<size_t, 1>& same_hash = seen[result.config_hash];
    for (size_t i : same_hash) {
      if (EqualWithoutIds((*copies)[i].config, result.config)) return true;
    }
    same_hash.push_back(index);
    return false;
  };
  CopyLayouts layouts(input.body);  // shared by the copies
  // Returns true when the copy is on with a new config or was off: it may now duplicate another.
  auto render = [&](const MappingView& mapping, RenderResult* result) {
    CopyInfo copy{provider, mapping.id, mapping.processors, &layouts};
    const bool changed = RenderInputInto(input, *mapping.reader, strict, &copy, result);
    if (changed && result->on) result->config_hash = HashWithoutIds(result->config);
    return result->on && (changed || !result->was_on);
  };

  // The usual case: the same mappings as last time, none of them a duplicate then. Each copy is
  // rendered where it is, and a copy moves only to close the gap a new duplicate leaves.
  bool same_mappings = copies->size() == mappings.size();
  for (size_t i = 0; i < mappings.size() && same_mappings; ++i) {
    same_mappings = (*copies)[i].mapping_id == mappings[i].id;
  }
  // No copy was a duplicate of another then, so duplicates are looked for only from the first
  // copy that may have become one (the copies before it are as they were).
  if (same_mappings) {
    size_t kept = 0;
    bool checking = false;
    for (size_t i = 0; i < mappings.size(); ++i) {
      if (i + 2 < mappings.size()) PrefetchHeader((*copies)[i + 2]);
      if (i + 1 < mappings.size()) PrefetchEntries((*copies)[i + 1]);
      RenderResult& result = (*copies)[i];
      if (render(mappings[i], &result) && !checking) {
        checking = true;
        seen.reserve(mappings.size());
        for (size_t k = 0; k < kept; ++k) is_duplicate((*copies)[k], k);  // none is: recorded
      }
      if (checking && is_duplicate(result, kept)) {
        removed->push_back(std::move(result));
        continue;
      }
      if (kept != i) (*copies)[kept] = std::move(result);
      ++kept;
    }
    copies->erase(copies->begin() + static_cast<std::ptrdiff_t>(kept), copies->end());
    return;
  }

  seen.reserve(mappings.size());
  std::vector<RenderResult> previous = std::move(*copies);
  copies->clear();
  copies->reserve(mappings.size());
  size_t next_previous = 0;  // both lists are in mapping id order: one merge walk
  for (const MappingView& mapping : mappings) {
    while (next_previous < previous.size() &&
           previous[next_previous].mapping_id < mapping.id) {
      removed->push_back(std::move(previous[next_previous++]));
    }
    if (next_previous < previous.size() && previous[next_previous].mapping_id == mapping.id) {
      copies->push_back(std::move(previous[next_previous++]));
    } else {
      copies->emplace_back().mapping_id = std::string(mapping.id);
    }
    RenderResult& result = copies->back();
    render(mapping, &result);
    if (is_duplicate(result, copies->size() - 1)) {
      removed->push_back(std::move(result));
      copies->pop_back();
    }
  }
  while (next_previous < previous.size()) removed->push_back(std::move(previous[next_previous++]));
}

}  // namespace gatehouse::policy
