#include "inputs/common/prometheus/exposition.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "common/worker_pool.h"
#include "gtest/gtest.h"
#include "inputs/common/prometheus/exposition_dump.h"
#include "testing/ksm_server/fixtures.h"
#include "testing/ksm_server/synthetic_cluster.h"
#include "testing/status_testing.h"

namespace gatehouse::prometheus {
namespace {

using ::gatehouse::testing::ReadFileToString;
using ::gatehouse::testing::TestdataPath;

const Sample* FindSample(const Exposition& e, absl::string_view name, absl::string_view label,
                         absl::string_view value) {
  for (const Sample& s : e.samples()) {
    if (s.name == name && e.LabelValue(s, label, "\x01") == value) return &s;
  }
  return nullptr;
}

TEST(ExpositionTest, ParsesEdgeCasesOfTheFormat) {
  ASSERT_OK_AND_ASSIGN(std::string body,
                       ReadFileToString(TestdataPath("testdata/ksm/format_edge_cases.prom")));
  Exposition e = Exposition::Parse(body);
  EXPECT_EQ(e.error_count(), 0u) << e.ErrorSummary();

  const Sample* escaped = FindSample(e, "escaped_labels", "empty", "");
  ASSERT_NE(escaped, nullptr);
  EXPECT_EQ(e.LabelValue(*escaped, "path"), "C:\\dir\\file");
  EXPECT_EQ(e.LabelValue(*escaped, "quote"), "say \"hi\"");
  EXPECT_EQ(e.LabelValue(*escaped, "multi"), "a\nb");
  EXPECT_EQ(e.labels(*escaped).size(), 4u);
  EXPECT_EQ(escaped->line, 5u);
  ASSERT_NE(FindSample(e, "escaped_labels", "trailing", "comma"), nullptr);
  ASSERT_NE(FindSample(e, "indented_metric", "x", "\x01"), nullptr);

  EXPECT_TRUE(std::isnan(FindSample(e, "special_values", "v", "nan")->value));
  EXPECT_EQ(FindSample(e, "special_values", "v", "pos")->value, INFINITY);
  EXPECT_EQ(FindSample(e, "special_values", "v", "neg")->value, -INFINITY);
  EXPECT_DOUBLE_EQ(FindSample(e, "special_values", "v", "exp")->value, 0.0015);
  EXPECT_EQ(FindSample(e, "special_values", "v", "int")->value, -42);

  const Sample* ts = FindSample(e, "with_timestamp_total", "a", "\x01");
  ASSERT_NE(ts, nullptr);
  EXPECT_TRUE(ts->has_timestamp);
  EXPECT_EQ(ts->timestamp_ms, 1700000000123);
  EXPECT_EQ(FindSample(e, "with_timestamp_total", "a", "b")->timestamp_ms, -5);
  EXPECT_FALSE(FindSample(e, "latency_sum", "x", "\x01")->has_timestamp);
  ASSERT_NE(FindSample(e, "windows_crlf", "x", "\x01"), nullptr);
  EXPECT_EQ(FindSample(e, "windows_crlf", "x", "\x01")->value, 1);

  const MetricFamily* help = e.FindFamily("escaped_labels");
  ASSERT_NE(help, nullptr);
  EXPECT_EQ(help->type, MetricType::kGauge);
  EXPECT_EQ(help->help, "Label values with \\\\ and \\n escapes in HELP.");
  EXPECT_EQ(e.FindFamily("odd_type")->type, MetricType::kUnknown);
  EXPECT_EQ(e.FindFamily("odd_type")->type_text, "stateset");
  EXPECT_EQ(e.FindFamily("latency")->type, MetricType::kHistogram);
  EXPECT_EQ(e.FindFamily("with_timestamp")->type, MetricType::kCounter);
  EXPECT_EQ(e.FindFamily("special_values")->type, MetricType::kUntyped);
}

TEST(ExpositionTest, GarbageLinesAreReportedAndTheRestIsUsed) {
  ASSERT_OK_AND_ASSIGN(std::string body, ReadFileToString(TestdataPath("testdata/ksm/garbage.prom")));
  Exposition e = Exposition::Parse(body);
  std::vector<std::string> good;
  for (const Sample& s : e.samples()) good.push_back(std::string(e.LabelValue(s, "a")));
  EXPECT_EQ(good, (std::vector<std::string>{"1", "4", "9"}));
  ASSERT_EQ(e.error_count(), 7u);
  EXPECT_EQ(e.errors()[0].line, 4u);
  EXPECT_EQ(e.errors()[0].message, "line 4: sample 'this' has an invalid value 'is'");
  EXPECT_EQ(e.errors()[1].message,
            "line 5: expected ',' or '}' after the value of 'a'");
  EXPECT_EQ(e.errors()[2].message, "line 6: expected a metric name, found '{missing_name=\"x\"} 3'");
  EXPECT_EQ(e.errors()[3].message, "line 7: sample 'good_metric' has an invalid value 'not_a_number'");
  EXPECT_EQ(e.errors()[4].message, "line 9: duplicate label 'a'");
  EXPECT_EQ(e.errors()[5].message, "line 10: sample 'good_metric' has an invalid timestamp '12x'");
  EXPECT_EQ(e.errors()[6].message,
            "line 11: label value for 'a' has an invalid escape (only \\\\, \\\" and \\n)");
  EXPECT_EQ(e.ErrorSummary(),
            "7 malformed lines; first: line 4: sample 'this' has an invalid value 'is'");
}

TEST(ExpositionTest, SmallMalformedInputs) {
  struct Case {
    const char* body;
    const char* error;
  } cases[] = {
      {"m{a=\"x", "line 1: label value for 'a' is not terminated"},
      {"m{a=x} 1", "line 1: label value for 'a' must be quoted"},
      {"m{1a=\"x\"} 1", "line 1: invalid label name at column 3"},
      {"m{a} 1", "line 1: expected '=' after label name 'a'"},
      {"m{a=\"x\"", "line 1: label set is not closed with '}'"},
      {"m", "line 1: sample 'm' has no value"},
      {"m 1 2 3", "line 1: sample 'm' has unexpected text after the timestamp"},
      {"m +-1", "line 1: sample 'm' has an invalid value '+-1'"},
      {"# TYPE m", "line 1: TYPE line for 'm' has no type"},
      {"# TYPE 9m gauge", "line 1: TYPE line has an invalid metric name '9m'"},
      {"# TYPE m gauge\n# TYPE m counter", "line 2: second TYPE line for 'm'"},
  };
  for (const Case& c : cases) {
    Exposition e = Exposition::Parse(c.body);
    ASSERT_EQ(e.error_count(), 1u) << c.body;
    EXPECT_EQ(e.errors()[0].message, c.error) << c.body;
  }
}

TEST(ExpositionTest, ReparseReplacesEverything) {
  Exposition e = Exposition::Parse("bad\n# TYPE a gauge\na{x=\"\\\\\"} 1\n");
  ASSERT_EQ(e.samples().size(), 1u);
  ASSERT_EQ(e.error_count(), 1u);
  e.Reparse("b{y=\"2\"} 2\n");
  ASSERT_EQ(e.samples().size(), 1u);
  EXPECT_EQ(e.samples()[0].name, "b");
  EXPECT_EQ(e.LabelValue(e.samples()[0], "y"), "2");
  EXPECT_EQ(e.error_count(), 0u);
  EXPECT_TRUE(e.errors().empty());
  EXPECT_EQ(e.FindFamily("a"), nullptr);
  EXPECT_EQ(e.line_count(), 1u);
}

TEST(ExpositionTest, EmptyAndCommentOnlyBodiesHaveNoSamplesAndNoErrors) {
  for (const char* body : {"", "\n\n", "# just a comment\n   \n#\n"}) {
    Exposition e = Exposition::Parse(body);
    EXPECT_TRUE(e.samples().empty());
    EXPECT_EQ(e.error_count(), 0u);
  }
}

TEST(ExpositionTest, KeepsAtMostTwentyErrorTextsButCountsAll) {
  std::string body;
  for (int i = 0; i < 50; ++i) body += "bad line\n";
  body += "ok 1\n";
  Exposition e = Exposition::Parse(body);
  EXPECT_EQ(e.error_count(), 50u);
  EXPECT_EQ(e.errors().size(), Exposition::kMaxKeptErrors);
  ASSERT_EQ(e.samples().size(), 1u);
  EXPECT_EQ(e.samples()[0].line, 51u);
}

TEST(ExpositionTest, FamilyFilterKeepsOnlyTheFamiliesAskedFor) {
  const std::string body =
      "# HELP kube_pod_info Info.\n# TYPE kube_pod_info gauge\n"
      "kube_pod_info{pod=\"a\"} 1\n"
      "kube_pod_info_extra{pod=\"a\"} 2\n"  // shares the prefix, not the family
      "# TYPE kube_pod_status_phase gauge\n"
      "kube_pod_status_phase{pod=\"a\",phase=\"Running\"} 1\n"
      "kube_pod_status_phase{pod=\"a\" broken\n"  // skipped unchecked
      "kube_pod_container_info{pod=\"a\",container=\"c\"} 1\n"
      "kube_pod_container_status_ready{pod=\"a\",container=\"c\"} 1\n"
      "latency_bucket{le=\"1\"} 3\nlatency_sum 2\nlatency_count 3\nlatency_other 9\n"
      "# a plain comment\n"
      "9bad{x=\"1\"} 1\n";  // a malformed name is still reported
  FamilyFilter filter;
  filter.AddName("kube_pod_info").AddName("latency").AddPrefix("kube_pod_container_");
  Exposition e;
  e.Reparse(body, filter);
  std::vector<std::string> names;
  for (const Sample& s : e.samples()) names.emplace_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"kube_pod_info", "kube_pod_container_info",
                                             "kube_pod_container_status_ready", "latency_bucket",
                                             "latency_sum", "latency_count"}));
  ASSERT_EQ(e.error_count(), 1u);
  EXPECT_EQ(e.errors()[0].line, 15u);
  EXPECT_EQ(e.line_count(), 15u);
  ASSERT_NE(e.FindFamily("kube_pod_info"), nullptr);
  EXPECT_EQ(e.FindFamily("kube_pod_info")->help, "Info.");
  EXPECT_EQ(e.FindFamily("kube_pod_status_phase"), nullptr);
  EXPECT_EQ(e.samples()[2].line, 9u);

  // The same Exposition without a filter sees everything again.
  e.Reparse(body);
  EXPECT_EQ(e.samples().size(), 9u);
  EXPECT_EQ(e.error_count(), 2u);
  EXPECT_TRUE(FamilyFilter().accepts_all());
  EXPECT_TRUE(FamilyFilter().Accepts("anything"));
}

