#include "agent/registry/options.h"

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

const OptionTable& Table() {
  static const auto* const table = new OptionTable{
      {"period", OptionType::kDuration, Value("10s"), "How often to scrape."},
      {"enabled", OptionType::kBool, Value(true), "Run it."},
      {"limit", OptionType::kInt, Value(), "At most this many."},
      {"ratio", OptionType::kDouble, Value(0.5), "A fraction."},
      {"name", OptionType::kString, Value(), "A name.", /*required=*/true},
      {"buffer", OptionType::kSize, Value("1MiB"), "Buffer size."},
      {"hosts", OptionType::kList, Value(), "Where."},
      {"ssl.ca_file", OptionType::kString, Value(), "CA bundle."},
      {"ssl.verify", OptionType::kBool, Value(true), "Verify peers."},
      {"extra", OptionType::kMap, Value(), "Anything nested."},
  };
  return *table;
}

TEST(ApplyOptionsTest, FillsDefaultsAndConverts) {
  ASSERT_OK_AND_ASSIGN(Value out, ApplyOptions(Value(Value::Map{{"name", "x"}}), Table(),
                                               "provider 'p'"));
  EXPECT_EQ(*out.Find("period"), Value(10000));
  EXPECT_EQ(*out.Find("enabled"), Value(true));
  EXPECT_EQ(*out.Find("ratio"), Value(0.5));
  EXPECT_EQ(*out.Find("buffer"), Value(1024 * 1024));
  EXPECT_EQ(out.Find("limit"), nullptr);  // no default: stays absent
  EXPECT_EQ(*out.FindPath("ssl.verify"), Value(true));
  EXPECT_EQ(out.FindPath("ssl.ca_file"), nullptr);
}

TEST(ApplyOptionsTest, NullConfigMeansNoOptions) {
  OptionTable table = {{"period", OptionType::kDuration, Value("1m"), ""}};
  ASSERT_OK_AND_ASSIGN(Value out, ApplyOptions(Value(), table, "provider 'p'"));
  EXPECT_EQ(*out.Find("period"), Value(60000));
}

TEST(ApplyOptionsTest, GivenValuesWinAndWiden) {
  Value config(Value::Map{{"name", "x"},
                          {"period", 30},  // a number of seconds
                          {"ratio", 2},    // an int widened to double
                          {"limit", "7"},  // digits in a string, e.g. from ${env.X}
                          {"buffer", "10KB"},
                          {"enabled", "false"}});
  ASSERT_OK_AND_ASSIGN(Value out, ApplyOptions(config, Table(), "provider 'p'"));
  EXPECT_EQ(*out.Find("period"), Value(30000));
  EXPECT_EQ(*out.Find("ratio"), Value(2.0));
  EXPECT_EQ(*out.Find("limit"), Value(7));
  EXPECT_EQ(*out.Find("buffer"), Value(10000));
  EXPECT_EQ(*out.Find("enabled"), Value(false));
}

TEST(ApplyOptionsTest, UnknownKeyIsNamed) {
  Value config(Value::Map{{"name", "x"}, {"perod", "5s"}});
  EXPECT_STATUS(ApplyOptions(config, Table(), "provider 'p'"), absl::StatusCode::kInvalidArgument,
                "provider 'p': unknown option 'perod'");
}

TEST(ApplyOptionsTest, UnknownNestedKeyIsNamedWithItsPath) {
  Value config(Value::Map{{"name", "x"}, {"ssl", Value(Value::Map{{"verfy", false}})}});
  EXPECT_STATUS(ApplyOptions(config, Table(), "input 'i'"), absl::StatusCode::kInvalidArgument,
                "unknown option 'ssl.verfy'");
}

TEST(ApplyOptionsTest, NoOptionsTableSaysSo) {
  EXPECT_STATUS(ApplyOptions(Value(Value::Map{{"x", 1}}), {}, "provider 'env'"),
                absl::StatusCode::kInvalidArgument, "takes no options");
}

