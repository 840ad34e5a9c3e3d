#include "agent/policy/yaml_tree.h"

#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/value_yaml.h"
#include "yaml-cpp/yaml.h"

namespace gatehouse::policy {
namespace {

Position PositionOf(const YAML::Mark& mark, const std::shared_ptr<const std::string>& file) {
  Position position;
  position.file = file;
  if (!mark.is_null()) {
    position.line = mark.line + 1;
    position.column = mark.column + 1;
    position.offset = mark.pos;
  }
  return position;
}

absl::Status MergeEntry(YamlNode::Entry entry, YamlNode* map);

// Puts `value` under the dotted `key` of `map`, creating intermediate maps.
absl::Status InsertDotted(const std::string& key, const Position& key_position, YamlNode value,
                          YamlNode* map) {
  std::vector<std::string> parts = absl::StrSplit(key, '.');
  for (const std::string& part : parts) {
    if (part.empty()) {
      return ErrorAt(key_position, absl::StrCat("key '", key, "' has an empty path segment"));
    }
  }
  // Build from the innermost segment outwards.
  for (size_t i = parts.size() - 1; i > 0; --i) {
    YamlNode wrapper;
    wrapper.kind = YamlNode::Kind::kMap;
    wrapper.position = key_position;
    wrapper.entries.push_back(YamlNode::Entry{parts[i], key_position, std::move(value)});
    value = std::move(wrapper);
  }
  return MergeEntry(YamlNode::Entry{parts[0], key_position, std::move(value)}, map);
}

absl::Status MergeEntry(YamlNode::Entry entry, YamlNode* map) {
  for (YamlNode::Entry& existing : map->entries) {
    if (existing.key != entry.key) continue;
    if (existing.value.is_map() && entry.value.is_map()) {
      for (YamlNode::Entry& child : entry.value.entries) {
        if (absl::Status s = MergeEntry(std::move(child), &existing.value); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    return ErrorAt(entry.key_position,
                   absl::StrCat("duplicate key '", entry.key, "' (first at line ",
                                existing.key_position.line, ")"));
  }
  map->entries.push_back(std::move(entry));
  return absl::OkStatus();
}

absl::StatusOr<YamlNode> Convert(const YAML::Node& node,
                                 const std::shared_ptr<const std::string>& file) {
  YamlNode out;
  out.position = PositionOf(node.Mark(), file);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out.kind = YamlNode::Kind::kNull;
      return out;
    case YAML::NodeType::Scalar:
      out.kind = YamlNode::Kind::kScalar;
      out.text = node.Scalar();
      out.quoted = node.Tag() == "!";
      return out;
    case YAML::NodeType::Sequence:
      out.kind = YamlNode::Kind::kList;
      for (const YAML::Node& item : node) {
        auto child = Convert(item, file);
        if (!child.ok()) return child.status();
        out.items.push_back(*std::move(child));
      }
      return out;
    case YAML::NodeType::Map:
      out.kind = YamlNode::Kind::kMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const Position key_position = PositionOf(it->first.Mark(), file);
        if (!it->first.IsScalar()) return ErrorAt(key_position, "a map key must be a scalar");
        auto child = Convert(it->second, file);
        if (!child.ok()) return child.status();
        if (child->position.line == 0) child->position = key_position;
        absl::Status s = InsertDotted(it->first.Scalar(), key_position, *std::move(child), &out);
        if (!s.ok()) return s;
      }
      return out;
  }
  return out;
}

// Finds the quote character of flow-quoted scalars from the source text (yaml-cpp only says
// "not plain").
void MarkQuotes(absl::string_view text, YamlNode* node) {
  if (node->is_scalar() && node->quoted && node->position.offset >= 0 &&
      static_cast<size_t>(node->position.offset) < text.size()) {
    const char c = text[node->position.offset];
    if (c == '\'' || c == '"') node->quote_char = c;
  }
  for (YamlNode& item : node->items) MarkQuotes(text, &item);
  for (YamlNode::Entry& entry : node->entries) MarkQuotes(text, &entry.value);
}

}  // namespace

std::string Position::ToString() const {
  return absl::StrCat(file ? *file : std::string("<policy>"), ":", line, ":", column);
}

absl::Status ErrorAt(const Position& position, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(position.ToString(), ": error: ", message));
}

const YamlNode::Entry* YamlNode::FindEntry(absl::string_view key) const {
  for (const Entry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

const YamlNode* YamlNode::Find(absl::string_view key) const {
  const Entry* entry = FindEntry(key);
  return entry == nullptr ? nullptr : &entry->value;
}

Value YamlNode::ToValue() const {
  switch (kind) {
    case Kind::kNull:
      return Value();
    case Kind::kScalar:
      return YamlScalarToValue(text, quoted);
    case Kind::kList: {
      Value::List list;
      list.reserve(items.size());
      for (const YamlNode& item : items) list.push_back(item.ToValue());
      return Value(std::move(list));
    }
    case Kind::kMap: {
      Value::Map map;
      for (const Entry& entry : entries) map.emplace(entry.key, entry.value.ToValue());
      return Value(std::move(map));
    }
  }
  return Value();
}

absl::StatusOr<YamlNode> ParseYamlTree(absl::string_view text, absl::string_view file_name) {
  auto file = std::make_shared<const std::string>(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Position position = PositionOf(e.mark, file);
    return ErrorAt(position, absl::StrCat("invalid YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(*file, ": error: invalid YAML: ", e.what()));
  }
  absl::StatusOr<YamlNode> tree;
  try {
    tree = Convert(root, file);
  } catch (const YAML::Exception& e) {
    return ErrorAt(PositionOf(e.mark, file), absl::StrCat("invalid YAML: ", e.msg));
  }
  if (tree.ok()) MarkQuotes(text, &*tree);
  return tree;
}

}  // namespace gatehouse::policy
