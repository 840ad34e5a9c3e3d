#include "agent/pipeline/processors.h"

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

Value Map(Value::Map m) { return Value(std::move(m)); }
Value List(Value::List l) { return Value(std::move(l)); }

TEST(ProcessorsTest, AddFieldsDefaultsToFieldsTargetAndExpandsDots) {
  ASSERT_OK_AND_ASSIGN(
      ProcessorChain chain,
      ProcessorChain::Create({List({Map({{"add_fields",
                                          Map({{"fields", Map({{"team.name", "infra"}})}})}})})}));
  Event event = {{"message", "x"}};
  chain.Run(&event);
  EXPECT_EQ(event["fields"]["team"]["name"], "infra");
}

TEST(ProcessorsTest, AddFieldsAtRootMergesObjects) {
  ASSERT_OK_AND_ASSIGN(ProcessorChain chain,
                       ProcessorChain::Create({List({Map(
                           {{"add_fields", Map({{"target", ""},
                                                {"fields", Map({{"orchestrator.cluster.name",
                                                                 "prod"}})}})}})})}));
  Event event = {{"orchestrator", {{"type", "kubernetes"}}}};
  chain.Run(&event);
  EXPECT_EQ(event["orchestrator"]["type"], "kubernetes");
  EXPECT_EQ(event["orchestrator"]["cluster"]["name"], "prod");
}

TEST(ProcessorsTest, DropFieldsDropsAndReportsMissingUnlessIgnored) {
  ASSERT_OK_AND_ASSIGN(
      ProcessorChain chain,
      ProcessorChain::Create({List({Map({{"drop_fields",
                                          Map({{"fields", List({"a.b", "nope"})}})}})})}));
  Event event = {{"a", {{"b", 1}, {"c", 2}}}};
  chain.Run(&event);
  EXPECT_EQ(event["a"].dump(), R"({"c":2})");
  EXPECT_EQ(event["error"]["message"], "drop_fields: no field nope");

  ASSERT_OK_AND_ASSIGN(
      ProcessorChain quiet,
      ProcessorChain::Create({List({Map({{"drop_fields", Map({{"fields", List({"nope"})},
                                                               {"ignore_missing", true}})}})})}));
  Event other = {{"a", 1}};
  quiet.Run(&other);
  EXPECT_EQ(other.dump(), R"({"a":1})");
}

TEST(ProcessorsTest, RenameMovesAndRestoresOnFailure) {
  Value rename = Map({{"rename", Map({{"fields", List({Map({{"from", "a"}, {"to", "x.y"}}),
                                                       Map({{"from", "b"}, {"to", "c"}})})}})}});
  ASSERT_OK_AND_ASSIGN(ProcessorChain chain, ProcessorChain::Create({List({rename})}));
  Event ok = {{"a", 1}, {"b", 2}};
  chain.Run(&ok);
  EXPECT_EQ(ok.dump(), R"({"c":2,"x":{"y":1}})");

  Event clash = {{"a", 1}, {"b", 2}, {"c", 3}};
  chain.Run(&clash);  // "c" exists: the whole rename is undone
  EXPECT_EQ(clash["a"], 1);
  EXPECT_EQ(clash["b"], 2);
  EXPECT_EQ(clash["error"]["message"], "rename: target field 'c' already exists");
}

TEST(ProcessorsTest, ProviderProcessorsRunBeforeInputProcessors) {
  Value provider = List({Map({{"add_fields", Map({{"target", ""}, {"fields", Map({{"k", "p"}})}})}})});
  Value input = List({Map({{"rename", Map({{"fields", List({Map({{"from", "k"}, {"to", "k2"}})})}})}})});
  ASSERT_OK_AND_ASSIGN(ProcessorChain chain, ProcessorChain::Create({provider, input}));
  EXPECT_EQ(chain.size(), 2u);
  Event event = Event::object();
  chain.Run(&event);
  EXPECT_EQ(event.dump(), R"({"k2":"p"})");
}

TEST(ProcessorsTest, ValidateNamesIndexAndProcessor) {
  EXPECT_OK(ValidateProcessors(Value()));
  EXPECT_STATUS(ValidateProcessors(List({Map({{"add_fields", Map({{"fields", Map({{"a", 1}})}})}}),
                                         Map({{"add_field", Map({})}})})),
                absl::StatusCode::kInvalidArgument, "processors[1]: unknown processor 'add_field'");
  EXPECT_STATUS(ValidateProcessors(List({Map({{"drop_fields", Map({{"field", List({"a"})}})}})})),
                absl::StatusCode::kInvalidArgument, "processors[0] (drop_fields): unknown option 'field'");
  EXPECT_STATUS(ValidateProcessors(List({Map({{"rename", Map({{"fields", List({Map({{"from", "a"}})})}})}})})),
                absl::StatusCode::kInvalidArgument, "fields[0] needs string 'from' and 'to'");
  EXPECT_STATUS(ValidateProcessors(Value("add_fields")), absl::StatusCode::kInvalidArgument,
                "must be a list");
}

}  // namespace
}  // namespace gatehouse
