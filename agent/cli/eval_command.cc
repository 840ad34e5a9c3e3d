// `gatehouse eval`: the command-line face of the condition language.
//   gatehouse eval [--vars FILE] [--var path=value ...] [--strict] 'EXPR'
//     prints true or false (exit 0); a compile error exits 2, an evaluation error 3, each with
//     the diagnostic on stderr.
//   gatehouse eval --batch [--strict]
//     JSON Lines on stdin ({"expr", "vars", "strict"}), one JSON line out per line in order:
//     {"result": bool} or {"error": "...", "kind": "parse"|"eval"}. A malformed line yields an
//     error line (kind "parse"), never a crash or a lost line.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/cli/command.h"
#include "common/value_json.h"
#include "common/value_yaml.h"
#include "conditions/conditions.h"
#include "nlohmann/json.hpp"

namespace gatehouse::cli {
namespace {

// Sets `path` (dotted) to `value` inside the nested map `root`, creating maps on the way.
Value WithPath(const Value& root, const std::vector<std::string>& segments, size_t index,
               Value value) {
  Value::Map map = root.as_map();  // a copy: Values are immutable
  if (index + 1 == segments.size()) {
    map.insert_or_assign(segments[index], std::move(value));
  } else {
    const Value* child = root.Find(segments[index]);
    map.insert_or_assign(segments[index],
                         WithPath(child != nullptr && child->is_map() ? *child : Value(Value::Map{}),
                                  segments, index + 1, std::move(value)));
  }
  return Value(std::move(map));
}

// `--var a.b=1`: the value is a YAML scalar ('x' and "x" are strings; [..] and {..} parse too).
absl::StatusOr<std::pair<std::string, Value>> ParseVarFlag(const std::string& flag) {
  const size_t equals = flag.find('=');
  if (equals == std::string::npos || equals == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--var '", flag, "': expected path=value, e.g. --var host.name=node-1"));
  }
  const std::string path = flag.substr(0, equals);
  const std::string text = flag.substr(equals + 1);
  for (absl::string_view segment : absl::StrSplit(path, '.')) {
    if (segment.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--var '", flag, "': the path has an empty part"));
    }
  }
  if (!text.empty() && (text[0] == '[' || text[0] == '{' || text[0] == '\'' || text[0] == '"')) {
    absl::StatusOr<Value> parsed = ParseYamlOrJson(text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--var '", flag, "': ", parsed.status().message()));
    }
    return std::make_pair(path, *std::move(parsed));
  }
  return std::make_pair(path, YamlScalarToValue(text, /*quoted=*/false));
}

absl::StatusOr<Value> LoadVariables(const std::string& vars_file,
                                    const std::vector<std::string>& var_flags) {
  Value root{Value::Map{}};
  if (!vars_file.empty()) {
    std::ifstream in(vars_file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("--vars ", vars_file, ": cannot read it"));
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<Value> parsed = ParseYamlOrJson(text.str());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--vars ", vars_file, ": ", parsed.status().message()));
    }
    if (!parsed->is_null() && !parsed->is_map()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--vars ", vars_file, ": expected a mapping (provider name -> mapping), got ",
          parsed->type_name()));
    }
    if (parsed->is_map()) root = *std::move(parsed);
  }
  for (const std::string& flag : var_flags) {
    absl::StatusOr<std::pair<std::string, Value>> var = ParseVarFlag(flag);
    if (!var.ok()) return var.status();
    root = WithPath(root, absl::StrSplit(var->first, '.'), 0, std::move(var->second));
  }
  return root;
}

int EvalOne(const std::string& expr, const Value& vars, bool strict) {
  conditions::MapVariables variables(vars);
  auto program = conditions::Compile(expr, {.resolver = &variables});
  if (!program.ok()) {
    std::cerr << program.status().message() << "\n";
    return kExitInvalidInput;
  }
  absl::StatusOr<bool> result = (*program)->Evaluate(variables, strict);
  if (!result.ok()) {
    std::cerr << result.status().message() << "\n";
    return kExitEvalError;
  }
  std::cout << (*result ? "true" : "false") << "\n";
  return kExitOk;
}

