#include "agent/store/variable_store.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

using Kind = ProviderFactory::Kind;

Value::Map HostMapping(absl::string_view family) {
  return Value::Map{{"name", "node-1"},
                    {"os", Value(Value::Map{{"family", Value(family)}, {"version", "12"}})},
                    {"ip", Value(Value::List{"10.0.0.1", "10.0.0.2"})}};
}

TEST(VariableStoreTest, InternIsStableAndDistinct) {
  VariableStore store;
  const Slot a = store.Intern("host.name");
  const Slot b = store.Intern("host.os.family");
  EXPECT_NE(a, b);
  EXPECT_EQ(store.Intern("host.name"), a);
  EXPECT_EQ(store.PathOf(b), "host.os.family");
  EXPECT_EQ(store.slot_count(), 2u);
}

TEST(VariableStoreTest, InternFromManyThreadsAgrees) {
  VariableStore store;
  std::vector<std::thread> threads;
  std::vector<Slot> seen(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&store, &seen, t] {
      for (int i = 0; i < 200; ++i) store.Intern("env.V" + std::to_string(i));
      seen[t] = store.Intern("env.V77");
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store.slot_count(), 200u);
  for (Slot slot : seen) EXPECT_EQ(slot, seen[0]);
}

TEST(VariableStoreTest, ContextPublishResolvesLeavesMapsAndLists) {
  VariableStore store;
  const Slot whole = store.Intern("host");
  const Slot family = store.Intern("host.os.family");
  const Slot ips = store.Intern("host.ip");
  const Slot missing = store.Intern("host.nope");
  auto sink = store.NewSink("host", Kind::kContext);
  sink->Publish(HostMapping("debian"));

  auto snapshot = store.Snapshot();
  ASSERT_NE(snapshot->Read(family), nullptr);
  EXPECT_EQ(*snapshot->Read(family), Value("debian"));
  ASSERT_NE(snapshot->Read(whole), nullptr);
  EXPECT_TRUE(snapshot->Read(whole)->is_map());
  ASSERT_NE(snapshot->Read(ips), nullptr);
  EXPECT_EQ(snapshot->Read(ips)->as_list().size(), 2u);
  EXPECT_EQ(snapshot->Read(missing), nullptr);
  // Lookup needs no slot.
  ASSERT_NE(snapshot->Lookup("host.os.version"), nullptr);
  EXPECT_EQ(*snapshot->Lookup("host.os.version"), Value("12"));
  EXPECT_EQ(snapshot->Lookup("other.thing"), nullptr);
}

TEST(VariableStoreTest, SlotInternedAfterPublishSeesTheValue) {
  VariableStore store;
  store.NewSink("host", Kind::kContext)->Publish(HostMapping("debian"));
  const Slot name = store.Intern("host.name");
  auto snapshot = store.Snapshot();
  ASSERT_NE(snapshot->Read(name), nullptr);
  EXPECT_EQ(*snapshot->Read(name), Value("node-1"));
  EXPECT_GT(snapshot->SlotGeneration(name), 0u);
}

TEST(VariableStoreTest, PublishReplacesTheWholeMapping) {
  VariableStore store;
  const Slot name = store.Intern("local.a");
  const Slot gone = store.Intern("local.b");
  auto sink = store.NewSink("local", Kind::kContext);
  sink->Publish(Value::Map{{"a", 1}, {"b", 2}});
  sink->Publish(Value::Map{{"a", 1}});
  auto snapshot = store.Snapshot();
  EXPECT_EQ(*snapshot->Read(name), Value(1));
  EXPECT_EQ(snapshot->Read(gone), nullptr);
  auto changes = store.DrainChanges();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].changed_slots, std::vector<Slot>{gone});
}

