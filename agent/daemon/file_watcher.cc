#include "agent/daemon/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gatehouse {
namespace {

std::string ReadOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileWatcher>> FileWatcher::Create(std::string path,
                                                                  absl::Duration debounce,
                                                                  std::function<void()> on_change) {
  std::unique_ptr<FileWatcher> watcher(new FileWatcher());
  watcher->path_ = std::move(path);
  watcher->debounce_ = debounce;
  watcher->on_change_ = std::move(on_change);
  std::filesystem::path folder = std::filesystem::path(watcher->path_).parent_path();
  if (folder.empty()) folder = ".";

  watcher->inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (watcher->inotify_fd_ < 0) {
    return absl::InternalError(absl::StrCat("inotify_init1: ", std::strerror(errno)));
  }
  if (inotify_add_watch(watcher->inotify_fd_, folder.c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY |
                            IN_ATTRIB) < 0) {
    const int error = errno;
    close(watcher->inotify_fd_);
    watcher->inotify_fd_ = -1;
    return absl::FailedPreconditionError(
        absl::StrCat("cannot watch ", folder.string(), " for changes of ", watcher->path_, ": ",
                     std::strerror(error)));
  }
  watcher->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  watcher->last_content_ = ReadOrEmpty(watcher->path_);
  FileWatcher* raw = watcher.get();
  watcher->thread_ = std::thread([raw] { raw->Run(); });
  return watcher;
}

FileWatcher::~FileWatcher() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void FileWatcher::Run() {
  pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  bool pending = false;
  char buffer[64 * 1024];
  for (;;) {
    // While a change is pending, wait at most `debounce` for the next event; then report.
    const int timeout_ms = pending ? static_cast<int>(absl::ToInt64Milliseconds(debounce_)) : -1;
    const int ready = poll(fds, 2, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (fds[1].revents & POLLIN) return;
    if (ready == 0) {
      pending = false;
      std::string content = ReadOrEmpty(path_);
      if (content != last_content_) {
        last_content_ = std::move(content);
        on_change_();
      }
      continue;
    }
    if (fds[0].revents & POLLIN) {
      // Any event in the folder may be our file (symlink swaps rename other names): the
      // content comparison after the debounce decides.
      while (read(inotify_fd_, buffer, sizeof(buffer)) > 0) {
      }
      pending = true;
    }
  }
}

}  // namespace gatehouse