// Found by the fuzzer: a filtered parse read one byte past a body ending in "# TYPE" with no
// name. The body sits in a buffer of exactly its size so that ASan sees any over-read.
TEST(ExpositionTest, FilteredBodyEndingInACommentKeywordIsReportedNotOverread) {
  for (const std::string text : {"kube_pod_info{pod=\"a\"} 1\n# TYPE", "kube_pod_info 1\n# HELP",
                                 "kube_pod_info 1\n# HELP \t"}) {
    const std::unique_ptr<char[]> exact(new char[text.size()]);
    std::memcpy(exact.get(), text.data(), text.size());
    FamilyFilter filter;
    filter.AddName("kube_pod_info");
    Exposition e;
    e.Reparse(absl::string_view(exact.get(), text.size()), filter);
    EXPECT_EQ(e.samples().size(), 1u) << text;
    ASSERT_EQ(e.error_count(), 1u) << text;
    EXPECT_EQ(e.errors()[0].line, 2u) << text;
    EXPECT_NE(e.errors()[0].message.find("invalid metric name"), std::string::npos)
        << e.errors()[0].message;
  }
}

TEST(ExpositionTest, ParsesTheRealKubeStateMetricsScrapes) {
  std::vector<std::string> files = ::gatehouse::testing::SharedKsmFixtures();
  if (files.empty()) GTEST_SKIP() << "../shared/ksm-fixtures is not there";
  for (const std::string& file : files) {
    ASSERT_OK_AND_ASSIGN(std::string body, ReadFileToString(file));
    Exposition e = Exposition::Parse(body);
    EXPECT_EQ(e.error_count(), 0u) << file << ": " << e.ErrorSummary();
    // Every non-comment, non-blank line is a sample.
    size_t sample_lines = 0;
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      if (end > start && body[start] != '#') ++sample_lines;
      start = end + 1;
    }
    EXPECT_EQ(e.samples().size(), sample_lines) << file;
    EXPECT_GT(sample_lines, 500u) << file;
    const MetricFamily* info = e.FindFamily("kube_pod_container_info");
    ASSERT_NE(info, nullptr) << file;
    EXPECT_EQ(info->type, MetricType::kGauge);
  }
}

