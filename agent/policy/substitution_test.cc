// Table tests for every substitution rule of POLICY.md.
#include "agent/policy/substitution.h"

#include <string>

#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::policy {
namespace {

Value Vars() {
  return Value(Value::Map{
      {"env", Value(Value::Map{{"NODE_NAME", Value("node-1")}, {"PORT", Value(8080)}})},
      {"host", Value(Value::Map{{"platform", Value("linux")}})},
      {"local", Value(Value::Map{{"empty", Value("")},
                                 {"flag", Value(true)},
                                 {"ratio", Value(0.5)},
                                 {"ips", Value(Value::List{Value("10.0.0.1"), Value("10.0.0.2")})},
                                 {"text", Value("${env.NODE_NAME}")}})},
  });
}

// Paths over one map (the test needs nothing more than conditions::MapVariables offers).
class TestVariables : public conditions::VariableResolver, public conditions::VariableReader {
 public:
  explicit TestVariables(Value root) : root_(std::move(root)) {}
  conditions::Slot Intern(absl::string_view path) override {
    paths_.emplace_back(path);
    return static_cast<conditions::Slot>(paths_.size() - 1);
  }
  const Value* Read(conditions::Slot slot) const override { return root_.FindPath(paths_[slot]); }

 private:
  Value root_;
  std::vector<std::string> paths_;
};

struct Case {
  const char* text;
  const char* json;  // expected rendered value as JSON, or "MISSING <source>"
};

class SubstitutionTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(SubstitutionTableTest, Renders) {
  TestVariables vars(Vars());
  Position position;
  position.line = 1;
  position.column = 1;
  ASSERT_OK_AND_ASSIGN(ScalarTemplate t,
                       ScalarTemplate::Parse(GetParam().text, position, "env", &vars));
  Value out;
  std::string missing;
  if (t.Render(vars, &out, &missing)) {
    EXPECT_EQ(out.ToJson(), GetParam().json) << GetParam().text;
  } else {
    EXPECT_EQ("MISSING " + missing, GetParam().json) << GetParam().text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    PolicyRules, SubstitutionTableTest,
    ::testing::Values(
        // ${a.b} and type preservation for whole-scalar references.
        Case{"${host.platform}", R"("linux")"}, Case{"${env.PORT}", "8080"},
        Case{"${local.flag}", "true"}, Case{"${local.ips}", R"(["10.0.0.1","10.0.0.2"])"},
        // Embedded references are stringified.
        Case{"http://${env.NODE_NAME}:${env.PORT}/", R"("http://node-1:8080/")"},
        Case{"ips=${local.ips} r=${local.ratio}", R"("ips=[\"10.0.0.1\",\"10.0.0.2\"] r=0.5")"},
        // Alternatives: left to right, unquoted = variable, quoted = constant, empty skipped.
        Case{"${local.none|host.platform}", R"("linux")"},
        Case{"${local.none|'fallback'}", R"("fallback")"},
        Case{"${local.none|\"dq\"}", R"("dq")"}, Case{"${local.none||host.platform}", R"("linux")"},
        Case{"${ local.none | 'spaced' }", R"("spaced")"},
        Case{"${'a'|host.platform}", R"("a")"},
        // An empty string is a value.
        Case{"${local.empty|'x'}", R"("")"},
        // Defaults after ':'.
        Case{"${local.none:dflt}", R"("dflt")"}, Case{"${local.none:}", R"("")"},
        Case{"${host.platform:dflt}", R"("linux")"},
        Case{"${local.none:http://x:80}", R"("http://x:80")"},
        // Default provider prefix.
        Case{"${NODE_NAME}", R"("node-1")"},
        // Escapes, and substituted values are never expanded again.
        Case{"$${env.NODE_NAME}", R"("${env.NODE_NAME}")"},
        Case{"a $${x} ${NODE_NAME}", R"("a ${x} node-1")"},
        Case{"${local.text}", R"("${env.NODE_NAME}")"},
        // No value and no fallback.
        Case{"${local.none}", "MISSING ${local.none}"},
        Case{"x-${local.none|other.none}", "MISSING ${local.none|other.none}"},
        // Plain text.
        Case{"no refs", R"("no refs")"}));

struct ErrorCase {
  const char* text;
  int column;           // expected column (the scalar starts at column 10)
  const char* message;  // expected message fragment
};

class SubstitutionErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SubstitutionErrorTest, IsAPositionedPolicyError) {
  Position position;
  position.file = std::make_shared<const std::string>("p.yml");
  position.line = 4;
  position.column = 10;
  auto t = ScalarTemplate::Parse(GetParam().text, position, "env", nullptr);
  ASSERT_FALSE(t.ok()) << GetParam().text;
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string expected_prefix = "p.yml:4:" + std::to_string(GetParam().column) + ": error: ";
  EXPECT_EQ(std::string(t.status().message()).rfind(expected_prefix, 0), 0u) << t.status();
  EXPECT_NE(std::string(t.status().message()).find(GetParam().message), std::string::npos)
      << t.status();
}

INSTANTIATE_TEST_SUITE_P(
    PolicyRules, SubstitutionErrorTest,
    ::testing::Values(ErrorCase{"${}", 12, "empty variable reference"},
                      ErrorCase{"${ | }", 12, "empty variable reference"},
                      ErrorCase{"${a.b.}", 16, "cannot end with '.'"},
                      ErrorCase{"x ${a.b", 12, "unterminated '${'"},
                      ErrorCase{"${a|'b}", 10, "unterminated quote"},
                      ErrorCase{"${a$b}", 13, "character '$' is not allowed"},
                      ErrorCase{"${a+b}", 13, "character '+' is not allowed"},
                      ErrorCase{"${a..b}", 16, "empty path segment"}));

}  // namespace
}  // namespace gatehouse::policy
