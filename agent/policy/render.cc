#include "agent/policy/render.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace gatehouse::policy {
namespace {

enum class Outcome { kOk, kRemoved, kFailed };

struct RenderContext {
  const InputSpec& input;
  const conditions::VariableReader& vars;
  bool strict;
  RenderResult* result;
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

// The rendered config without its ids: what "identical copies" compares.
Value WithoutIds(const Value& config) {
  Value::Map map = config.as_map();
  map.erase("id");
  map.erase("original_id");
  return Value(std::move(map));
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
  std::vector<Value> seen;
  for (const MappingView& mapping : mappings) {
    CopyInfo copy{provider, mapping.id, mapping.processors};
    RenderResult result = RenderInput(input, *mapping.reader, strict, &copy);
    if (result.on) {
      Value key = WithoutIds(result.config);
      bool duplicate = false;
      for (const Value& v : seen) duplicate = duplicate || v == key;
      if (duplicate) continue;
      seen.push_back(std::move(key));
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace gatehouse::policy
