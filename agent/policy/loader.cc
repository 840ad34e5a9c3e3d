#include "agent/policy/loader.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/input/input.h"
#include "agent/pipeline/processors.h"
#include "agent/policy/replay_plan.h"
#include "agent/provider/provider.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "common/status_macros.h"
#include "common/value_yaml.h"

namespace gatehouse::policy {
namespace {

// agent.render.threads: more than this is a typo, not a node.
constexpr int kMaxRenderThreads = 64;

// Reads nothing: for templates made only of literal text and escapes.
class NoVariables final : public conditions::VariableReader {
 public:
  const Value* Read(conditions::Slot) const override { return nullptr; }
};

std::string WarningAt(const Position& position, absl::string_view message) {
  return absl::StrCat(position.ToString(), ": warning: ", message);
}

// The source line `line` (1-based) of `text`.
absl::string_view SourceLine(absl::string_view text, int line) {
  size_t start = 0;
  for (int i = 1; i < line && start != absl::string_view::npos; ++i) {
    start = text.find('\n', start);
    if (start != absl::string_view::npos) ++start;
  }
  if (start == absl::string_view::npos || start > text.size()) return {};
  size_t end = text.find('\n', start);
  return text.substr(start, end == absl::string_view::npos ? absl::string_view::npos : end - start);
}

std::string WithCaret(absl::string_view text, const Position& position) {
  absl::string_view line = SourceLine(text, position.line);
  if (line.empty()) return "";
  std::string caret(position.column > 0 ? position.column - 1 : 0, ' ');
  for (size_t i = 0; i < caret.size() && i < line.size(); ++i) {
    if (line[i] == '\t') caret[i] = '\t';
  }
  return absl::StrCat("\n  ", line, "\n  ", caret, "^");
}

struct InputBuilder {
  absl::string_view source;
  const LoadOptions* options;
  const Policy* policy;
  InputSpec* input;
  std::set<std::string> namespaces;
  std::set<conditions::Slot> slots;
  // First place each namespace is read (for the "no provider publishes it" warning).
  std::map<std::string, Position>* namespace_first_use;

  void NoteVariable(absl::string_view path, conditions::Slot slot, const Position& where) {
    std::string ns(path.substr(0, path.find('.')));
    namespace_first_use->emplace(ns, where);
    namespaces.insert(std::move(ns));
    slots.insert(slot);
  }

  // Maps a position inside the condition text (1-based line/column) onto the file.
  Position ConditionPosition(const YamlNode& node, int line, int column) {
    Position p = node.position;
    if (line > 1 || node.position.offset < 0) {
      p.line += line - 1;
      if (line > 1) p.column = column;
      return p;
    }
    // Walk the source from the scalar's first character, counting escapes as YAML reads them.
    size_t offset = static_cast<size_t>(node.position.offset);
    if (node.quote_char != 0) ++offset;
    for (int i = 1; i < column && offset < source.size(); ++i) {
      if (node.quote_char == '\'' && source.compare(offset, 2, "''") == 0) {
        offset += 2;
      } else if (node.quote_char == '"' && source[offset] == '\\') {
        offset += 2;
      } else {
        ++offset;
      }
    }
    p.column += static_cast<int>(offset - node.position.offset);
    p.offset = static_cast<int>(offset);
    return p;
  }

  absl::StatusOr<int> CompileCondition(const YamlNode& node, const std::string& where) {
    std::string text;
    if (node.is_scalar()) {
      const Value typed = YamlScalarToValue(node.text, node.quoted);
      text = typed.is_bool() ? (typed.as_bool() ? "true" : "false") : node.text;
    } else {
      return ErrorAt(node.position, absl::StrCat("'condition' must be a string or a boolean (key '",
                                                 where, ".condition')"));
    }
    ConditionCompileError error;
    auto compiled = options->compiler(text, options->resolver, &error);
    if (!compiled.ok()) {
      const Position at = ConditionPosition(node, error.line, error.column);
      return absl::InvalidArgumentError(absl::StrCat(
          at.ToString(), ": error: condition: ",
          error.message.empty() ? std::string(compiled.status().message()) : error.message,
          " (key '", where, ".condition')", WithCaret(source, at)));
    }
    for (const auto& [path, slot] : (*compiled)->variables()) NoteVariable(path, slot, node.position);
    ConditionSpec spec{text, node.position, where, *std::move(compiled)};
    input->conditions.push_back(std::move(spec));
    return static_cast<int>(input->conditions.size() - 1);
  }

