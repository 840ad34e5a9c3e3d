#include "agent/pipeline/processors.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/pipeline/event_fields.h"
#include "common/status_macros.h"
#include "common/value_json.h"

namespace gatehouse {
namespace {

// Merges `from` into `into`: objects merge key by key, anything else replaces.
void DeepMerge(Event* into, const Event& from) {
  if (!into->is_object() || !from.is_object()) {
    *into = from;
    return;
  }
  for (auto it = from.begin(); it != from.end(); ++it) {
    Event& slot = (*into)[it.key()];
    if (slot.is_object() && it.value().is_object()) {
      DeepMerge(&slot, it.value());
    } else {
      slot = it.value();
    }
  }
}

// Expands dotted keys of a configured map ({"a.b": 1} -> {"a": {"b": 1}}), as Beats does.
Event ExpandDottedKeys(const Value& map) {
  Event out = Event::object();
  for (const auto& [key, value] : map.as_map()) {
    // ValueToJson gives a nlohmann::json: converted once, when the processor is built.
    Event child = value.is_map() ? ExpandDottedKeys(value) : Event(ValueToJson(value));
    Event wrapped = Event::object();
    PutField(&wrapped, key, std::move(child));
    DeepMerge(&out, wrapped);
  }
  return out;
}

absl::Status CheckKeys(const Value& config, std::initializer_list<absl::string_view> allowed,
                       absl::string_view where) {
  for (const auto& [key, value] : config.as_map()) {
    bool known = false;
    for (absl::string_view a : allowed) known |= (key == a);
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": unknown option '", key,
                                                     "' (known: ", absl::StrJoin(allowed, ", "),
                                                     ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> BoolOption(const Value& config, absl::string_view key, bool fallback,
                                absl::string_view where) {
  const Value* v = config.Find(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": '", key, "' must be a bool, not ", v->type_name()));
  }
  return v->as_bool();
}

class AddFields final : public Processor {
 public:
  AddFields(std::string target, Event fields) : target_(std::move(target)), fields_(std::move(fields)) {}
  std::string name() const override { return "add_fields"; }
  absl::Status Run(Event* event) const override {
    if (target_.empty()) {
      DeepMerge(event, fields_);
      return absl::OkStatus();
    }
    Event wrapped = Event::object();
    PutField(&wrapped, target_, fields_);
    DeepMerge(event, wrapped);
    return absl::OkStatus();
  }

  static absl::StatusOr<std::unique_ptr<Processor>> Build(const Value& config,
                                                          const std::string& where) {
    RETURN_IF_ERROR(CheckKeys(config, {"target", "fields"}, where));
    std::string target = "fields";
    if (const Value* t = config.Find("target"); t != nullptr && !t->is_null()) {
      if (!t->is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": 'target' must be a string"));
      }
      target = t->as_string();
    }
    const Value* fields = config.Find("fields");
    if (fields == nullptr || !fields->is_map() || fields->as_map().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": 'fields' must be a non-empty map"));
    }
    return std::unique_ptr<Processor>(new AddFields(std::move(target), ExpandDottedKeys(*fields)));
  }

 private:
  const std::string target_;  // "" adds at the root
  const Event fields_;
};

class DropFields final : public Processor {
 public:
  DropFields(std::vector<std::string> fields, bool ignore_missing)
      : fields_(std::move(fields)), ignore_missing_(ignore_missing) {}
  std::string name() const override { return "drop_fields"; }
  absl::Status Run(Event* event) const override {
    std::vector<std::string> missing;
    for (const std::string& field : fields_) {
      if (!DeleteField(event, field) && !ignore_missing_) missing.push_back(field);
    }
    if (missing.empty()) return absl::OkStatus();
    return absl::NotFoundError(
        absl::StrCat("drop_fields: no field ", absl::StrJoin(missing, ", ")));
  }

  static absl::StatusOr<std::unique_ptr<Processor>> Build(const Value& config,
                                                          const std::string& where) {
    RETURN_IF_ERROR(CheckKeys(config, {"fields", "ignore_missing"}, where));
    const Value* fields = config.Find("fields");
    if (fields == nullptr || !fields->is_list() || fields->as_list().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": 'fields' must be a non-empty list of field names"));
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < fields->as_list().size(); ++i) {
      const Value& f = fields->as_list()[i];
      if (!f.is_string() || f.as_string().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": fields[", i, "] must be a non-empty string"));
      }
      names.push_back(f.as_string());
    }
    ASSIGN_OR_RETURN(bool ignore_missing, BoolOption(config, "ignore_missing", false, where));
    return std::unique_ptr<Processor>(new DropFields(std::move(names), ignore_missing));
  }

 private:
  const std::vector<std::string> fields_;
  const bool ignore_missing_;
};

