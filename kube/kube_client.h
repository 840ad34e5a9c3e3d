// A small Kubernetes API client over libcurl: JSON bodies, bearer tokens (re-read from a file on
// rotation and on 401), TLS from the KubeConfig, a client-side token bucket, Retry-After honoured
// on 429/5xx, a per-request timeout, and `User-Agent: gatehouse/<version>`.
//
// Thread contract: thread-safe; requests from many threads run concurrently (connections are
// pooled).
#ifndef GATEHOUSE_KUBE_KUBE_CLIENT_H_
#define GATEHOUSE_KUBE_KUBE_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "kube/kube_config.h"
#include "kube/token_bucket.h"
#include "nlohmann/json.hpp"

struct curl_slist;

namespace gatehouse::kube {

struct KubeClientOptions {
  double qps = 5;
  int burst = 10;
  // Per HTTP request; the elector sets it to at most renewDeadline / 2.
  absl::Duration request_timeout = absl::Seconds(5);
  // Retries after a 429/5xx that carried Retry-After (never past the call's deadline).
  int max_retries = 3;
  // Re-read token_file at least this often (it rotates).
  absl::Duration token_refresh = absl::Minutes(1);
  std::string user_agent;  // empty: "gatehouse/<version>"
  Clock* clock = &Clock::Real();
};

// Per-call limits.
struct CallOptions {
  absl::Time monotonic_deadline = absl::InfiniteFuture();  // on the client's clock
  absl::Notification* cancel = nullptr;
  // Watch only: polled after each event and about once a second; true ends the watch with OK.
  std::function<bool()> should_stop;
};

class KubeClient {
 public:
  static absl::StatusOr<std::unique_ptr<KubeClient>> Create(KubeConfig config,
                                                            KubeClientOptions options);
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // One request; `body` may be null. A non-2xx answer becomes a status (see kube_errors.h).
  // `verb` labels metrics ("get", "create", "update", ...).
  absl::StatusOr<nlohmann::json> Call(absl::string_view method, absl::string_view path,
                                      const nlohmann::json* body, absl::string_view verb,
                                      const CallOptions& call = {});

  // A watch: one long-lived GET whose chunked body is a stream of JSON events, each passed to
  // `on_event`; returning false from it ends the watch with OK. Ends with OK at the deadline or
  // on cancel, and with the error when the request fails (410 Gone: see IsGone()).
  absl::Status Watch(absl::string_view path, const std::function<bool(const nlohmann::json&)>& on_event,
                     const CallOptions& call);

  const KubeConfig& config() const { return config_; }
  const std::string& user_agent() const { return user_agent_; }

  // Observes every finished request (verb, HTTP code or 0 for a transport error): metrics.
  using RequestObserver = std::function<void(absl::string_view verb, int code)>;
  void SetRequestObserver(RequestObserver observer);

 private:
  KubeClient(KubeConfig config, KubeClientOptions options);
  absl::Status Setup();
  std::string BearerToken(bool force_reread);
  void* TakeHandle();
  void ReturnHandle(void* handle);
  struct Attempt;
  void ConfigureHandle(void* handle, const std::string& url, const std::string& token,
                               absl::Duration timeout);

  const KubeConfig config_;
  const KubeClientOptions options_;
  std::string user_agent_;
  std::string url_host_;     // the URL's scheme://host:port (the TLS server name when set)
  std::string connect_to_;   // CURLOPT_CONNECT_TO entry when tls_server_name is set
  curl_slist* connect_to_list_ = nullptr;
  std::string ca_pem_;
  std::string cert_pem_;
  std::string key_pem_;
  TokenBucket bucket_;

  absl::Mutex token_mu_;
  std::string token_ ABSL_GUARDED_BY(token_mu_);
  absl::Time token_read_at_ ABSL_GUARDED_BY(token_mu_) = absl::InfinitePast();

  absl::Mutex handles_mu_;
  std::vector<void*> idle_handles_ ABSL_GUARDED_BY(handles_mu_);

  absl::Mutex observer_mu_;
  RequestObserver observer_ ABSL_GUARDED_BY(observer_mu_);
};

// True for 410 Gone (a watch from a resourceVersion too old): re-list.
bool IsGone(const absl::Status& status);

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_KUBE_CLIENT_H_