TEST(ApplyOptionsTest, WrongTypeIsNamed) {
  Value config(Value::Map{{"name", "x"}, {"hosts", "not-a-list"}});
  EXPECT_STATUS(ApplyOptions(config, Table(), "provider 'p'"), absl::StatusCode::kInvalidArgument,
                "option 'hosts' must be a list, got string");
  Value bad_duration(Value::Map{{"name", "x"}, {"period", "10 parsecs"}});
  EXPECT_STATUS(ApplyOptions(bad_duration, Table(), "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "option 'period' invalid duration");
  Value bad_bool(Value::Map{{"name", "x"}, {"enabled", 1}});
  EXPECT_STATUS(ApplyOptions(bad_bool, Table(), "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "option 'enabled' must be a bool, got int");
  Value nested_not_map(Value::Map{{"name", "x"}, {"ssl", "yes"}});
  EXPECT_STATUS(ApplyOptions(nested_not_map, Table(), "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "option 'ssl' must be a map");
  EXPECT_STATUS(ApplyOptions(Value(Value::List{}), Table(), "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "options must be a map, got array");
}

TEST(ApplyOptionsTest, RequiredIsEnforced) {
  EXPECT_STATUS(ApplyOptions(Value(Value::Map{}), Table(), "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "missing required option 'name'");
}

TEST(ApplyOptionsTest, PassthroughKeysAreKeptUntouched) {
  const std::vector<std::string> passthrough = {"condition", "id"};
  Value config(Value::Map{{"name", "x"}, {"condition", "${a} == 1"}, {"id", 5}});
  ASSERT_OK_AND_ASSIGN(Value out, ApplyOptions(config, Table(), "input 'i'", passthrough));
  EXPECT_EQ(*out.Find("condition"), Value("${a} == 1"));
  EXPECT_EQ(*out.Find("id"), Value(5));
}

TEST(ApplyOptionsTest, DottedNamesReadNestedAndDottedSpellings) {
  Value nested(Value::Map{{"name", "x"}, {"ssl", Value(Value::Map{{"ca_file", "/ca.pem"}})}});
  ASSERT_OK_AND_ASSIGN(Value a, ApplyOptions(nested, Table(), "p"));
  EXPECT_EQ(*a.FindPath("ssl.ca_file"), Value("/ca.pem"));
  EXPECT_EQ(*a.FindPath("ssl.verify"), Value(true));

  Value dotted(Value::Map{{"name", "x"}, {"ssl.ca_file", "/ca.pem"}});
  ASSERT_OK_AND_ASSIGN(Value b, ApplyOptions(dotted, Table(), "p"));
  ASSERT_NE(b.Find("ssl"), nullptr);
  EXPECT_EQ(*b.Find("ssl")->Find("ca_file"), Value("/ca.pem"));
  EXPECT_EQ(b.Find("ssl.ca_file"), nullptr);  // rewritten as nested maps
}

TEST(ApplyOptionsTest, MapOptionAcceptsAnyNestedKeys) {
  Value config(Value::Map{{"name", "x"}, {"extra", Value(Value::Map{{"whatever", 1}})}});
  ASSERT_OK_AND_ASSIGN(Value out, ApplyOptions(config, Table(), "p"));
  EXPECT_EQ(*out.FindPath("extra.whatever"), Value(1));
}

TEST(ApplyOptionsTest, BeforeSubstitutionReferencesSkipTheirTypeCheckAndNothingElse) {
  const Value config(Value::Map{{"name", "x"},
                                {"period", "${env.PERIOD}"},
                                {"enabled", "${env.ON|true}"}});
  ASSERT_OK_AND_ASSIGN(Value out, ApplyOptionsBeforeSubstitution(config, Table(), "provider 'p'"));
  EXPECT_EQ(*out.Find("period"), Value("${env.PERIOD}"));  // kept for the agent to substitute
  EXPECT_EQ(*out.Find("enabled"), Value("${env.ON|true}"));
  EXPECT_EQ(*out.Find("buffer"), Value(1024 * 1024));      // defaults still filled
  // An escape is not a reference: still checked (and wrong here).
  EXPECT_STATUS(ApplyOptionsBeforeSubstitution(
                    Value(Value::Map{{"name", "x"}, {"limit", "$${not.a.reference}"}}), Table(),
                    "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "option 'limit'");
  // Unknown keys are still refused, and plain ApplyOptions checks everything.
  EXPECT_STATUS(ApplyOptionsBeforeSubstitution(Value(Value::Map{{"name", "x"}, {"perod", "${a}"}}),
                                               Table(), "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "unknown option 'perod'");
  EXPECT_STATUS(ApplyOptions(Value(Value::Map{{"name", "x"}, {"period", "${env.PERIOD}"}}), Table(),
                             "provider 'p'"),
                absl::StatusCode::kInvalidArgument, "option 'period'");
}

TEST(ParseDurationMillisTest, GoSyntax) {
  struct Case {
    const char* text;
    int64_t millis;
  } cases[] = {{"10s", 10000},   {"1m30s", 90000}, {"250ms", 250},   {"1.5h", 5400000},
               {"2h45m", 9900000}, {"1.5s", 1500}, {"0", 0},          {"30", 30000},
               {"0.5", 500},     {"1500us", 2},    {"3000000ns", 3},  {"1h0m0s", 3600000},
               {" 5s ", 5000},   {"+2s", 2000},    {"100\xC2\xB5s", 0}};
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(int64_t millis, ParseDurationMillis(c.text));
    EXPECT_EQ(millis, c.millis) << c.text;
  }
}

TEST(ParseDurationMillisTest, RejectsBadText) {
  for (const char* text : {"", "s", "10x", "1m30", "-5s", "1..5s", "ten seconds", "5 s", "1e3s"}) {
    EXPECT_STATUS(ParseDurationMillis(text), absl::StatusCode::kInvalidArgument,
                  "invalid duration");
  }
  EXPECT_STATUS(ParseDurationMillis("10x"), absl::StatusCode::kInvalidArgument,
                "unknown unit 'x'");
  EXPECT_STATUS(ParseDurationMillis("99999999999999h"), absl::StatusCode::kInvalidArgument,
                "too large");
}

TEST(ParseSizeBytesTest, UnitsAndNumbers) {
  struct Case {
    const char* text;
    int64_t bytes;
  } cases[] = {{"512", 512},         {"512B", 512},       {"10KB", 10000},
               {"10kb", 10000},      {"2MiB", 2097152},   {"2M", 2097152},
               {"1.5GiB", 1610612736}, {"1GB", 1000000000}, {"4 KiB", 4096},
               {"1k", 1024}};
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(int64_t bytes, ParseSizeBytes(c.text));
    EXPECT_EQ(bytes, c.bytes) << c.text;
  }
  for (const char* text : {"", "MiB", "10XB", "-1", "1.2.3MB"}) {
    EXPECT_STATUS(ParseSizeBytes(text), absl::StatusCode::kInvalidArgument, "invalid size");
  }
}

TEST(OptionTableToValueTest, DescribesEverySpec) {
  Value described = OptionTableToValue(Table());
  ASSERT_TRUE(described.is_list());
  ASSERT_EQ(described.as_list().size(), Table().size());
  const Value& first = described.as_list()[0];
  EXPECT_EQ(*first.Find("name"), Value("period"));
  EXPECT_EQ(*first.Find("type"), Value("duration"));
  EXPECT_EQ(*first.Find("default"), Value("10s"));
  EXPECT_EQ(*first.Find("description"), Value("How often to scrape."));
  EXPECT_EQ(*first.Find("required"), Value(false));
  EXPECT_EQ(*described.as_list()[4].Find("required"), Value(true));
}

}  // namespace
}  // namespace gatehouse