class Rename final : public Processor {
 public:
  struct Pair {
    std::string from;
    std::string to;
  };
  Rename(std::vector<Pair> pairs, bool ignore_missing, bool fail_on_error)
      : pairs_(std::move(pairs)), ignore_missing_(ignore_missing), fail_on_error_(fail_on_error) {}
  std::string name() const override { return "rename"; }

  absl::Status Run(Event* event) const override {
    Event backup;
    if (fail_on_error_) backup = *event;
    for (const Pair& pair : pairs_) {
      absl::Status status = RenameOne(event, pair);
      if (status.ok()) continue;
      if (fail_on_error_) {
        *event = std::move(backup);
        return status;
      }
    }
    return absl::OkStatus();
  }

  static absl::StatusOr<std::unique_ptr<Processor>> Build(const Value& config,
                                                          const std::string& where) {
    RETURN_IF_ERROR(CheckKeys(config, {"fields", "ignore_missing", "fail_on_error"}, where));
    const Value* fields = config.Find("fields");
    if (fields == nullptr || !fields->is_list() || fields->as_list().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": 'fields' must be a non-empty list of {from, to}"));
    }
    std::vector<Pair> pairs;
    for (size_t i = 0; i < fields->as_list().size(); ++i) {
      const Value& f = fields->as_list()[i];
      const Value* from = f.Find("from");
      const Value* to = f.Find("to");
      if (from == nullptr || to == nullptr || !from->is_string() || !to->is_string() ||
          from->as_string().empty() || to->as_string().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": fields[", i, "] needs string 'from' and 'to'"));
      }
      pairs.push_back({from->as_string(), to->as_string()});
    }
    ASSIGN_OR_RETURN(bool ignore_missing, BoolOption(config, "ignore_missing", false, where));
    ASSIGN_OR_RETURN(bool fail_on_error, BoolOption(config, "fail_on_error", true, where));
    return std::unique_ptr<Processor>(
        new Rename(std::move(pairs), ignore_missing, fail_on_error));
  }

 private:
  absl::Status RenameOne(Event* event, const Pair& pair) const {
    const Event* from = FindField(*event, pair.from);
    if (from == nullptr) {
      if (ignore_missing_) return absl::OkStatus();
      return absl::NotFoundError(absl::StrCat("rename: no field '", pair.from, "'"));
    }
    if (FindField(*event, pair.to) != nullptr) {
      return absl::AlreadyExistsError(
          absl::StrCat("rename: target field '", pair.to, "' already exists"));
    }
    Event moved = *from;
    DeleteField(event, pair.from);
    PutField(event, pair.to, std::move(moved));
    return absl::OkStatus();
  }

  const std::vector<Pair> pairs_;
  const bool ignore_missing_;
  const bool fail_on_error_;
};

absl::StatusOr<std::unique_ptr<Processor>> BuildProcessor(const Value& entry, size_t index) {
  const std::string at = absl::StrCat("processors[", index, "]");
  if (!entry.is_map() || entry.as_map().size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ": must be a map with exactly one key, the processor's name"));
  }
  const auto& [name, config] = *entry.as_map().begin();
  const std::string where = absl::StrCat(at, " (", name, ")");
  if (name != "add_fields" && name != "drop_fields" && name != "rename") {
    return absl::InvalidArgumentError(absl::StrCat(
        at, ": unknown processor '", name, "' (known: add_fields, drop_fields, rename)"));
  }
  if (!config.is_map()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": options must be a map"));
  }
  if (name == "add_fields") return AddFields::Build(config, where);
  if (name == "drop_fields") return DropFields::Build(config, where);
  return Rename::Build(config, where);
}

absl::Status AppendList(const Value& list, std::vector<std::shared_ptr<const Processor>>* out) {
  if (list.is_null()) return absl::OkStatus();
  if (!list.is_list()) {
    return absl::InvalidArgumentError(
        absl::StrCat("processors: must be a list, not ", list.type_name()));
  }
  for (size_t i = 0; i < list.as_list().size(); ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Processor> p, BuildProcessor(list.as_list()[i], i));
    out->push_back(std::move(p));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateProcessors(const Value& list) {
  std::vector<std::shared_ptr<const Processor>> ignored;
  return AppendList(list, &ignored);
}

absl::StatusOr<ProcessorChain> ProcessorChain::Create(const std::vector<Value>& lists) {
  ProcessorChain chain;
  for (const Value& list : lists) RETURN_IF_ERROR(AppendList(list, &chain.processors_));
  return chain;
}

void ProcessorChain::Run(Event* event) const {
  for (const auto& processor : processors_) {
    absl::Status status = processor->Run(event);
    if (status.ok()) continue;
    std::string message(status.message());
    if (const Event* existing = FindField(*event, "error.message");
        existing != nullptr && existing->is_string()) {
      message = absl::StrCat(existing->get<std::string>(), "; ", message);
    }
    PutField(event, "error.message", std::move(message));
  }
}

}  // namespace gatehouse