TEST(VariableStoreTest, EqualWriteIsNotAChange) {
  VariableStore store;
  const Slot a = store.Intern("local.a");
  auto sink = store.NewSink("local", Kind::kContext);
  sink->Publish(Value::Map{{"a", 1}, {"b", 2}});
  const uint64_t generation = store.generation();
  const uint64_t slot_generation = store.Snapshot()->SlotGeneration(a);
  ASSERT_EQ(store.DrainChanges().size(), 1u);

  sink->Publish(Value::Map{{"a", 1}, {"b", 2}});
  EXPECT_EQ(store.generation(), generation);
  EXPECT_TRUE(store.DrainChanges().empty());

  // b changes, a does not: only b's generation moves.
  sink->Publish(Value::Map{{"a", 1}, {"b", 3}});
  EXPECT_EQ(store.Snapshot()->SlotGeneration(a), slot_generation);
  auto changes = store.DrainChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].changed_slots.empty());  // b was never interned
  EXPECT_GT(changes[0].generation, generation);
}

TEST(VariableStoreTest, SinksWriteOnlyTheirOwnNamespace) {
  VariableStore store;
  const Slot env_path = store.Intern("env.PATH");
  const Slot local_path = store.Intern("local.PATH");
  store.NewSink("env", Kind::kContext)->Publish(Value::Map{{"PATH", "/bin"}});
  auto snapshot = store.Snapshot();
  EXPECT_NE(snapshot->Read(env_path), nullptr);
  EXPECT_EQ(snapshot->Read(local_path), nullptr);
  auto changes = store.DrainChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].changed_slots, std::vector<Slot>{env_path});
}

TEST(VariableStoreTest, WrongKindCallsAreIgnored) {
  VariableStore store;
  auto context = store.NewSink("host", Kind::kContext);
  context->UpsertMapping("x", Value::Map{{"a", 1}}, Value());
  auto dynamic = store.NewSink("pods", Kind::kDynamic);
  dynamic->Publish(Value::Map{{"a", 1}});
  EXPECT_EQ(store.generation(), 0u);
  EXPECT_TRUE(store.Snapshot()->DynamicProviders().empty());
}

TEST(VariableStoreTest, DynamicAddUpdateRemove) {
  VariableStore store;
  auto sink = store.NewSink("local_dynamic", Kind::kDynamic);
  const Value processors(Value::List{Value(Value::Map{{"add_fields", Value(Value::Map{})}})});
  sink->UpsertMapping("1", Value::Map{{"name", "b"}}, processors);
  sink->UpsertMapping("0", Value::Map{{"name", "a"}}, Value());
  sink->UpsertMapping("0", Value::Map{{"name", "a"}}, Value());  // equal: no change
  sink->UpsertMapping("1", Value::Map{{"name", "B"}}, processors);
  sink->RemoveMapping("0");
  sink->RemoveMapping("missing");  // nothing to remove: no change

  auto changes = store.DrainChanges();
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].dynamic[0].added, std::vector<std::string>{"1"});
  EXPECT_EQ(changes[1].dynamic[0].added, std::vector<std::string>{"0"});
  EXPECT_EQ(changes[2].dynamic[0].updated, std::vector<std::string>{"1"});
  EXPECT_EQ(changes[3].dynamic[0].removed, std::vector<std::string>{"0"});
  EXPECT_EQ(changes[3].dynamic[0].provider, "local_dynamic");

  auto snapshot = store.Snapshot();
  EXPECT_EQ(snapshot->DynamicProviders(), std::vector<std::string>{"local_dynamic"});
  const auto& mappings = snapshot->Mappings("local_dynamic");
  ASSERT_EQ(mappings.size(), 1u);
  EXPECT_EQ(mappings[0]->id, "1");
  EXPECT_EQ(mappings[0]->processors, processors);
  EXPECT_EQ(snapshot->FindMapping("local_dynamic", "0"), nullptr);
  EXPECT_TRUE(snapshot->Mappings("nobody").empty());
}

