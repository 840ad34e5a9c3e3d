#include "agent/pipeline/event_fields.h"

#include "gtest/gtest.h"

namespace gatehouse {
namespace {

TEST(EventFieldsTest, PutFindDeleteWalkNestedObjects) {
  Event event = Event::object();
  PutField(&event, "kubernetes.pod.name", "web-0");
  PutField(&event, "kubernetes.namespace", "default");
  ASSERT_NE(FindField(event, "kubernetes.pod.name"), nullptr);
  EXPECT_EQ(*FindField(event, "kubernetes.pod.name"), "web-0");
  EXPECT_EQ(event["kubernetes"]["namespace"], "default");
  EXPECT_EQ(FindField(event, "kubernetes.pod.uid"), nullptr);
  EXPECT_EQ(FindField(event, "kubernetes.pod.name.x"), nullptr);
  EXPECT_TRUE(DeleteField(&event, "kubernetes.pod.name"));
  EXPECT_FALSE(DeleteField(&event, "kubernetes.pod.name"));
  EXPECT_EQ(FindField(event, "kubernetes.pod.name"), nullptr);
}

TEST(EventFieldsTest, PutReplacesNonObjectParent) {
  Event event = {{"a", 1}};
  PutField(&event, "a.b", true);
  EXPECT_EQ(event.dump(), R"({"a":{"b":true}})");
}

TEST(EventFieldsTest, TimestampIsRfc3339UtcWithMillis) {
  EXPECT_EQ(FormatEventTimestamp(absl::FromUnixMillis(1800000000123)),
            "2027-01-15T08:00:00.123Z");
}

}  // namespace
}  // namespace gatehouse
