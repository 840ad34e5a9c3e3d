// `gatehouse plugins [--json] [--plugin-dir DIR]`: every provider, input and output factory in
// the registries, with its kind, origin and option table (the documentation, as data).
#include <iostream>
#include <string>

#include "agent/cli/command.h"
#include "agent/input/input.h"
#include "agent/output/output.h"
#include "agent/plugin/plugin_loader.h"
#include "agent/provider/provider.h"
#include "agent/registry/options.h"
#include "agent/registry/registry.h"
#include "common/value.h"

namespace gatehouse::cli {
namespace {

Value Describe(absl::string_view name, absl::string_view origin, absl::string_view description,
               const OptionTable& options) {
  return Value(Value::Map{{"name", name},
                          {"origin", origin},
                          {"description", description},
                          {"options", OptionTableToValue(options)}});
}

Value Catalog() {
  Value::List providers, inputs, outputs;
  const auto& provider_registry = Registry<ProviderFactory>::Global();
  for (const ProviderFactory* f : provider_registry.List()) {
    Value::Map entry = Describe(f->name(), provider_registry.OriginOf(f->name()), f->description(),
                                f->options())
                           .as_map();
    entry["kind"] = Value(f->kind() == ProviderFactory::Kind::kDynamic ? "dynamic" : "context");
    providers.push_back(Value(std::move(entry)));
  }
  const auto& input_registry = Registry<InputFactory>::Global();
  for (const InputFactory* f : input_registry.List()) {
    Value::Map entry =
        Describe(f->name(), input_registry.OriginOf(f->name()), f->description(), f->options())
            .as_map();
    entry["stream_options"] = OptionTableToValue(f->stream_options());
    inputs.push_back(Value(std::move(entry)));
  }
  const auto& output_registry = Registry<OutputFactory>::Global();
  for (const OutputFactory* f : output_registry.List()) {
    outputs.push_back(
        Describe(f->name(), output_registry.OriginOf(f->name()), f->description(), f->options()));
  }
  return Value(Value::Map{{"providers", Value(std::move(providers))},
                          {"inputs", Value(std::move(inputs))},
                          {"outputs", Value(std::move(outputs))}});
}

std::string Pad(absl::string_view text, size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string DefaultText(const Value& value) {
  if (value.is_null()) return "-";
  return value.is_string() ? value.as_string() : value.ToJson();
}

void PrintOptions(const Value& options, const char* heading, std::ostream& out) {
  if (options.as_list().empty()) return;
  out << "    " << heading << "\n";
  for (const Value& option : options.as_list()) {
    out << "      " << Pad(option.Find("name")->as_string(), 22) << " "
        << Pad(option.Find("type")->as_string(), 9) << " "
        << Pad(option.Find("required")->as_bool() ? "required"
                                                  : "default " + DefaultText(*option.Find("default")),
               20)
        << " " << option.Find("description")->as_string() << "\n";
  }
}

void PrintHuman(const Value& catalog, std::ostream& out) {
  for (const char* category : {"providers", "inputs", "outputs"}) {
    const Value::List& entries = catalog.Find(category)->as_list();
    out << category << " (" << entries.size() << ")\n";
    for (const Value& entry : entries) {
      out << "  " << Pad(entry.Find("name")->as_string(), 26);
      if (const Value* kind = entry.Find("kind")) out << " " << Pad(kind->as_string(), 8);
      out << " " << entry.Find("origin")->as_string() << "\n";
      out << "    " << entry.Find("description")->as_string() << "\n";
      PrintOptions(*entry.Find("options"), "options:", out);
      if (const Value* streams = entry.Find("stream_options")) {
        PrintOptions(*streams, "stream options:", out);
      }
    }
    out << "\n";
  }
}

}  // namespace

void AddPluginsCommand(CLI::App& app, int& exit_code) {
  CLI::App* command =
      app.add_subcommand("plugins", "List every provider, input and output with its options");
  // Flags live as long as the app parses and runs (the whole process).
  static bool* const json = new bool(false);
  static std::string* const plugin_dir = new std::string();
  command->add_flag("--json", *json, "Print the catalogue as JSON");
  command->add_option("--plugin-dir", *plugin_dir,
                      "Load lib*_provider.so plugins from this folder first");
  command->callback([&exit_code] {
    if (!plugin_dir->empty()) {
      auto report = LoadProviderPluginDirectory(*plugin_dir);
      if (!report.ok()) {
        std::cerr << "gatehouse plugins: " << report.status().message() << "\n";
        exit_code = kExitUsage;
        return;
      }
      for (const absl::Status& refused : report->refused) {
        std::cerr << "gatehouse plugins: " << refused.message() << "\n";
      }
    }
    const Value catalog = Catalog();
    if (*json) {
      std::cout << catalog.ToJson() << "\n";
    } else {
      PrintHuman(catalog, std::cout);
    }
    exit_code = kExitOk;
  });
}

}  // namespace gatehouse::cli