  absl::StatusOr<TemplateNode> Build(const YamlNode& node, const std::string& where) {
    TemplateNode out;
    out.position = node.position;
    switch (node.kind) {
      case YamlNode::Kind::kNull:
        return out;
      case YamlNode::Kind::kScalar: {
        if (node.text.find("${") == std::string::npos) {
          out.constant = YamlScalarToValue(node.text, node.quoted);
          return out;
        }
        Position start = node.position;
        if (node.quote_char != 0) ++start.column;
        auto parsed = ScalarTemplate::Parse(node.text, start, policy->default_provider,
                                            options->resolver);
        if (!parsed.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(parsed.status().message(), " (key '", where, "')"));
        }
        if (!parsed->has_references()) {  // only `$${}` escapes
          Value literal;
          std::string unused;
          parsed->Render(NoVariables(), &literal, &unused);
          out.constant = literal;
          return out;
        }
        for (const Segment& segment : parsed->segments()) {
          if (!segment.is_reference) continue;
          for (const Alternative& alt : segment.reference.alternatives) {
            if (!alt.is_constant) NoteVariable(alt.text, alt.slot, node.position);
          }
        }
        out.kind = TemplateNode::Kind::kScalar;
        out.scalar = std::make_shared<const ScalarTemplate>(*std::move(parsed));
        return out;
      }
      case YamlNode::Kind::kList: {
        bool all_constant = true;
        for (size_t i = 0; i < node.items.size(); ++i) {
          ASSIGN_OR_RETURN(TemplateNode item,
                           Build(node.items[i], absl::StrCat(where, "[", i, "]")));
          all_constant = all_constant && item.kind == TemplateNode::Kind::kConstant;
          out.items.push_back(std::move(item));
        }
        if (all_constant) {
          Value::List list;
          for (TemplateNode& item : out.items) list.push_back(std::move(item.constant));
          out.items.clear();
          out.constant = Value(std::move(list));
        } else {
          out.kind = TemplateNode::Kind::kList;
        }
        return out;
      }
      case YamlNode::Kind::kMap: {
        bool all_constant = true;
        bool has_condition = false;
        for (const YamlNode::Entry& entry : node.entries) {
          if (entry.key == "condition") {
            ASSIGN_OR_RETURN(out.condition, CompileCondition(entry.value, where));
            has_condition = true;
            continue;
          }
          ASSIGN_OR_RETURN(TemplateNode child,
                           Build(entry.value, absl::StrCat(where, ".", entry.key)));
          all_constant = all_constant && child.kind == TemplateNode::Kind::kConstant;
          out.entries.emplace_back(entry.key, std::move(child));
        }
        if (all_constant && !has_condition) {
          Value::Map map;
          for (auto& [key, child] : out.entries) map.emplace(key, std::move(child.constant));
          out.entries.clear();
          out.constant = Value(std::move(map));
        } else {
          if (all_constant) {
            Value::Map map;
            for (const auto& [key, child] : out.entries) map.emplace(key, child.constant);
            out.constant_when_on = Value(std::move(map));
          }
          out.kind = TemplateNode::Kind::kMap;
          out.sorted_entries.resize(out.entries.size());
          for (uint32_t i = 0; i < out.sorted_entries.size(); ++i) out.sorted_entries[i] = i;
          std::sort(out.sorted_entries.begin(), out.sorted_entries.end(),
                    [&out](uint32_t a, uint32_t b) {
                      return out.entries[a].first < out.entries[b].first;
                    });
        }
        return out;
      }
    }
    return out;
  }
};

// The position of the key named in an ApplyOptions message ("... option 'a.b' ..."), else
// `fallback`.
Position PositionOfOptionError(const YamlNode* options, absl::string_view message,
                               const Position& fallback) {
  const size_t open = message.find("'", message.find("option"));
  if (options == nullptr || open == absl::string_view::npos) return fallback;
  const size_t close = message.find('\'', open + 1);
  if (close == absl::string_view::npos) return fallback;
  const YamlNode* node = options;
  const YamlNode::Entry* entry = nullptr;
  for (absl::string_view part : absl::StrSplit(message.substr(open + 1, close - open - 1), '.')) {
    if (node == nullptr) break;
    entry = node->FindEntry(part);
    node = entry == nullptr ? nullptr : &entry->value;
  }
  return entry != nullptr ? entry->key_position : fallback;
}

absl::Status CheckOutputExists(const Policy& policy, const YamlNode& use_output,
                               absl::string_view where) {
  if (!use_output.is_scalar()) {
    return ErrorAt(use_output.position,
                   absl::StrCat("'use_output' must name an output (key '", where, "')"));
  }
  if (policy.outputs.count(use_output.text) == 0) {
    std::vector<std::string> names;
    for (const auto& [name, unused] : policy.outputs) names.push_back(name);
    return ErrorAt(use_output.position,
                   absl::StrCat("output '", use_output.text, "' is not defined under 'outputs' (",
                                names.empty() ? std::string("none is")
                                              : absl::StrCat(absl::StrJoin(names, ", "), " are"),
                                " defined) (key '", where, "')"));
  }
  return absl::OkStatus();
}

// Checks `processors:` of a supported input and its streams.
absl::Status CheckProcessors(const YamlNode& node, const std::string& where,
                             const LoadOptions& options) {
  if (!node.is_map() && !node.is_list()) return absl::OkStatus();
  if (node.is_map()) {
    for (const YamlNode::Entry& entry : node.entries) {
      const std::string child_where = absl::StrCat(where, ".", entry.key);
      if (entry.key == "processors") {
        absl::Status s = options.validate_processors(entry.value.ToValue());
        if (!s.ok()) {
          return ErrorAt(entry.value.position,
                         absl::StrCat(s.message(), " (key '", child_where, "')"));
        }
      } else if (entry.key == "streams") {
        RETURN_IF_ERROR(CheckProcessors(entry.value, child_where, options));
      }
    }
    return absl::OkStatus();
  }
  for (size_t i = 0; i < node.items.size(); ++i) {
    RETURN_IF_ERROR(CheckProcessors(node.items[i], absl::StrCat(where, "[", i, "]"), options));
  }
  return absl::OkStatus();
}

LoadOptions WithDefaults(const LoadOptions& in) {
  LoadOptions out = in;
  if (!out.compiler) out.compiler = LanguageConditionCompiler();
  if (!out.find_provider) out.find_provider = FindRegisteredProvider;
  if (!out.input_supported) {
    out.input_supported = [](absl::string_view type) {
      return Registry<InputFactory>::Global().Find(type) != nullptr;
    };
  }
  if (!out.validate_processors) out.validate_processors = ::gatehouse::ValidateProcessors;
  return out;
}

}  // namespace