// Parallel parses: cut into pieces wherever a line starts, joined, they must read exactly like
// one parse of the whole body.

bool HasLaterPiece(const Exposition& e) {
  for (const Sample& s : e.samples()) {
    if (s.piece != 0) return true;
  }
  return false;
}

TEST(ExpositionPiecesTest, PiecesReadLikeOneParseOfEveryBody) {
  std::vector<std::string> bodies;
  for (const char* file : {"testdata/ksm/cluster.prom", "testdata/ksm/format_edge_cases.prom",
                           "testdata/ksm/garbage.prom"}) {
    ASSERT_OK_AND_ASSIGN(std::string body, ReadFileToString(TestdataPath(file)));
    bodies.push_back(std::move(body));
  }
  for (const std::string& file : ::gatehouse::testing::SharedKsmFixtures()) {
    ASSERT_OK_AND_ASSIGN(std::string body, ReadFileToString(file));
    bodies.push_back(std::move(body));
  }
  bodies.push_back(::gatehouse::testing::SyntheticClusterExposition(40, 2));
  FamilyFilter everything;
  FamilyFilter containers;
  containers.AddPrefix("kube_pod_container_").AddName("kube_pod_info").AddName("kube_pod_labels");
  WorkerPool pool(3);
  for (const std::string& body : bodies) {
    for (const FamilyFilter* filter : {&everything, &containers}) {
      Exposition one;
      one.Reparse(body, *filter);
      const std::string expected = DumpExposition(one);
      for (size_t min_piece : {size_t{1}, size_t{7}, size_t{300}, body.size() / 3}) {
        Exposition pieces;
        pieces.Reparse(body, *filter, pool, min_piece);
        EXPECT_EQ(DumpExposition(pieces), expected)
            << body.substr(0, 60) << "... min_piece=" << min_piece;
        if (min_piece < body.size() / 2 && !one.samples().empty() &&
            one.samples().back().line > one.line_count() / 2) {
          EXPECT_TRUE(HasLaterPiece(pieces)) << "not split: min_piece=" << min_piece;
        }
      }
    }
  }
}

