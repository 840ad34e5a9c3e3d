// The `local_dynamic` provider's logic: `items: [{vars, processors, id}]` from the policy, one
// mapping each. The mapping id is the item's `id` when given, else its index ("0", "1", ...).
#ifndef GATEHOUSE_PROVIDERS_LOCAL_DYNAMIC_LOCAL_DYNAMIC_ITEMS_H_
#define GATEHOUSE_PROVIDERS_LOCAL_DYNAMIC_LOCAL_DYNAMIC_ITEMS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"

namespace gatehouse::providers {

struct LocalDynamicItem {
  std::string id;
  Value::Map vars;
  Value processors;  // a list, or null
};

// `items` is the option's value (a list, or null). Errors name the item ("items[2]") and the key:
// an item that is not a map, `vars` missing or not a map, `processors` not a list, an unknown
// key, or a repeated id.
absl::StatusOr<std::vector<LocalDynamicItem>> ParseLocalDynamicItems(const Value& items);

}  // namespace gatehouse::providers

#endif  // GATEHOUSE_PROVIDERS_LOCAL_DYNAMIC_LOCAL_DYNAMIC_ITEMS_H_
