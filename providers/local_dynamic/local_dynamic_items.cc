#include "providers/local_dynamic/local_dynamic_items.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace gatehouse::providers {
namespace {

absl::Status ItemError(size_t index, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("provider 'local_dynamic': items[", index, "]: ", what));
}

}  // namespace

absl::StatusOr<std::vector<LocalDynamicItem>> ParseLocalDynamicItems(const Value& items) {
  std::vector<LocalDynamicItem> parsed;
  if (items.is_null()) return parsed;
  if (!items.is_list()) {
    return absl::InvalidArgumentError(
        absl::StrCat("provider 'local_dynamic': 'items' must be a list, got ", items.type_name()));
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < items.as_list().size(); ++i) {
    const Value& item = items.as_list()[i];
    if (!item.is_map()) return ItemError(i, absl::StrCat("must be a map, got ", item.type_name()));
    LocalDynamicItem out;
    out.id = absl::StrCat(i);
    for (const auto& [key, value] : item.as_map()) {
      if (key == "vars") {
        if (!value.is_map()) {
          return ItemError(i, absl::StrCat("'vars' must be a map, got ", value.type_name()));
        }
        out.vars = value.as_map();
      } else if (key == "processors") {
        if (!value.is_list() && !value.is_null()) {
          return ItemError(i,
                           absl::StrCat("'processors' must be a list, got ", value.type_name()));
        }
        out.processors = value;
      } else if (key == "id") {
        if (!value.is_string() && !value.is_int()) {
          return ItemError(i, absl::StrCat("'id' must be a string, got ", value.type_name()));
        }
        out.id = value.is_string() ? value.as_string() : absl::StrCat(value.as_int());
        if (out.id.empty()) return ItemError(i, "'id' must not be empty");
      } else {
        return ItemError(i, absl::StrCat("unknown key '", key, "' (known: vars, processors, id)"));
      }
    }
    if (item.Find("vars") == nullptr) return ItemError(i, "missing 'vars'");
    if (!ids.insert(out.id).second) return ItemError(i, absl::StrCat("repeated id '", out.id, "'"));
    parsed.push_back(std::move(out));
  }
  return parsed;
}

}  // namespace gatehouse::providers
