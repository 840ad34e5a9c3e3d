// Program::Evaluate: no heap allocation for the common classes (counted by replacing the global
// operator new in this binary), and many threads evaluating one program at once.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "conditions/conditions.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

void* operator new(size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace gatehouse::conditions {
namespace {

Value Variables() {
  return Value(Value::Map{
      {"kubernetes_leaderelection", Value(Value::Map{{"leader", Value(true)}})},
      {"host", Value(Value::Map{{"name", Value("node-17")},
                                {"platform", Value("linux")},
                                {"cpus", Value(4)},
                                {"tags", Value(Value::List{Value("a"), Value("b"), Value("c"),
                                                           Value("prod")})}})},
      {"x", Value(5)},
  });
}

struct ClassCase {
  const char* name;
  const char* expr;
  bool expected;
};

const ClassCase kClasses[] = {
    {"bool_eq", "${kubernetes_leaderelection.leader} == true", true},
    {"string_eq", "${host.platform} == 'linux'", true},
    {"chain5",
     "${kubernetes_leaderelection.leader} == true and ${host.platform} == 'linux' and "
     "not (${host.cpus} < 2) or ${x} == 3 and ${host.name} != 'x'",
     true},
    {"array_contains", "arrayContains(${host.tags}, 'prod')", true},
    {"arith", "${x} + 1 > 3", true},
    {"match", "match(${host.name}, '^node-[0-9]+$')", true},
    {"starts_with", "startsWith(${host.name}, 'node-')", true},
    {"bare_bool", "${kubernetes_leaderelection.leader}", true},
    {"missing", "${no.such} == 'x' or length(${no.such}) == 0", true},
    {"alternatives", "${no.such|x} == 5", true},
    {"numeric_mix", "${x} * 2.5 >= 12.5 and modulo(${x}, 2) == 1", true},
};

class AllocationTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(AllocationTest, EvaluateAllocatesNothing) {
  MapVariables variables(Variables());
  ASSERT_OK_AND_ASSIGN(auto program, Compile(GetParam().expr, {.resolver = &variables}));
  // Once to warm lazily built state (RE2's DFA cache).
  ASSERT_OK_AND_ASSIGN(bool warm, program->Evaluate(variables));
  EXPECT_EQ(warm, GetParam().expected);
  allocations = 0;
  counting = true;
  bool all = true;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<bool> result = program->Evaluate(variables);
    all = all && result.ok() && *result == GetParam().expected;
  }
  counting = false;
  EXPECT_TRUE(all);
  EXPECT_EQ(allocations.load(), 0) << GetParam().expr;
}

INSTANTIATE_TEST_SUITE_P(Classes, AllocationTest, ::testing::ValuesIn(kClasses),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(AllocationTest, BuildingAStringDoesAllocate) {
  // The counter works: concat builds a string.
  MapVariables variables(Variables());
  ASSERT_OK_AND_ASSIGN(auto program,
                       Compile("concat(${host.name}, '!') == 'node-17!'", {.resolver = &variables}));
  allocations = 0;
  counting = true;
  absl::StatusOr<bool> result = program->Evaluate(variables);
  counting = false;
  ASSERT_OK(result);
  EXPECT_TRUE(*result);
  EXPECT_GT(allocations.load(), 0);
}

TEST(ConcurrencyTest, ManyThreadsEvaluateOneProgram) {
  MapVariables variables(Variables());
  ASSERT_OK_AND_ASSIGN(
      auto program,
      Compile("${kubernetes_leaderelection.leader} == true and match(${host.name}, 'node-1[0-9]') "
              "and concat(${host.platform}, '-', ${x}) == 'linux-5' and ${x} / 2 == 2",
              {.resolver = &variables}));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<bool> result = program->Evaluate(variables, /*strict=*/true);
        if (!result.ok() || !*result) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ConcurrencyTest, InternWhileOtherThreadsRead) {
  MapVariables variables(Variables());
  ASSERT_OK_AND_ASSIGN(auto program, Compile("${x} == 5", {.resolver = &variables}));
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::thread reader([&] {
    while (!stop) {
      absl::StatusOr<bool> result = program->Evaluate(variables);
      if (!result.ok() || !*result) ++wrong;
    }
  });
  for (int i = 0; i < 5000; ++i) variables.Intern("path" + std::to_string(i));
  stop = true;
  reader.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace gatehouse::conditions