nlohmann::json ErrorLine(absl::string_view message, const char* kind) {
  return {{"error", std::string(message)}, {"kind", kind}};
}

nlohmann::json EvalBatchLine(const std::string& line, int line_number, bool default_strict) {
  const nlohmann::json input = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) {
    return ErrorLine(absl::StrCat("input line ", line_number, " is not valid JSON"), "parse");
  }
  if (!input.is_object()) {
    return ErrorLine(absl::StrCat("input line ", line_number, " must be a JSON object"), "parse");
  }
  auto expr = input.find("expr");
  if (expr == input.end() || !expr->is_string()) {
    return ErrorLine(absl::StrCat("input line ", line_number, ": \"expr\" must be a string"),
                     "parse");
  }
  bool strict = default_strict;
  if (auto it = input.find("strict"); it != input.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return ErrorLine(absl::StrCat("input line ", line_number, ": \"strict\" must be a boolean"),
                       "parse");
    }
    strict = it->get<bool>();
  }
  Value vars{Value::Map{}};
  if (auto it = input.find("vars"); it != input.end() && !it->is_null()) {
    if (!it->is_object()) {
      return ErrorLine(absl::StrCat("input line ", line_number, ": \"vars\" must be an object"),
                       "parse");
    }
    vars = JsonToValue(*it);
  }
  conditions::MapVariables variables(std::move(vars));
  auto program = conditions::Compile(expr->get_ref<const std::string&>(),
                                     {.resolver = &variables});
  if (!program.ok()) return ErrorLine(program.status().message(), "parse");
  absl::StatusOr<bool> result = (*program)->Evaluate(variables, strict);
  if (!result.ok()) return ErrorLine(result.status().message(), "eval");
  return {{"result", *result}};
}

int EvalBatch(bool default_strict) {
  std::string line;
  for (int line_number = 1; std::getline(std::cin, line); ++line_number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    nlohmann::json output = EvalBatchLine(line, line_number, default_strict);
    // Invalid UTF-8 in an expression must not lose the line: replace it in the output.
    std::cout << output.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  std::cout.flush();
  return kExitOk;
}

}  // namespace

void AddEvalCommand(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("eval", "Evaluate a condition expression");
  struct Options {
    std::string vars_file;
    std::vector<std::string> var_flags;
    bool strict = false;
    bool batch = false;
    std::string expr;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--vars", options->vars_file,
                      "YAML or JSON mapping of variables (provider name -> mapping)");
  command->add_option("--var", options->var_flags,
                      "path=value, value typed as a YAML scalar (repeatable)")
      ->allow_extra_args(false);  // one value per --var, so the expression stays positional
  command->add_flag("--strict", options->strict, "A missing variable is an error");
  command->add_flag("--batch", options->batch,
                    "Read JSON Lines {expr, vars, strict} on stdin, write one result line each");
  command->add_option("expr", options->expr, "The condition, e.g. '${host.platform} == \"linux\"'");
  command->callback([&exit_code, options] {
    if (options->batch) {
      if (!options->expr.empty() || !options->vars_file.empty() || !options->var_flags.empty()) {
        std::cerr << "gatehouse eval --batch reads everything from stdin: give no expression, "
                     "--vars or --var\n";
        exit_code = kExitUsage;
        return;
      }
      exit_code = EvalBatch(options->strict);
      return;
    }
    if (options->expr.empty()) {
      std::cerr << "gatehouse eval: give a condition to evaluate, or --batch\n";
      exit_code = kExitUsage;
      return;
    }
    absl::StatusOr<Value> vars = LoadVariables(options->vars_file, options->var_flags);
    if (!vars.ok()) {
      std::cerr << vars.status().message() << "\n";
      exit_code = kExitInvalidInput;
      return;
    }
    exit_code = EvalOne(options->expr, *vars, options->strict);
  });
}

}  // namespace gatehouse::cli
