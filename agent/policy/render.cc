#include "agent/policy/render.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::policy {
namespace {

enum class Outcome { kOk, kRemoved, kFailed };

struct RenderContext {
  const InputSpec& input;
  const conditions::VariableReader& vars;
  bool strict;
  RenderResult* result;
  // Texts of the nested conditions found false (unique), for the "all streams removed" reason.
  std::vector<absl::string_view> false_conditions;
};

void NoteVariables(const CompiledCondition& condition, RenderContext& ctx) {
  for (const auto& [path, slot] : condition.variables()) {
    bool seen = false;
    for (const auto& [p, unused] : ctx.result->variables) seen = seen || p == path;
    if (seen) continue;
    const Value* v = ctx.vars.Read(slot);
    ctx.result->variables.emplace_back(path, v != nullptr ? *v : Value());
  }
}

Outcome RenderNode(const TemplateNode& node, RenderContext& ctx, bool top, Value* out) {
  switch (node.kind) {
    case TemplateNode::Kind::kConstant:
      *out = node.constant;
      return Outcome::kOk;
    case TemplateNode::Kind::kScalar: {
      std::string missing;
      if (!node.scalar->Render(ctx.vars, out, &missing)) {
        ctx.result->reason = absl::StrCat("no value for ", missing, " at ",
                                          node.position.ToString(), " and no fallback");
        return Outcome::kFailed;
      }
      return Outcome::kOk;
    }
    case TemplateNode::Kind::kList: {
      Value::List list;
      list.reserve(node.items.size());
      for (const TemplateNode& item : node.items) {
        Value v;
        const Outcome o = RenderNode(item, ctx, false, &v);
        if (o == Outcome::kFailed) return o;
        if (o == Outcome::kOk) list.push_back(std::move(v));
      }
      *out = Value(std::move(list));
      return Outcome::kOk;
    }
    case TemplateNode::Kind::kMap: {
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
      Value::Map map;
      for (const auto& [key, child] : node.entries) {
        Value v;
        const Outcome o = RenderNode(child, ctx, false, &v);
        if (o == Outcome::kFailed) return o;
        if (o == Outcome::kRemoved) continue;
        if (top && key == "streams" && v.is_list() && v.as_list().empty() &&
            !child.items.empty()) {
          ctx.result->reason = "the conditions of all its streams are false";
          for (size_t i = 0; i < ctx.false_conditions.size(); ++i) {
            absl::StrAppend(&ctx.result->reason, i == 0 ? ": '" : ", '",
                            ctx.false_conditions[i], "'");
          }
          return Outcome::kRemoved;
        }
        map.emplace(key, std::move(v));
      }
      *out = Value(std::move(map));
      return Outcome::kOk;
    }
  }
  return Outcome::kFailed;
}

}  // namespace

RenderResult RenderInput(const InputSpec& input, const conditions::VariableReader& vars,
                         bool strict, const CopyInfo* copy) {
  RenderResult result;
  RenderContext ctx{input, vars, strict, &result};
  Value rendered;
  const Outcome outcome = RenderNode(input.body, ctx, true, &rendered);
  result.id = input.id;
  if (outcome != Outcome::kOk) {
    if (copy != nullptr) {
      result.id = absl::StrCat(input.id, "-", copy->provider, "-", copy->mapping_id);
    }
    return result;
  }
  Value::Map map = rendered.as_map();
  if (const Value* id = rendered.Find("id"); id != nullptr) {
    std::string text;
    AppendStringified(*id, &text);
    result.id = std::move(text);
  }
  if (copy != nullptr) {
    map["original_id"] = Value(result.id);
    result.id = absl::StrCat(result.id, "-", copy->provider, "-", copy->mapping_id);
    map["id"] = Value(result.id);
    Value::List processors;
    if (copy->processors != nullptr && copy->processors->is_list()) {
      processors = copy->processors->as_list();
    }
    if (const Value* own = rendered.Find("processors"); own != nullptr && own->is_list()) {
      processors.insert(processors.end(), own->as_list().begin(), own->as_list().end());
    }
    if (!processors.empty()) map["processors"] = Value(std::move(processors));
  } else {
    map["id"] = Value(result.id);
  }
  result.config = Value(std::move(map));
  result.on = true;
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
      for (const auto& [key, item] : value.as_map()) {
        h = HashOf(item, Mix(h, absl::Hash<absl::string_view>{}(key)));
      }
      return Mix(h, value.as_map().size());
  }
  return h;
}

// "Identical copies" compare the rendered configs without their ids: hash first, compare the
// few that collide.
uint64_t HashWithoutIds(const Value& config) {
  uint64_t h = 0;
  for (const auto& [key, item] : config.as_map()) {
    if (!IsIdKey(key)) h = HashOf(item, Mix(h, absl::Hash<absl::string_view>{}(key)));
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

}  // namespace

std::vector<RenderResult> RenderInputCopies(const InputSpec& input,
                                            const conditions::VariableReader& context,
                                            absl::string_view provider,
                                            const std::vector<MappingView>& mappings,
                                            bool strict) {
  std::vector<RenderResult> results;
  if (provider.empty()) {
    results.push_back(RenderInput(input, context, strict));
    return results;
  }
  if (mappings.empty()) {
    RenderResult none;
    none.id = input.id;
    none.reason = absl::StrCat("dynamic provider '", provider, "' has no mappings");
    results.push_back(std::move(none));
    return results;
  }
  absl::flat_hash_map<uint64_t, std::vector<size_t>> seen;  // hash -> indexes into results
  results.reserve(mappings.size());
  for (const MappingView& mapping : mappings) {
    CopyInfo copy{provider, mapping.id, mapping.processors};
    RenderResult result = RenderInput(input, *mapping.reader, strict, &copy);
    if (result.on) {
      std::vector<size_t>& same_hash = seen[HashWithoutIds(result.config)];
      bool duplicate = false;
      for (size_t i : same_hash) {
        duplicate = duplicate || EqualWithoutIds(results[i].config, result.config);
      }
      if (duplicate) continue;
      same_hash.push_back(results.size());
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace gatehouse::policy
