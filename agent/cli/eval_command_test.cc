// `gatehouse eval` through the real binary: exit codes, stderr diagnostics, --vars/--var typing,
// and --batch over the whole conformance table plus malformed lines.

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/agent_process.h"

namespace gatehouse::cli {
namespace {

using ::testing::HasSubstr;

using ProcessResult = testing::CommandResult;
using testing::ReadFile;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// `gatehouse eval <args>` with `stdin_text` on its standard input.
ProcessResult Gatehouse(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "eval");
  return testing::RunGatehouse(args, stdin_text);
}

TEST(EvalCommandTest, PrintsTrueOrFalse) {
  ProcessResult run = Gatehouse({"--var", "host.platform=linux", "${host.platform} == 'linux'"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "true\n");
  run = Gatehouse({"1 > 2"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "false\n");
}

TEST(EvalCommandTest, VarValuesAreYamlTyped) {
  EXPECT_EQ(Gatehouse({"--var", "a.b=1", "${a.b} == 1"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.b=1", "${a.b} == '1'"}).exit_code, 3);  // int vs string
  EXPECT_EQ(Gatehouse({"--var", "a.b='1'", "${a.b} == '1'"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.b=true", "${a.b}"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.b=1.5", "${a.b} == 1.5"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.b=0x10", "${a.b} == 16"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.b=~", "${a.b} != 1"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.t=[x, y]", "arrayContains(${a.t}, 'y')"}).out, "true\n");
  EXPECT_EQ(Gatehouse({"--var", "a.b=1", "--var", "a.c=x", "${a.b} == 1 and ${a.c} == 'x'"}).out,
            "true\n");
}

TEST(EvalCommandTest, VarsFileYamlOrJsonAndVarOverrides) {
  const std::string yaml = TempPath("vars.yaml");
  WriteFile(yaml, "host:\n  name: node-1\n  cpus: 4\nkubernetes_leaderelection:\n  leader: false\n");
  ProcessResult run = Gatehouse({"--vars", yaml, "${host.cpus} == 4 and not ${kubernetes_leaderelection.leader}"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "true\n");
  run = Gatehouse({"--vars", yaml, "--var", "kubernetes_leaderelection.leader=true",
                   "${kubernetes_leaderelection.leader} and ${host.name} == 'node-1'"});
  EXPECT_EQ(run.out, "true\n") << run.err;
  const std::string json = TempPath("vars.json");
  WriteFile(json, R"({"env": {"N": 3, "F": 3.0}})");
  EXPECT_EQ(Gatehouse({"--vars", json, "${env.N} == 3 and ${env.F} == 3"}).out, "true\n");
}

TEST(EvalCommandTest, BadVarsFileExits2) {
  const std::string bad = TempPath("bad.yaml");
  WriteFile(bad, "a: [1, 2\n");
  ProcessResult run = Gatehouse({"--vars", bad, "true"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--vars"));
  WriteFile(bad, "- 1\n- 2\n");
  run = Gatehouse({"--vars", bad, "true"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("expected a mapping"));
  run = Gatehouse({"--vars", TempPath("no-such-file"), "true"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(Gatehouse({"--var", "novalue", "true"}).exit_code, 2);
}

TEST(EvalCommandTest, CompileErrorExits2WithCaret) {
  ProcessResult run = Gatehouse({"true and fo(1)"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "line 1, column 10: unknown function 'fo'\n  true and fo(1)\n           ^\n");
}

TEST(EvalCommandTest, EvaluationErrorExits3) {
  ProcessResult run = Gatehouse({"--var", "x=1", "${x} == 'a'"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err, "${x} == 'a': cannot compare int to string (1 == 'a')\n");
  run = Gatehouse({"--strict", "${missing} == 1"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr("variable 'missing' is not defined"));
  EXPECT_EQ(Gatehouse({"${missing} == 1"}).out, "false\n");
}

TEST(EvalCommandTest, UsageErrors) {
  EXPECT_EQ(Gatehouse({}).exit_code, 64);
  EXPECT_EQ(Gatehouse({"--batch", "true"}).exit_code, 64);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(EvalBatchTest, MalformedLinesYieldErrorLinesInOrder) {
  const std::string input =
      "{\"expr\": \"${a} == 1\", \"vars\": {\"a\": 1}}\n"
      "not json at all\n"
      "\n"
      "[1, 2]\n"
      "{\"vars\": {}}\n"
      "{\"expr\": 5}\n"
      "{\"expr\": \"true\", \"vars\": [1]}\n"
      "{\"expr\": \"true\", \"strict\": \"yes\"}\n"
      "{\"expr\": \"${a} == 1\", \"strict\": true}\n"
      "{\"expr\": \"fo(\"}\n"
      "{\"expr\": \"'\\u00e9\\ud83d\\ude00' == '\\u00e9\\ud83d\\ude00'\"}\n"
      "{\"expr\": \"${a} == 'x'\", \"vars\": {\"a\": 2}}\n"
      "{\"expr\": \"\\u0000\"}\n"
      "{\"expr\": \"'\xff' == 'x'\"}\n"
      "{\"expr\": \"${a} == 1\"}\r\n"
      "{\"expr\": \"false\"}";  // no final newline
  ProcessResult run = Gatehouse({"--batch"}, input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 16u) << run.out;
  auto json = [&](int i) { return nlohmann::json::parse(lines[i]); };
  EXPECT_EQ(json(0), nlohmann::json({{"result", true}}));
  for (int i : {1, 2, 3, 4, 5, 6, 7}) {
    EXPECT_EQ(json(i)["kind"], "parse") << lines[i];
    EXPECT_THAT(json(i)["error"].get<std::string>(), HasSubstr("input line")) << lines[i];
  }
  EXPECT_EQ(json(8)["kind"], "eval");
  EXPECT_THAT(json(8)["error"].get<std::string>(), HasSubstr("variable 'a' is not defined"));
  EXPECT_EQ(json(9)["kind"], "parse");
  EXPECT_THAT(json(9)["error"].get<std::string>(), HasSubstr("line 1, column"));
  EXPECT_EQ(json(10), nlohmann::json({{"result", true}}));
  EXPECT_EQ(json(11)["kind"], "eval");
  EXPECT_EQ(json(12)["kind"], "parse");
  EXPECT_EQ(json(13)["kind"], "parse");  // invalid UTF-8: not valid JSON
  EXPECT_EQ(json(14), nlohmann::json({{"result", false}}));
  EXPECT_EQ(json(15), nlohmann::json({{"result", false}}));
}

TEST(EvalBatchTest, StrictFlagIsTheDefaultThatLinesOverride) {
  ProcessResult run = Gatehouse({"--batch", "--strict"},
                      "{\"expr\": \"${m} == 1\"}\n{\"expr\": \"${m} == 1\", \"strict\": false}\n");
  const std::vector<std::string> lines = Lines(run.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["kind"], "eval");
  EXPECT_EQ(nlohmann::json::parse(lines[1]), nlohmann::json({{"result", false}}));
}

TEST(EvalBatchTest, WholeConformanceTableThroughTheBinary) {
  const std::string table = ReadFile("testdata/conditions/cases.jsonl");
  ProcessResult run = Gatehouse({"--batch"}, table);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> inputs = Lines(table);
  const std::vector<std::string> outputs = Lines(run.out);
  ASSERT_EQ(inputs.size(), outputs.size());
  ASSERT_GT(inputs.size(), 300u);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const nlohmann::json expected = nlohmann::json::parse(inputs[i]);
    const nlohmann::json actual = nlohmann::json::parse(outputs[i]);
    SCOPED_TRACE("cases.jsonl line " + std::to_string(i + 1) + ": " +
                 expected["expr"].get<std::string>());
    if (expected.contains("result")) {
      EXPECT_EQ(actual, nlohmann::json({{"result", expected["result"]}}));
    } else {
      EXPECT_EQ(actual["kind"], expected["kind"]);
      EXPECT_THAT(actual["error"].get<std::string>(),
                  HasSubstr(expected["error"].get<std::string>()));
    }
  }
}

}  // namespace
}  // namespace gatehouse::cli
