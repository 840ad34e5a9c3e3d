// A YAML document as a tree that remembers where every key and value came from, so that every
// policy error can name file, line and column. yaml-cpp does the parsing; its exceptions stay in
// yaml_tree.cc. Keys containing dots are paths (`a.b: 1` is `a: {b: 1}`) and merge with the nested
// spelling, as in Elastic Agent's configuration library.
//
// Thread contract: a YamlNode is an immutable value once built; thread-compatible.
#ifndef GATEHOUSE_AGENT_POLICY_YAML_TREE_H_
#define GATEHOUSE_AGENT_POLICY_YAML_TREE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace gatehouse::policy {

// 1-based line and column in `file`.
struct Position {
  std::shared_ptr<const std::string> file;
  int line = 0;
  int column = 0;
  // Byte offset in the source text (-1 when unknown).
  int offset = -1;

  std::string ToString() const;  // "file:line:col"
};

// An InvalidArgument status whose message starts with "file:line:col: error: ".
absl::Status ErrorAt(const Position& position, absl::string_view message);

class YamlNode {
 public:
  enum class Kind { kNull, kScalar, kList, kMap };
  struct Entry;

  Kind kind = Kind::kNull;
  Position position;
  // Scalars: the text as YAML delivered it, and whether it was quoted or a block scalar
  // (then it is always a string).
  std::string text;
  bool quoted = false;
  char quote_char = 0;  // '\'' or '"' for flow-quoted scalars, 0 otherwise
  std::vector<YamlNode> items;   // kList
  std::vector<Entry> entries;    // kMap, in file order

  bool is_map() const { return kind == Kind::kMap; }
  bool is_list() const { return kind == Kind::kList; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_null() const { return kind == Kind::kNull; }

  // Map lookup of one (already split) key; nullptr when absent or not a map.
  const YamlNode* Find(absl::string_view key) const;
  const Entry* FindEntry(absl::string_view key) const;

  // The node as a Value (scalars typed like YAML plain scalars; quoted ones stay strings).
  Value ToValue() const;
};

struct YamlNode::Entry {
  std::string key;
  Position key_position;
  YamlNode value;
};

// Parses one YAML document. An empty document is a null node. Duplicate keys (after splitting
// dotted keys) are errors unless both sides are maps, which merge.
absl::StatusOr<YamlNode> ParseYamlTree(absl::string_view text, absl::string_view file_name);

}  // namespace gatehouse::policy

#endif  // GATEHOUSE_AGENT_POLICY_YAML_TREE_H_
