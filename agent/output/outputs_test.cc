#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/output/console_output.h"
#include "agent/output/event_queue.h"
#include "agent/output/file_output.h"
#include "agent/output/output_worker.h"
#include "agent/registry/registry.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  fs::path p = fs::path(dir ? dir : "/tmp") / name;
  fs::remove(p);
  for (int i = 1; i < 10; ++i) fs::remove(p.string() + "." + std::to_string(i));
  return p.string();
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<Event> Batch(int from, int count) {
  std::vector<Event> batch;
  for (int i = from; i < from + count; ++i) batch.push_back(Event{{"n", i}, {"pad", "xxxxxxxx"}});
  return batch;
}

TEST(FileOutputTest, WritesNdjsonAndAppendsAfterReopen) {
  const std::string path = TempPath("events.ndjson");
  {
    ASSERT_OK_AND_ASSIGN(auto out, FileOutput::Open({.path = path}));
    ASSERT_OK(out->Write(Batch(0, 2)));
    ASSERT_OK(out->Flush());
  }
  ASSERT_OK_AND_ASSIGN(auto out, FileOutput::Open({.path = path}));
  EXPECT_EQ(out->repaired_bytes(), 0);
  ASSERT_OK(out->Write(Batch(2, 1)));
  EXPECT_EQ(Lines(path), (std::vector<std::string>{R"({"n":0,"pad":"xxxxxxxx"})",
                                                   R"({"n":1,"pad":"xxxxxxxx"})",
                                                   R"({"n":2,"pad":"xxxxxxxx"})"}));
}

TEST(FileOutputTest, TornLastLineIsCutOnOpen) {
  const std::string path = TempPath("torn.ndjson");
  { std::ofstream(path) << "{\"n\":0}\n{\"n\":1}\n{\"n\":2,\"pa"; }
  ASSERT_OK_AND_ASSIGN(auto out, FileOutput::Open({.path = path}));
  EXPECT_EQ(out->repaired_bytes(), 10);  // {"n":2,"pa
  ASSERT_OK(out->Write({Event{{"n", 3}}}));
  EXPECT_EQ(Contents(path), "{\"n\":0}\n{\"n\":1}\n{\"n\":3}\n");

  const std::string only_torn = TempPath("only_torn.ndjson");
  { std::ofstream(only_torn) << "{\"half"; }
  ASSERT_OK_AND_ASSIGN(auto out2, FileOutput::Open({.path = only_torn}));
  EXPECT_EQ(out2->size(), 0);
}

TEST(FileOutputTest, RotatesBySizeAndKeepsMaxFiles) {
  const std::string path = TempPath("rot.ndjson");
  // Each line is 26 bytes; 100 bytes hold 3 lines.
  ASSERT_OK_AND_ASSIGN(auto out,
                       FileOutput::Open({.path = path, .rotate_bytes = 100, .max_files = 3}));
  for (int i = 0; i < 20; i += 2) ASSERT_OK(out->Write(Batch(i, 2)));
  EXPECT_TRUE(fs::exists(path + ".1"));
  EXPECT_TRUE(fs::exists(path + ".2"));
  EXPECT_FALSE(fs::exists(path + ".3"));
  std::vector<int> seen;
  for (const std::string& file : {path + ".2", path + ".1", path}) {
    EXPECT_LE(fs::file_size(file), 100u) << file;
    for (const std::string& line : Lines(file)) seen.push_back(Event::parse(line)["n"].get<int>());
  }
  // The newest events, in order, without gaps.
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 19);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] + 1);
}

TEST(FileOutputTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string path = TempPath("utf8.ndjson");
  ASSERT_OK_AND_ASSIGN(auto out, FileOutput::Open({.path = path}));
  ASSERT_OK(out->Write({Event{{"s", std::string("ok\xff")}}}));
  EXPECT_EQ(Lines(path).size(), 1u);
}

TEST(FileOutputTest, KilledWriterNeverLeavesALineTheNextStartCannotContinueAfter) {
  const std::string path = TempPath("crash.ndjson");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto out = FileOutput::Open({.path = path, .rotate_bytes = int64_t{1} << 30});
    if (!out.ok()) _exit(2);
    for (int i = 0;; i += 50) {
      if (!(*out)->Write(Batch(i, 50)).ok()) _exit(3);
    }
  }
  while (!fs::exists(path) || fs::file_size(path) < 200000) std::this_thread::yield();
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  ASSERT_OK_AND_ASSIGN(auto out, FileOutput::Open({.path = path, .rotate_bytes = int64_t{1} << 30}));
  ASSERT_OK(out->Write({Event{{"n", -1}}}));
  std::vector<std::string> lines = Lines(path);
  ASSERT_GT(lines.size(), 1000u);
  for (size_t i = 0; i < lines.size(); ++i) {
    Event e = Event::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(e.is_discarded()) << "line " << i + 1 << ": " << lines[i];
    if (i + 1 < lines.size()) {
      EXPECT_EQ(e["n"], static_cast<int>(i));
    }
  }
  EXPECT_EQ(Event::parse(lines.back())["n"], -1);
}

TEST(OutputFactoriesTest, RegisteredAndCheckOptions) {
  const OutputFactory* file = Registry<OutputFactory>::Global().Find("file");
  ASSERT_NE(file, nullptr);
  const std::string path = TempPath("factory.ndjson");
  ASSERT_OK_AND_ASSIGN(auto out, file->Create(Value(Value::Map{{"type", Value("file")},
                                                               {"path", Value(path)},
                                                               {"rotate_size", Value("1KiB")}})));
  ASSERT_OK(out->Write(Batch(0, 1)));
  EXPECT_EQ(Lines(path).size(), 1u);
  EXPECT_STATUS(file->Create(Value(Value::Map{{"type", Value("file")}})),
                absl::StatusCode::kInvalidArgument, "path");
  EXPECT_STATUS(file->Create(Value(Value::Map{{"path", Value(path)}, {"rotate_sise", Value(1)}})),
                absl::StatusCode::kInvalidArgument, "rotate_sise");
  EXPECT_NE(Registry<OutputFactory>::Global().Find("console"), nullptr);
}

TEST(ConsoleOutputTest, WritesOneLinePerEvent) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ConsoleOutput console(fds[1]);
  ASSERT_OK(console.Write({Event{{"a", 1}}, Event{{"b", "x"}}}));
  close(fds[1]);
  char buf[256];
  ssize_t n = read(fds[0], buf, sizeof(buf));
  close(fds[0]);
  EXPECT_EQ(std::string(buf, n), "{\"a\":1}\n{\"b\":\"x\"}\n");
}

TEST(OutputWorkerFileTest, StopDrainsTheQueueIntoTheFile) {
  const std::string path = TempPath("worker.ndjson");
  EventQueue queue(16, "worker_file_test");
  ASSERT_OK_AND_ASSIGN(auto file, FileOutput::Open({.path = path}));
  ASSERT_OK_AND_ASSIGN(auto worker, OutputWorker::Create(std::move(file), &queue,
                                                         {.name = "worker_file_test", .max_batch = 7}));
  worker->Start();
  std::thread producer([&] {
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(queue.Push(Event{{"n", i}}));
  });
  producer.join();
  ASSERT_OK(worker->Stop());
  std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(lines[i], "{\"n\":" + std::to_string(i) + "}");
}

}  // namespace
}  // namespace gatehouse
