// Watches one file (the policy) and calls back once its content has settled after a change.
// It watches the file's folder with inotify, because Kubernetes ConfigMaps and most editors
// replace a file (rename, symlink swap) rather than write it in place. Changes closer together
// than `debounce` are reported once; a rewrite with identical bytes is not a change.
//
// Thread contract: thread-compatible; the callback runs on the watcher's thread.
#ifndef GATEHOUSE_AGENT_DAEMON_FILE_WATCHER_H_
#define GATEHOUSE_AGENT_DAEMON_FILE_WATCHER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gatehouse {

class FileWatcher {
 public:
  static absl::StatusOr<std::unique_ptr<FileWatcher>> Create(std::string path,
                                                              absl::Duration debounce,
                                                              std::function<void()> on_change);
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

 private:
  FileWatcher() = default;
  void Run();

  std::string path_;
  absl::Duration debounce_;
  std::function<void()> on_change_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: ends Run()
  std::string last_content_;
  std::thread thread_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_DAEMON_FILE_WATCHER_H_