TEST(ExpositionPiecesTest, ATypeLineRepeatedInALaterPieceIsReportedAtItsLine) {
  std::string body = "# HELP a first\n# TYPE a gauge\na 1\n";
  for (int i = 0; i < 60; ++i) body += "b 1\n";
  body += "# HELP a second\n# TYPE a counter\na 2\n";  // lines 64-66
  WorkerPool pool(2);
  Exposition pieces;
  pieces.Reparse(body, FamilyFilter(), pool, 16);
  ASSERT_TRUE(HasLaterPiece(pieces));
  ASSERT_EQ(pieces.error_count(), 1u);
  EXPECT_EQ(pieces.errors()[0].line, 65u);
  EXPECT_EQ(pieces.errors()[0].message, "line 65: second TYPE line for 'a'");
  const MetricFamily* a = pieces.FindFamily("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type, MetricType::kGauge);  // the first TYPE stands
  EXPECT_EQ(a->type_line, 2u);
  EXPECT_EQ(a->help, "second");  // the last HELP wins
  EXPECT_EQ(DumpExposition(pieces), DumpExposition(Exposition::Parse(body)));
}

TEST(ExpositionPiecesTest, ErrorsOfEveryPieceAreNumberedInTheWholeBodyAndCapped) {
  std::string body;
  for (int i = 0; i < 80; ++i) body += i % 2 == 0 ? "ok{i=\"x\"} 1\n" : "bad line\n";
  WorkerPool pool(2);
  Exposition pieces;
  pieces.Reparse(body, FamilyFilter(), pool, 64);
  EXPECT_EQ(pieces.error_count(), 40u);
  ASSERT_EQ(pieces.errors().size(), Exposition::kMaxKeptErrors);
  for (size_t i = 0; i < pieces.errors().size(); ++i) {
    EXPECT_EQ(pieces.errors()[i].line, 2 * i + 2);
  }
  EXPECT_EQ(pieces.samples().back().line, 79u);
  EXPECT_EQ(DumpExposition(pieces), DumpExposition(Exposition::Parse(body)));
}

TEST(ExpositionPiecesTest, OneExpositionServesParallelAndPlainParsesInTurn) {
  const std::string big = ::gatehouse::testing::SyntheticClusterExposition(20, 2);
  const std::string small = "x{a=\"\\\\\"} 1\n";
  const std::string big_alone = DumpExposition(Exposition::Parse(big));
  WorkerPool pool(2);
  Exposition e;
  e.Reparse(big, FamilyFilter(), pool, 1000);
  EXPECT_EQ(DumpExposition(e), big_alone);
  e.Reparse(small);
  EXPECT_EQ(DumpExposition(e), DumpExposition(Exposition::Parse(small)));
  EXPECT_EQ(e.LabelValue(e.samples()[0], "a"), "\\");
  e.Reparse(big, FamilyFilter(), pool, 1000);
  EXPECT_EQ(DumpExposition(e), big_alone);
  // One thread, or a body smaller than two pieces: the plain parse.
  WorkerPool one_thread(1);
  e.Reparse(big, FamilyFilter(), one_thread, 1);
  EXPECT_FALSE(HasLaterPiece(e));
  e.Reparse(big, FamilyFilter(), pool, big.size());
  EXPECT_FALSE(HasLaterPiece(e));
  EXPECT_EQ(DumpExposition(e), big_alone);
}

}  // namespace
}  // namespace gatehouse::prometheus