std::optional<ProviderInfo> FindRegisteredProvider(absl::string_view name) {
  const ProviderFactory* factory = Registry<ProviderFactory>::Global().Find(name);
  if (factory == nullptr) return std::nullopt;
  ProviderInfo info;
  info.dynamic = factory->kind() == ProviderFactory::Kind::kDynamic;
  info.apply_options = [factory](const Value& options) {
    static const std::vector<std::string> kPassthrough = {"enabled"};
    // `${}` in a value is substituted when the agent starts the provider: checked then.
    return ApplyOptionsBeforeSubstitution(options, factory->options(),
                                          absl::StrCat("provider '", factory->name(), "'"),
                                          kPassthrough);
  };
  return info;
}

absl::StatusOr<Policy> LoadPolicyText(absl::string_view text, absl::string_view file_name,
                                      const LoadOptions& raw_options) {
  if (raw_options.resolver == nullptr) {
    return absl::InvalidArgumentError("LoadPolicyText: no variable resolver");
  }
  const LoadOptions options = WithDefaults(raw_options);
  ASSIGN_OR_RETURN(YamlNode root, ParseYamlTree(text, file_name));
  Policy policy;
  policy.file = std::string(file_name);
  if (root.is_null()) return ErrorAt(root.position, "the policy is empty");
  if (!root.is_map()) return ErrorAt(root.position, "a policy must be a YAML mapping");

  // agent
  if (const YamlNode* agent = root.Find("agent"); agent != nullptr) {
    if (!agent->is_map() && !agent->is_null()) {
      return ErrorAt(agent->position, "'agent' must be a mapping (key 'agent')");
    }
    policy.agent = agent->ToValue();
    if (const YamlNode* conds = agent->Find("conditions"); conds != nullptr) {
      if (const YamlNode* strict = conds->Find("strict"); strict != nullptr) {
        const Value v = strict->ToValue();
        if (!v.is_bool()) {
          return ErrorAt(strict->position,
                         "'strict' must be true or false (key 'agent.conditions.strict')");
        }
        policy.strict = v.as_bool();
      }
    }
    if (const YamlNode* providers = agent->Find("providers"); providers != nullptr) {
      if (const YamlNode* def = providers->Find("default"); def != nullptr) {
        if (!def->is_scalar() || def->text.empty() || def->text.find('.') != std::string::npos) {
          return ErrorAt(def->position,
                         "'default' must be a provider name (key 'agent.providers.default')");
        }
        policy.default_provider = def->text;
      }
    }
    if (const YamlNode* render = agent->Find("render"); render != nullptr) {
      if (const YamlNode* threads = render->Find("threads"); threads != nullptr) {
        const Value v = threads->ToValue();
        if (!v.is_int() || v.as_int() < 1 || v.as_int() > kMaxRenderThreads) {
          return ErrorAt(threads->position,
                         absl::StrCat("'threads' must be an integer from 1 to ", kMaxRenderThreads,
                                      " (key 'agent.render.threads')"));
        }
        policy.render_threads = static_cast<int>(v.as_int());
      }
    }
    if (const YamlNode* monitoring = agent->Find("monitoring"); monitoring != nullptr) {
      policy.monitoring = monitoring->ToValue();
    }
  }
  if (options.force_strict) policy.strict = true;

  // outputs
  if (const YamlNode* outputs = root.Find("outputs"); outputs != nullptr && !outputs->is_null()) {
    if (!outputs->is_map()) {
      return ErrorAt(outputs->position, "'outputs' must be a mapping of name to output");
    }
    for (const YamlNode::Entry& entry : outputs->entries) {
      if (!entry.value.is_map()) {
        return ErrorAt(entry.key_position, absl::StrCat("output '", entry.key,
                                                        "' must be a mapping (key 'outputs.",
                                                        entry.key, "')"));
      }
      if (entry.value.Find("type") == nullptr) {
        return ErrorAt(entry.key_position, absl::StrCat("output '", entry.key,
                                                        "' has no 'type' (key 'outputs.",
                                                        entry.key, "')"));
      }
      policy.outputs.emplace(entry.key, entry.value.ToValue());
    }
  }
  if (const YamlNode* agent = root.Find("agent"); agent != nullptr) {
    if (const YamlNode* monitoring = agent->Find("monitoring"); monitoring != nullptr) {
      if (const YamlNode* use = monitoring->Find("use_output"); use != nullptr) {
        RETURN_IF_ERROR(CheckOutputExists(policy, *use, "agent.monitoring.use_output"));
      }
    }
  }

  // providers
  if (const YamlNode* providers = root.Find("providers");
      providers != nullptr && !providers->is_null()) {
    if (!providers->is_map()) {
      return ErrorAt(providers->position, "'providers' must be a mapping of name to options");
    }
    for (const YamlNode::Entry& entry : providers->entries) {
      ProviderSpec spec;
      spec.name = entry.key;
      spec.position = entry.key_position;
      Value raw = entry.value.ToValue();
      spec.raw_options = raw;
      if (const Value* enabled = raw.Find("enabled"); enabled != nullptr) {
        if (!enabled->is_bool()) {
          return ErrorAt(entry.value.Find("enabled")->position,
                         absl::StrCat("'enabled' must be true or false (key 'providers.",
                                      entry.key, ".enabled')"));
        }
        spec.enabled = enabled->as_bool();
      }
      std::optional<ProviderInfo> info = options.find_provider(entry.key);
      if (!info.has_value()) {
        policy.warnings.push_back(WarningAt(
            entry.key_position,
            absl::StrCat("provider '", entry.key, "' is not available in this build; its "
                                                  "variables will have no value")));
        spec.options = std::move(raw);
      } else {
        spec.known = true;
        if (info->apply_options) {
          auto applied = info->apply_options(raw);
          if (!applied.ok()) {
            const Position at = PositionOfOptionError(&entry.value, applied.status().message(),
                                                      entry.key_position);
            return absl::InvalidArgumentError(absl::StrCat(
                at.ToString(), ": error: ", applied.status().message(), " (key 'providers.",
                entry.key, "')"));
          }
          spec.options = *std::move(applied);
        } else {
          spec.options = std::move(raw);
        }
      }
      policy.providers.emplace(entry.key, std::move(spec));
    }
  }

  // inputs
  std::map<std::string, Position> namespace_first_use;
  if (const YamlNode* inputs = root.Find("inputs"); inputs != nullptr && !inputs->is_null()) {
    if (!inputs->is_list()) return ErrorAt(inputs->position, "'inputs' must be a list");
    std::map<std::string, Position> ids;
    for (size_t i = 0; i < inputs->items.size(); ++i) {
      const YamlNode& node = inputs->items[i];
      const std::string where = absl::StrCat("inputs[", i, "]");
      if (!node.is_map()) {
        return ErrorAt(node.position, absl::StrCat("an input must be a mapping (key '", where,
                                                   "')"));
      }
      InputSpec input;
      input.position = node.position;
      const YamlNode* type = node.Find("type");
      if (type == nullptr || !type->is_scalar() || type->text.empty()) {
        return ErrorAt(node.position,
                       absl::StrCat("an input needs a 'type' (key '", where, ".type')"));
      }
      input.type = type->text;
      const YamlNode* id = node.Find("id");
      if (id != nullptr && (!id->is_scalar() || id->text.empty())) {
        return ErrorAt(id->position, absl::StrCat("'id' must be a non-empty string (key '",
                                                  where, ".id')"));
      }
      input.id = id != nullptr ? id->text : absl::StrCat(input.type, "-", i);
      if (auto [it, inserted] = ids.emplace(input.id, node.position); !inserted) {
        return ErrorAt(id != nullptr ? id->position : node.position,
                       absl::StrCat("duplicate input id '", input.id, "' (first at line ",
                                    it->second.line, ") (key '", where, ".id')"));
      }
      if (const YamlNode* use = node.Find("use_output"); use != nullptr) {
        RETURN_IF_ERROR(CheckOutputExists(policy, *use, absl::StrCat(where, ".use_output")));
      }
      if (const YamlNode* streams = node.Find("streams");
          streams != nullptr && !streams->is_list() && !streams->is_null()) {
        return ErrorAt(streams->position,
                       absl::StrCat("'streams' must be a list (key '", where, ".streams')"));
      }
      input.supported = options.input_supported(input.type);
      if (input.supported) {
        RETURN_IF_ERROR(CheckProcessors(node, where, options));
      } else {
        policy.warnings.push_back(WarningAt(
            type->position, absl::StrCat("input '", input.id, "': type '", input.type,
                                         "' is not supported by this build; it will not run")));
      }
      InputBuilder builder{text, &options, &policy, &input, {}, {}, &namespace_first_use};
      ASSIGN_OR_RETURN(input.body, builder.Build(node, where));
      input.namespaces.assign(builder.namespaces.begin(), builder.namespaces.end());
      input.slots.assign(builder.slots.begin(), builder.slots.end());
      PrepareReplay(&input);
      policy.inputs.push_back(std::move(input));
    }
  }

  // Variables whose namespace no provider can publish.
  for (const auto& [ns, where] : namespace_first_use) {
    if (policy.providers.count(ns) > 0) continue;  // declared (warned above if unavailable)
    if (options.find_provider(ns).has_value()) continue;
    policy.warnings.push_back(WarningAt(
        where, absl::StrCat("no provider publishes variables under '", ns,
                            ".' (a typo?); references to it will have no value")));
  }
  return policy;
}

absl::StatusOr<Policy> LoadPolicyFile(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the policy file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return LoadPolicyText(buffer.str(), path, options);
}

}  // namespace gatehouse::policy
