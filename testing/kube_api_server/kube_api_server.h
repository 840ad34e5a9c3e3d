// A Kubernetes-API-compatible server for Leases on loopback, for tests and benchmarks: HTTP or
// HTTPS (with its own CA, written to a file clients can trust), bearer tokens with and without
// permission, the API's exact semantics for Leases (opaque resourceVersion changing on every
// write, 404, 409 AlreadyExists / Conflict, 422 without resourceVersion, MicroTime validation,
// watch with chunked JSON events and 410 Gone, Status objects), fault injection and request
// counters per verb and client.
//
// Thread contract: thread-safe; every method may be called while requests are served.
#ifndef GATEHOUSE_TESTING_KUBE_API_SERVER_KUBE_API_SERVER_H_
#define GATEHOUSE_TESTING_KUBE_API_SERVER_KUBE_API_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace gatehouse::testing {

struct KubeApiServerOptions {
  bool tls = false;
  // Where the CA certificate (PEM) is written when `tls`; empty: a temp file.
  std::string ca_file;
  // token -> user name. A token not listed is 401. Empty map: no authentication at all.
  std::map<std::string, std::string> tokens;
  // Users that may not touch leases (403 with the real message).
  std::vector<std::string> forbidden_users;
  // Enables POST /admin/faults for the standalone binary.
  bool admin_endpoint = false;
  int threads = 64;  // a watch holds one
  // How many past events watches can resume from; older resourceVersions get 410 Gone.
  int event_history = 1000;
};

// A fault rule applies to requests whose token or User-Agent contains `client` (empty: all).
struct Fault {
  enum class Kind { kLatency, kHttpError, kDrop };
  Kind kind = Kind::kHttpError;
  std::string client;
  absl::Duration latency;       // kLatency
  int code = 500;               // kHttpError
  int retry_after_seconds = 0;  // kHttpError: sent as Retry-After when > 0
  int remaining = -1;           // how many requests it hits; -1: until cleared
};

class KubeApiServer {
 public:
  static absl::StatusOr<std::unique_ptr<KubeApiServer>> Start(KubeApiServerOptions options = {});
  ~KubeApiServer();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" or "https://..."
  std::string url() const;
  const std::string& ca_file() const { return ca_file_; }
  // A kubeconfig for this server and token (written to `path`).
  absl::Status WriteKubeconfig(const std::string& path, const std::string& token,
                               const std::string& lease_namespace = "default") const;

  // Faults.
  void AddFault(Fault fault);
  void ClearFaults();
  // Every request of `client` (token or User-Agent substring) gets its connection dropped.
  void Partition(const std::string& client);
  void Heal(const std::string& client);
  // All requests dropped while on; OutageFor ends by itself after `d` (real time).
  void SetOutage(bool on);
  void OutageFor(absl::Duration d);
  // Ends every open watch (their clients see the stream end).
  void CloseWatches();

  // Counters: verb is get, list, watch, create, update, patch, delete; client is the User-Agent.
  int64_t RequestCount(const std::string& verb, const std::string& client = "") const;
  int64_t TotalRequests() const;
  void ResetCounters();
  int OpenWatches() const;

  // Direct access to the store (what `kubectl get lease -o json` would show).
  std::optional<nlohmann::json> GetLease(const std::string& ns, const std::string& name) const;
  void DeleteLease(const std::string& ns, const std::string& name);

 private:
  struct Event {
    uint64_t rv;
    std::string ns, name, type;
    nlohmann::json object;
  };
  struct Caller {
    std::string token;
    std::string user_agent;
    std::string user;
  };
  explicit KubeApiServer(KubeApiServerOptions options);
  absl::Status Listen();
  void Install();
  // Faults and counters, before routing: true when the request was answered (or dropped) here.
  bool PreRoute(const httplib::Request& request, httplib::Response& response);
  // 401/403 as the API server says them; true when the caller may go on.
  bool Authorize(const Caller& caller, const std::string& verb, const std::string& ns,
                 const std::string& name, httplib::Response& response);
  void HandleItem(const httplib::Request& request, httplib::Response& response);
  void HandleCollection(const httplib::Request& request, httplib::Response& response);
  void HandleWatch(const Caller& caller, const std::string& ns, const httplib::Request& request,
                   httplib::Response& response);
  void HandleAdmin(const httplib::Request& request, httplib::Response& response);
  void RecordEvent(const std::string& type, const std::string& ns, const std::string& name,
                   const nlohmann::json& object) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the next watch events after `*last_rv` into `out`; false when the watch must end.
  bool NextWatchEvents(const std::string& ns, const std::string& name, uint64_t epoch,
                       absl::Time deadline, uint64_t* last_rv, std::string* out);

  const KubeApiServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string ca_file_;
  std::string ca_pem_;

  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, nlohmann::json> leases_ ABSL_GUARDED_BY(mu_);
  uint64_t rv_ ABSL_GUARDED_BY(mu_) = 1000;
  std::vector<Event> events_ ABSL_GUARDED_BY(mu_);
  uint64_t oldest_event_rv_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t watch_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  int open_watches_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar events_cv_;
  std::vector<Fault> faults_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> partitions_ ABSL_GUARDED_BY(mu_);
  bool outage_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time outage_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::map<std::pair<std::string, std::string>, int64_t> counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_KUBE_API_SERVER_KUBE_API_SERVER_H_
