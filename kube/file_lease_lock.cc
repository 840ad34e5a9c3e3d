#include "kube/file_lease_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kube/kube_errors.h"

namespace gatehouse::kube {
namespace {

// The same Status objects the API server sends, so callers decide on the same reasons.
absl::Status ApiError(int code, const std::string& reason, const std::string& message,
                      const std::string& what) {
  nlohmann::json status = {{"kind", "Status"}, {"status", "Failure"}, {"reason", reason},
                           {"message", message}, {"code", code}};
  return StatusFromHttpError(code, status.dump(), what);
}

absl::Status MakeDirs(const std::string& dir) {
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      partial = dir.substr(0, i);
      if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return absl::FailedPreconditionError(
            absl::StrCat("lease_dir: cannot create ", partial, ": ", std::strerror(errno)));
      }
    }
  }
  return absl::OkStatus();
}

// Holds an exclusive flock for its lifetime.
class FileLockGuard {
 public:
  explicit FileLockGuard(const std::string& path) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0 && flock(fd_, LOCK_EX) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~FileLockGuard() {
    if (fd_ >= 0) close(fd_);  // closing releases the flock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

FileLeaseLock::FileLeaseLock(std::string dir, std::string lease_namespace, std::string name)
    : dir_(std::move(dir)),
      namespace_(std::move(lease_namespace)),
      name_(std::move(name)),
      path_(absl::StrCat(dir_, "/", namespace_, ".", name_, ".json")),
      lock_path_(absl::StrCat(dir_, "/", namespace_, ".", name_, ".lock")) {}

absl::StatusOr<std::unique_ptr<FileLeaseLock>> FileLeaseLock::Create(std::string dir,
                                                                     std::string lease_namespace,
                                                                     std::string name) {
  if (dir.empty()) return absl::InvalidArgumentError("lease_dir: empty path");
  absl::Status status = MakeDirs(dir);
  if (!status.ok()) return status;
  return std::unique_ptr<FileLeaseLock>(
      new FileLeaseLock(std::move(dir), std::move(lease_namespace), std::move(name)));
}

namespace {

// Reads the Lease file; NotFound when absent. Call under the flock.
absl::StatusOr<Lease> ReadLeaseFile(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) {
    return ApiError(404, "NotFound",
                    absl::StrCat("leases.coordination.k8s.io \"", name, "\" not found"),
                    absl::StrCat("read ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json object = nlohmann::json::parse(text.str(), nullptr, false);
  if (object.is_discarded()) {
    return absl::DataLossError(absl::StrCat("lease file ", path, " is not valid JSON"));
  }
  absl::StatusOr<Lease> lease = ParseLease(object);
  if (!lease.ok()) {
    return absl::DataLossError(absl::StrCat("lease file ", path, ": ", lease.status().message()));
  }
  return lease;
}

// Writes atomically (temp file + rename). Call under the flock.
absl::Status WriteLeaseFile(const std::string& path, const nlohmann::json& object) {
  const std::string temp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(temp, std::ios::trunc);
    out << object.dump(2) << "\n";
    out.close();
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temp));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot rename ", temp, " to ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string NextVersion(const std::string& current) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(current, &n)) n = 0;  // an unreadable version restarts the count
  return std::to_string(n + 1);
}

}  // namespace

absl::StatusOr<Lease> FileLeaseLock::Get(const LockCallOptions&) {
  FileLockGuard guard(lock_path_);
  if (!guard.ok()) return absl::UnavailableError(absl::StrCat("cannot lock ", lock_path_));
  return ReadLeaseFile(path_, name_);
}

absl::StatusOr<Lease> FileLeaseLock::Create(const LeaseRecord& record, const LockCallOptions&) {
  FileLockGuard guard(lock_path_);
  if (!guard.ok()) return absl::UnavailableError(absl::StrCat("cannot lock ", lock_path_));
  absl::StatusOr<Lease> existing = ReadLeaseFile(path_, name_);
  if (existing.ok()) {
    return ApiError(409, "AlreadyExists",
                    absl::StrCat("leases.coordination.k8s.io \"", name_, "\" already exists"),
                    absl::StrCat("create ", path_));
  }
  if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  nlohmann::json object = LeaseObject(namespace_, name_, record);
  object["metadata"]["resourceVersion"] = "1";
  absl::Status status = WriteLeaseFile(path_, object);
  if (!status.ok()) return status;
  return ParseLease(object);
}

absl::StatusOr<Lease> FileLeaseLock::Update(const Lease& current, const LeaseRecord& record,
                                            const LockCallOptions&) {
  FileLockGuard guard(lock_path_);
  if (!guard.ok()) return absl::UnavailableError(absl::StrCat("cannot lock ", lock_path_));
  absl::StatusOr<Lease> stored = ReadLeaseFile(path_, name_);
  if (!stored.ok()) return stored.status();
  if (current.resource_version.empty()) {
    return ApiError(422, "Invalid",
                    absl::StrCat("Lease \"", name_,
                                 "\" is invalid: metadata.resourceVersion: must be specified for "
                                 "an update"),
                    absl::StrCat("update ", path_));
  }
  if (stored->resource_version != current.resource_version) {
    return ApiError(409, "Conflict",
                    absl::StrCat("Operation cannot be fulfilled on leases \"", name_,
                                 "\": the object has been modified"),
                    absl::StrCat("update ", path_));
  }
  nlohmann::json object = stored->object;
  WriteLeaseSpec(record, &object);
  object["metadata"]["resourceVersion"] = NextVersion(stored->resource_version);
  absl::Status status = WriteLeaseFile(path_, object);
  if (!status.ok()) return status;
  return ParseLease(object);
}

}  // namespace gatehouse::kube
