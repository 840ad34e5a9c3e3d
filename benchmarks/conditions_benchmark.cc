// The condition language's speed, one row per expression class:
//   BM_Compile/<class>   parse + check + plan
//   BM_Evaluate/<class>  Program::Evaluate on a pre-compiled program (MapVariables reader)
//   BM_Floor/<class>     hand-written C++ doing the same check on the same data, looking the
//                        variables up in an absl::flat_hash_map<std::string, Value>
// Run: bazel run -c opt //benchmarks:conditions_benchmark -- --benchmark_format=json
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "benchmark/benchmark.h"
#include "conditions/conditions.h"
#include "re2/re2.h"

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

using FlatVariables = absl::flat_hash_map<std::string, Value>;

FlatVariables Flat() {
  const Value vars = Variables();
  FlatVariables flat;
  for (const char* path : {"kubernetes_leaderelection.leader", "host.name", "host.platform",
                           "host.cpus", "host.tags", "x"}) {
    flat.emplace(path, *vars.FindPath(path));
  }
  return flat;
}

const Value* Lookup(const FlatVariables& flat, const std::string& key) {
  auto it = flat.find(key);
  return it == flat.end() ? nullptr : &it->second;
}

// Keys built once, as a hand-written evaluator would hold them.
const std::string kLeader = "kubernetes_leaderelection.leader";
const std::string kPlatform = "host.platform";
const std::string kName = "host.name";
const std::string kCpus = "host.cpus";
const std::string kTags = "host.tags";
const std::string kX = "x";

struct Class {
  const char* name;
  const char* expr;
  bool (*floor)(const FlatVariables&);
};

bool FloorBoolEq(const FlatVariables& f) {
  const Value* v = Lookup(f, kLeader);
  return v != nullptr && v->is_bool() && v->as_bool();
}
bool FloorStringEq(const FlatVariables& f) {
  const Value* v = Lookup(f, kPlatform);
  return v != nullptr && v->is_string() && v->as_string() == "linux";
}
bool FloorChain5(const FlatVariables& f) {
  const Value* leader = Lookup(f, kLeader);
  const Value* platform = Lookup(f, kPlatform);
  const Value* cpus = Lookup(f, kCpus);
  const Value* x = Lookup(f, kX);
  const Value* name = Lookup(f, kName);
  const bool a = leader != nullptr && leader->is_bool() && leader->as_bool();
  const bool b = platform != nullptr && platform->is_string() && platform->as_string() == "linux";
  const bool c = !(cpus != nullptr && cpus->is_int() && cpus->as_int() < 2);
  const bool d = x != nullptr && x->is_int() && x->as_int() == 3;
  const bool e = !(name != nullptr && name->is_string() && name->as_string() == "x");
  return (a && b && c) || (d && e);
}
bool FloorArrayContains(const FlatVariables& f) {
  const Value* tags = Lookup(f, kTags);
  if (tags == nullptr || !tags->is_list()) return false;
  for (const Value& tag : tags->as_list()) {
    if (tag.is_string() && tag.as_string() == "prod") return true;
  }
  return false;
}
bool FloorArith(const FlatVariables& f) {
  const Value* x = Lookup(f, kX);
  return x != nullptr && x->is_int() && x->as_int() + 1 > 3;
}
bool FloorMatch(const FlatVariables& f) {
  static const RE2* const kPattern = new RE2("^node-[0-9]+$");
  const Value* name = Lookup(f, kName);
  return name != nullptr && name->is_string() && RE2::PartialMatch(name->as_string(), *kPattern);
}
bool FloorStartsWith(const FlatVariables& f) {
  const Value* name = Lookup(f, kName);
  return name != nullptr && name->is_string() && absl::StartsWith(name->as_string(), "node-");
}

const Class kClasses[] = {
    {"bool_eq", "${kubernetes_leaderelection.leader} == true", FloorBoolEq},
    {"string_eq", "${host.platform} == 'linux'", FloorStringEq},
    {"chain5",
     "${kubernetes_leaderelection.leader} == true and ${host.platform} == 'linux' and "
     "not (${host.cpus} < 2) or ${x} == 3 and ${host.name} != 'x'",
     FloorChain5},
    {"array_contains", "arrayContains(${host.tags}, 'prod')", FloorArrayContains},
    {"arith", "${x} + 1 > 3", FloorArith},
    {"match", "match(${host.name}, '^node-[0-9]+$')", FloorMatch},
    {"starts_with", "startsWith(${host.name}, 'node-')", FloorStartsWith},
};

void BM_Compile(benchmark::State& state, const Class& c) {
  MapVariables variables(Variables());
  for (auto _ : state) {
    auto program = Compile(c.expr, {.resolver = &variables});
    if (!program.ok()) {
      state.SkipWithError(std::string(program.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(program);
  }
}

void BM_Evaluate(benchmark::State& state, const Class& c) {
  MapVariables variables(Variables());
  auto program = Compile(c.expr, {.resolver = &variables});
  if (!program.ok()) {
    state.SkipWithError(std::string(program.status().message()).c_str());
    return;
  }
  if (!c.floor(Flat()) || !(*program)->Evaluate(variables).value_or(false)) {
    state.SkipWithError("the class does not evaluate to true");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<bool> result = (*program)->Evaluate(variables);
    benchmark::DoNotOptimize(result);
  }
}

void BM_Floor(benchmark::State& state, const Class& c) {
  const FlatVariables flat = Flat();
  for (auto _ : state) {
    bool result = c.floor(flat);
    benchmark::DoNotOptimize(result);
  }
}

int RegisterAll() {
  for (const Class& c : kClasses) {
    benchmark::RegisterBenchmark((std::string("BM_Compile/") + c.name).c_str(), BM_Compile, c);
    benchmark::RegisterBenchmark((std::string("BM_Evaluate/") + c.name).c_str(), BM_Evaluate, c);
    benchmark::RegisterBenchmark((std::string("BM_Floor/") + c.name).c_str(), BM_Floor, c);
  }
  return 0;
}
const int kRegistered = RegisterAll();

}  // namespace
}  // namespace gatehouse::conditions

BENCHMARK_MAIN();
