// Value: the immutable, cheap-to-copy variant every part of Gatehouse shares (variables in the
// store, constants in condition programs, rendered policy configuration).
//
// Scalars are stored inline; strings, lists and maps are shared immutable buffers, so copying a
// Value never allocates. Thread-safe: a Value can be read from many threads at once.
#ifndef GATEHOUSE_COMMON_VALUE_H_
#define GATEHOUSE_COMMON_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/sorted_map.h"

namespace gatehouse {

class Value {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kList, kMap };
  using List = std::vector<Value>;
  // Ordered keys (by byte value, as std::map<std::string> orders them): rendering and JSON
  // output are deterministic. A sorted vector, not a tree: policies and variables are many
  // small maps that are built once and walked often (common/sorted_map.h). Inserting into a
  // Map moves its entries: hold no reference into one across an insert.
  using Map = SortedObjectMap<std::string, Value>;

  Value() = default;  // null
  Value(bool b) : type_(Type::kBool) { scalar_.b = b; }  // NOLINT: implicit by design
  Value(int i) : Value(static_cast<int64_t>(i)) {}       // NOLINT
  Value(long i) : type_(Type::kInt) { scalar_.i = i; }   // NOLINT
  Value(long long i) : type_(Type::kInt) { scalar_.i = static_cast<int64_t>(i); }  // NOLINT
  Value(double d) : type_(Type::kDouble) { scalar_.d = d; }  // NOLINT
  Value(const char* s) : Value(std::string(s)) {}            // NOLINT
  Value(absl::string_view s) : Value(std::string(s)) {}      // NOLINT
  Value(std::string s);                                      // NOLINT
  Value(List list);                                          // NOLINT
  Value(Map map);                                            // NOLINT

  static Value Null() { return Value(); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_int() const { return type_ == Type::kInt; }
  bool is_double() const { return type_ == Type::kDouble; }
  bool is_number() const { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_list() const { return type_ == Type::kList; }
  bool is_map() const { return type_ == Type::kMap; }

  // Accessors: calling one for another type is a programming error (checked in debug builds);
  // the container accessors return an empty container instead.
  bool as_bool() const { return scalar_.b; }
  int64_t as_int() const { return scalar_.i; }
  double as_double() const { return scalar_.d; }
  // An int or a double as a double.
  double as_number() const { return type_ == Type::kInt ? static_cast<double>(scalar_.i) : scalar_.d; }
  const std::string& as_string() const;
  const List& as_list() const;
  const Map& as_map() const;

  // Map lookup of one key; nullptr when this is not a map or the key is absent.
  const Value* Find(absl::string_view key) const;
  // Lookup of a dotted path through nested maps ("a.b.c"). A key that itself contains dots is
  // found too (the longest matching key wins), as in Elastic Agent's variable lookup.
  const Value* FindPath(absl::string_view dotted_path) const;

  // Structural equality with exact types: 1 != 1.0, "1" != 1. (The condition language's looser
  // rules live in conditions/.)
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }
  // The same scalar, or the same shared storage: a constant-time test that implies `==`.
  // Rendering keeps unchanged parts of a config by identity, so that "is this input's config
  // unchanged?" costs one pointer comparison instead of a walk of both trees.
  // Inline: rendering asks it for every entry of every copy.
  bool Identical(const Value& other) const {
    if (type_ != other.type_) return false;
    switch (type_) {
      case Type::kNull:
        return true;
      case Type::kBool:
        return scalar_.b == other.scalar_.b;
      case Type::kInt:
        return scalar_.i == other.scalar_.i;
      case Type::kDouble:
        return scalar_.d == other.scalar_.d;
      case Type::kString:
      case Type::kList:
      case Type::kMap:
        return heap_ == other.heap_;
    }
    return false;
  }

  // Compact JSON. Doubles keep a decimal point or exponent so they read back as doubles;
  // NaN and infinities become null (JSON has no spelling for them).
  std::string ToJson() const;
  void AppendJson(std::string* out) const;

  static absl::string_view TypeName(Type type);
  absl::string_view type_name() const { return TypeName(type_); }

 private:
  // What the container accessors return for another type.
  static const std::string& EmptyString();
  static const List& EmptyList();
  static const Map& EmptyMap();

  Type type_ = Type::kNull;
  union {
    bool b;
    int64_t i;
    double d;
  } scalar_{};
  // Holds a std::string, List or Map according to type_.
  std::shared_ptr<const void> heap_;
};

// Inline (Value is complete here): rendering reads containers for every entry of every copy.
inline const std::string& Value::as_string() const {
  return type_ == Type::kString ? *static_cast<const std::string*>(heap_.get()) : EmptyString();
}
inline const Value::List& Value::as_list() const {
  return type_ == Type::kList ? *static_cast<const List*>(heap_.get()) : EmptyList();
}
inline const Value::Map& Value::as_map() const {
  return type_ == Type::kMap ? *static_cast<const Map*>(heap_.get()) : EmptyMap();
}

// The shortest %g text that reads back as exactly `v` ("0.1", "1e+300", "5.5").
std::string FormatShortestDouble(double v);

// Appends `text` as a JSON string literal (quotes included) to `out`.
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_VALUE_H_