TEST(VariableStoreTest, MappingReaderSeesMappingAndContext) {
  VariableStore store;
  const Slot pod = store.Intern("kubernetes.pod.name");
  const Slot ips = store.Intern("kubernetes.pod.ips");
  const Slot leader = store.Intern("kubernetes_leaderelection.leader");
  store.NewSink("kubernetes_leaderelection", Kind::kContext)
      ->Publish(Value::Map{{"leader", true}});
  auto pods = store.NewSink("kubernetes", Kind::kDynamic);
  pods->UpsertMapping(
      "uid-1",
      Value::Map{{"pod", Value(Value::Map{{"name", "web"},
                                          {"ips", Value(Value::List{"10.1.0.5"})}})}},
      Value());

  auto snapshot = store.Snapshot();
  const DynamicMapping* mapping = snapshot->FindMapping("kubernetes", "uid-1");
  ASSERT_NE(mapping, nullptr);
  auto reader = snapshot->ReaderForMapping(*mapping);
  ASSERT_NE(reader->Read(pod), nullptr);
  EXPECT_EQ(*reader->Read(pod), Value("web"));
  EXPECT_TRUE(reader->Read(ips)->is_list());
  EXPECT_EQ(*reader->Read(leader), Value(true));
  // Without the mapping, the dynamic namespace reads as missing.
  EXPECT_EQ(snapshot->Read(pod), nullptr);
  ASSERT_NE(snapshot->Lookup("kubernetes.pod.name", mapping), nullptr);
  EXPECT_EQ(*snapshot->Lookup("kubernetes.pod.name", mapping), Value("web"));
  EXPECT_EQ(snapshot->Lookup("kubernetes.pod.name"), nullptr);
}

TEST(VariableStoreTest, MappingReaderResolvesSlotsInternedBeforeAndAfterThePublication) {
  VariableStore store;
  const Slot app = store.Intern("kubernetes.labels.app.kubernetes.io/name");
  const Slot missing = store.Intern("kubernetes.labels.tier");
  auto pods = store.NewSink("kubernetes", Kind::kDynamic);
  pods->UpsertMapping(
      "uid-1",
      Value::Map{{"labels", Value(Value::Map{{"app.kubernetes.io/name", "web"}})},
                 {"namespace", "default"}},
      Value());
  // Interned after the mapping was published: the next snapshot resolves them for it too.
  const Slot ns = store.Intern("kubernetes.namespace");
  const Slot host = store.Intern("host.name");
  store.NewSink("host", Kind::kContext)->Publish(Value::Map{{"name", "n1"}});

  auto snapshot = store.Snapshot();
  const DynamicMapping* mapping = snapshot->FindMapping("kubernetes", "uid-1");
  ASSERT_NE(mapping, nullptr);
  StoreSnapshot::MappingReader reader(*snapshot, *mapping);
  ASSERT_NE(reader.Read(app), nullptr);
  EXPECT_EQ(*reader.Read(app), Value("web"));  // a key with dots, from the table
  EXPECT_EQ(reader.Read(missing), nullptr);
  ASSERT_NE(reader.Read(ns), nullptr);
  EXPECT_EQ(*reader.Read(ns), Value("default"));
  ASSERT_NE(reader.Read(host), nullptr);
  EXPECT_EQ(*reader.Read(host), Value("n1"));
}

TEST(VariableStoreTest, OldSnapshotsStayUnchanged) {
  VariableStore store;
  const Slot a = store.Intern("local.a");
  auto sink = store.NewSink("local", Kind::kContext);
  sink->Publish(Value::Map{{"a", 1}});
  auto before = store.Snapshot();
  sink->Publish(Value::Map{{"a", 2}});
  sink->Publish(Value::Map{{"z", 2}});  // frees the first mapping's root in the store
  EXPECT_EQ(*before->Read(a), Value(1));
  EXPECT_EQ(store.Snapshot()->Read(a), nullptr);
  EXPECT_LT(before->generation(), store.Snapshot()->generation());
}

