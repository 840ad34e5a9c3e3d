#include "agent/policy/yaml_tree.h"

#include "common/value_yaml.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::policy {
namespace {

TEST(YamlTreeTest, KeepsPositionsOfKeysAndValues) {
  ASSERT_OK_AND_ASSIGN(YamlNode root, ParseYamlTree("a:\n  b: 1\n  c: 'x'\n", "p.yml"));
  const YamlNode::Entry* a = root.FindEntry("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->key_position.line, 1);
  EXPECT_EQ(a->key_position.column, 1);
  const YamlNode::Entry* c = a->value.FindEntry("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->key_position.ToString(), "p.yml:3:3");
  EXPECT_EQ(c->value.position.column, 6);
  EXPECT_TRUE(c->value.quoted);
  EXPECT_EQ(c->value.quote_char, '\'');
}

TEST(YamlTreeTest, DottedKeysArePathsAndMergeWithNestedSpelling) {
  ASSERT_OK_AND_ASSIGN(YamlNode root,
                       ParseYamlTree("providers.kubernetes:\n  node: x\n"
                                     "providers:\n  kubernetes:\n    scope: node\n  env: {}\n",
                                     "p.yml"));
  EXPECT_EQ(root.ToValue().ToJson(),
            R"({"providers":{"env":{},"kubernetes":{"node":"x","scope":"node"}}})");
}

TEST(YamlTreeTest, DuplicateLeafIsAnErrorWithPosition) {
  auto tree = ParseYamlTree("a.b: 1\na:\n  b: 2\n", "p.yml");
  EXPECT_STATUS(tree, absl::StatusCode::kInvalidArgument, "p.yml:3:3: error: duplicate key 'b'");
}

TEST(YamlTreeTest, SyntaxErrorNamesFileLineColumn) {
  auto tree = ParseYamlTree("a: [1, 2\nb: 3\n", "bad.yml");
  EXPECT_STATUS(tree, absl::StatusCode::kInvalidArgument, "bad.yml:");
  EXPECT_STATUS(tree, absl::StatusCode::kInvalidArgument, "invalid YAML");
}

TEST(YamlTreeTest, TypesPlainScalarsAndKeepsQuotedOnesStrings) {
  EXPECT_TRUE(YamlScalarToValue("true", false).is_bool());
  EXPECT_TRUE(YamlScalarToValue("TRUE", false).as_bool());
  EXPECT_EQ(YamlScalarToValue("42", false), Value(42));
  EXPECT_EQ(YamlScalarToValue("-1.5", false), Value(-1.5));
  EXPECT_TRUE(YamlScalarToValue("~", false).is_null());
  EXPECT_EQ(YamlScalarToValue("10s", false), Value("10s"));
  EXPECT_EQ(YamlScalarToValue("true", true), Value("true"));
  EXPECT_EQ(YamlScalarToValue("42", true), Value("42"));
}

}  // namespace
}  // namespace gatehouse::policy