// A writer keeps both variables equal (x == y); every snapshot a reader takes must agree.
TEST(VariableStoreTest, SnapshotsAreConsistentUnderAConcurrentWriter) {
  VariableStore store;
  const Slot x = store.Intern("local.x");
  const Slot y = store.Intern("local.y");
  auto sink = store.NewSink("local", Kind::kContext);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= 20000; ++i) sink->Publish(Value::Map{{"x", i}, {"y", i}});
    done = true;
  });
  int64_t last = 0;
  int inconsistent = 0;
  int reads = 0;
  while (!done.load() || reads == 0) {
    auto snapshot = store.Snapshot();
    const Value* vx = snapshot->Read(x);
    const Value* vy = snapshot->Read(y);
    ++reads;
    if (vx == nullptr || vy == nullptr) {
      inconsistent += (vx != vy);
      continue;
    }
    inconsistent += (*vx != *vy);
    EXPECT_GE(vx->as_int(), last);  // never goes back in time
    last = vx->as_int();
  }
  writer.join();
  EXPECT_EQ(inconsistent, 0);
  EXPECT_EQ(*store.Snapshot()->Read(x), Value(20000));
}

TEST(VariableStoreTest, WaitForChangesReturnsNewerChangeSets) {
  VariableStore store;
  const Slot a = store.Intern("local.a");
  auto sink = store.NewSink("local", Kind::kContext);
  EXPECT_TRUE(store.WaitForChanges(0, absl::ZeroDuration()).empty());
  sink->Publish(Value::Map{{"a", 1}});
  sink->Publish(Value::Map{{"a", 2}});
  auto changes = store.WaitForChanges(0, absl::ZeroDuration());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].changed_slots, std::vector<Slot>{a});
  EXPECT_LT(changes[0].generation, changes[1].generation);
  // Drained: nothing newer now.
  EXPECT_TRUE(store.WaitForChanges(changes[1].generation, absl::ZeroDuration()).empty());
}

TEST(VariableStoreTest, WaitForChangesWakesOnAPublishFromAnotherThread) {
  VariableStore store;
  auto sink = store.NewSink("local", Kind::kContext);
  std::thread writer([&] { sink->Publish(Value::Map{{"a", 1}}); });
  // Long timeout: returns as soon as the publication lands.
  auto changes = store.WaitForChanges(0, absl::Seconds(30));
  writer.join();
  if (changes.empty()) changes = store.DrainChanges();  // spurious: the writer was slower
  ASSERT_EQ(changes.size(), 1u);
}

TEST(VariableStoreTest, WakeWaitersEndsAWait) {
  VariableStore store;
  std::thread waker([&] { store.WakeWaiters(); });
  // Either the wake lands during the wait, or before it: both must return with nothing.
  waker.join();
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    EXPECT_TRUE(store.WaitForChanges(0, absl::Seconds(30)).empty());
    returned = true;
  });
  while (!returned.load()) store.WakeWaiters();
  waiter.join();
}

TEST(VariableStoreTest, UndrainedChangeSetsCollapseIntoEverything) {
  VariableStore store;
  auto sink = store.NewSink("local", Kind::kContext);
  for (int i = 0; i < static_cast<int>(VariableStore::kMaxPendingChangeSets) + 10; ++i) {
    sink->Publish(Value::Map{{"a", i}});
  }
  auto changes = store.DrainChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].everything);
  EXPECT_EQ(changes[0].generation, store.generation());
}

TEST(VariableStoreTest, FailIsRecordedAndReported) {
  VariableStore store;
  absl::Status reported;
  auto sink = store.NewSink("host", Kind::kContext,
                            [&reported](absl::Status status) { reported = status; });
  EXPECT_OK(store.LastFailure("host"));
  sink->Fail(absl::UnavailableError("no /etc/os-release"));
  EXPECT_STATUS(reported, absl::StatusCode::kUnavailable, "os-release");
  EXPECT_STATUS(store.LastFailure("host"), absl::StatusCode::kUnavailable, "os-release");
}

}  // namespace
}  // namespace gatehouse
