#include "kube/kube_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/version.h"
#include "kube/kube_errors.h"

namespace gatehouse::kube {
namespace {

// The client's own limit on one watch request: longer than any timeoutSeconds we ask of the
// server (at most 10 minutes), so the server ends a healthy watch and this only ends a dead one.
constexpr absl::Duration kWatchSlice = absl::Minutes(11);

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  std::string body;
  std::string retry_after;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->body.append(data, size * count);
  return size * count;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  absl::string_view line(data, size * count);
  if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    static_cast<Transfer*>(user)->retry_after =
        std::string(absl::StripAsciiWhitespace(line.substr(strlen("retry-after:"))));
  }
  return size * count;
}

// Splits "https://host:port/prefix" into scheme, host (brackets kept), port.
bool SplitServer(const std::string& server, std::string* scheme, std::string* host,
                 std::string* port, std::string* rest) {
  size_t colon = server.find("://");
  if (colon == std::string::npos) return false;
  *scheme = server.substr(0, colon);
  std::string hostport = server.substr(colon + 3);
  size_t slash = hostport.find('/');
  *rest = slash == std::string::npos ? "" : hostport.substr(slash);
  if (!rest->empty() && rest->back() == '/') rest->pop_back();
  hostport = hostport.substr(0, slash);
  size_t port_colon = hostport.rfind(':');
  size_t bracket = hostport.rfind(']');
  if (port_colon != std::string::npos && (bracket == std::string::npos || port_colon > bracket)) {
    *host = hostport.substr(0, port_colon);
    *port = hostport.substr(port_colon + 1);
  } else {
    *host = hostport;
    *port = *scheme == "https" ? "443" : "80";
  }
  return !host->empty();
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

}  // namespace

bool IsGone(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange || KubeHttpCode(status) == 410;
}

KubeClient::KubeClient(KubeConfig config, KubeClientOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      bucket_(options_.qps, options_.burst, options_.clock) {}

absl::StatusOr<std::unique_ptr<KubeClient>> KubeClient::Create(KubeConfig config,
                                                                KubeClientOptions options) {
  GlobalInit();
  std::unique_ptr<KubeClient> client(new KubeClient(std::move(config), std::move(options)));
  absl::Status status = client->Setup();
  if (!status.ok()) return status;
  return client;
}

absl::Status KubeClient::Setup() {
  user_agent_ = options_.user_agent.empty() ? absl::StrCat("gatehouse/", kVersion)
                                            : options_.user_agent;
  std::string scheme, host, port, rest;
  if (!SplitServer(config_.server, &scheme, &host, &port, &rest) ||
      (scheme != "https" && scheme != "http")) {
    return absl::InvalidArgumentError(absl::StrCat(config_.source, ": server '", config_.server,
                                                   "' is not an http(s) URL"));
  }
  if (!config_.tls_server_name.empty()) {
    // Verify (and send SNI for) the given name while connecting to the real address.
    url_host_ = absl::StrCat(scheme, "://", config_.tls_server_name, ":", port, rest);
    std::string bare = host;
    if (!bare.empty() && bare.front() == '[') bare = bare.substr(1, bare.size() - 2);
    connect_to_ = absl::StrCat(config_.tls_server_name, ":", port, ":", bare, ":", port);
    connect_to_list_ = curl_slist_append(nullptr, connect_to_.c_str());
  } else {
    url_host_ = absl::StrCat(scheme, "://", host, ":", port, rest);
  }
  ca_pem_ = config_.ca_data;
  cert_pem_ = config_.client_cert_data;
  key_pem_ = config_.client_key_data;
  for (const auto& [path, what] : {std::pair{config_.ca_file, "certificate authority"},
                                   std::pair{config_.client_cert_file, "client certificate"},
                                   std::pair{config_.client_key_file, "client key"}}) {
    std::string probe;
    if (!path.empty() && !ReadFile(path, &probe)) {
      return absl::FailedPreconditionError(
          absl::StrCat(config_.source, ": cannot read the ", what, " file ", path));
    }
  }
  if (!config_.token_file.empty()) {
    std::string probe;
    if (!ReadFile(config_.token_file, &probe)) {
      return absl::FailedPreconditionError(
          absl::StrCat(config_.source, ": cannot read the token file ", config_.token_file));
    }
  }
  return absl::OkStatus();
}

KubeClient::~KubeClient() {
  curl_slist_free_all(connect_to_list_);
  absl::MutexLock lock(&handles_mu_);
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void KubeClient::SetRequestObserver(RequestObserver observer) {
  absl::MutexLock lock(&observer_mu_);
  observer_ = std::move(observer);
}

std::string KubeClient::BearerToken(bool force_reread) {
  if (config_.token_file.empty()) return config_.token;
  absl::MutexLock lock(&token_mu_);
  const absl::Time now = options_.clock->MonotonicNow();
  if (force_reread || token_.empty() || now - token_read_at_ >= options_.token_refresh) {
    std::string text;
    if (ReadFile(config_.token_file, &text)) {
      token_ = std::string(absl::StripAsciiWhitespace(text));
      token_read_at_ = now;
    }
  }
  return token_;
}

void* KubeClient::TakeHandle() {
  {
    absl::MutexLock lock(&handles_mu_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void KubeClient::ReturnHandle(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));
  absl::MutexLock lock(&handles_mu_);
  idle_handles_.push_back(handle);
}

void KubeClient::ConfigureHandle(void* raw, const std::string& url,
                                         const std::string& token, absl::Duration timeout) {
  CURL* curl = static_cast<CURL*>(raw);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout))));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(
                       1, absl::ToInt64Milliseconds(std::min(timeout, absl::Seconds(10))))));
  if (connect_to_list_ != nullptr) curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to_list_);
  const long verify = config_.insecure_skip_tls_verify ? 0L : 1L;
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, verify);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, verify * 2);
  if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!ca_pem_.empty()) {
    curl_blob blob{const_cast<char*>(ca_pem_.data()), ca_pem_.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!config_.client_cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, config_.client_cert_file.c_str());
  }
  if (!cert_pem_.empty()) {
    curl_blob blob{const_cast<char*>(cert_pem_.data()), cert_pem_.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &blob);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!config_.client_key_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLKEY, config_.client_key_file.c_str());
  }
  if (!key_pem_.empty()) {
    curl_blob blob{const_cast<char*>(key_pem_.data()), key_pem_.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &blob);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
}

struct KubeClient::Attempt {
  long code = 0;
  CURLcode result = CURLE_OK;
  std::string error;
  Transfer transfer;
};

absl::StatusOr<nlohmann::json> KubeClient::Call(absl::string_view method, absl::string_view path,
                                                const nlohmann::json* body,
                                                absl::string_view verb, const CallOptions& call) {
  const std::string what = absl::StrCat(method, " ", path);
  const std::string url = absl::StrCat(url_host_, path);
  const std::string payload = body == nullptr ? "" : body->dump();
  Clock* clock = options_.clock;
  bool reread_token = false;
  for (int attempt = 0;; ++attempt) {
    if (!bucket_.Acquire(call.monotonic_deadline, call.cancel)) {
      return call.cancel != nullptr && call.cancel->HasBeenNotified()
                 ? absl::CancelledError(absl::StrCat(what, ": cancelled"))
                 : absl::DeadlineExceededError(
                       absl::StrCat(what, ": client-side rate limit (qps ", options_.qps,
                                    ") would pass the deadline"));
    }
    absl::Duration timeout = options_.request_timeout;
    if (call.monotonic_deadline != absl::InfiniteFuture()) {
      timeout = std::min(timeout, call.monotonic_deadline - clock->MonotonicNow());
    }
    if (timeout <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(what, ": deadline passed"));
    }
    const std::string token = BearerToken(reread_token);
    CURL* curl = static_cast<CURL*>(TakeHandle());
    ConfigureHandle(curl, url, token, timeout);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/json");
    if (body != nullptr) headers = curl_slist_append(headers, "Content-Type: application/json");
    const std::string auth = absl::StrCat("Authorization: Bearer ", token);
    if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const std::string method_text(method);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
    if (body != nullptr) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    }
    Attempt result;
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.transfer);
    result.result = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.code);
    result.error = error[0] != '\0' ? error : curl_easy_strerror(result.result);
    curl_slist_free_all(headers);
    ReturnHandle(curl);
    {
      absl::MutexLock lock(&observer_mu_);
      if (observer_) observer_(verb, result.result == CURLE_OK ? static_cast<int>(result.code) : 0);
    }
    if (result.result != CURLE_OK) {
      if (result.result == CURLE_OPERATION_TIMEDOUT) {
        return absl::DeadlineExceededError(
            absl::StrCat(what, ": timed out after ", absl::FormatDuration(timeout)));
      }
      return absl::UnavailableError(absl::StrCat(what, ": ", result.error));
    }
    if (result.code >= 200 && result.code < 300) {
      nlohmann::json parsed = nlohmann::json::parse(result.transfer.body, nullptr, false);
      if (parsed.is_discarded()) {
        return absl::InternalError(absl::StrCat(what, ": the answer is not JSON"));
      }
      return parsed;
    }
    if (result.code == 401 && !config_.token_file.empty() && !reread_token) {
      reread_token = true;  // the token may have rotated
      continue;
    }
    int retry_after = 0;
    if ((result.code == 429 || result.code >= 500) && attempt < options_.max_retries &&
        absl::SimpleAtoi(result.transfer.retry_after, &retry_after) && retry_after >= 0) {
      const absl::Time wake = clock->MonotonicNow() + absl::Seconds(retry_after);
      if (wake < call.monotonic_deadline) {
        if (!clock->SleepUntil(wake, call.cancel)) {
          return absl::CancelledError(absl::StrCat(what, ": cancelled"));
        }
        continue;
      }
    }
    return StatusFromHttpError(static_cast<int>(result.code), result.transfer.body, what);
  }
}

namespace {

struct WatchState {
  const std::function<bool(const nlohmann::json&)>* on_event;
  Clock* clock;
  absl::Time deadline;
  absl::Notification* cancel;
  const std::function<bool()>* should_stop;
  std::string buffer;
  std::string error_body;
  long code = 0;
  bool stopped_by_callback = false;
  absl::Status error;
  CURL* curl;
};

size_t WriteWatch(char* data, size_t size, size_t count, void* user) {
  WatchState* state = static_cast<WatchState*>(user);
  const size_t length = size * count;
  if (state->code == 0) curl_easy_getinfo(state->curl, CURLINFO_RESPONSE_CODE, &state->code);
  if (state->code != 200) {
    state->error_body.append(data, length);
    return length;
  }
  state->buffer.append(data, length);
  size_t newline;
  while ((newline = state->buffer.find('\n')) != std::string::npos) {
    std::string line = state->buffer.substr(0, newline);
    state->buffer.erase(0, newline + 1);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_object()) {
      state->error = absl::InternalError("watch: an event is not a JSON object");
      return 0;
    }
    if (event.value("type", "") == "ERROR") {
      const nlohmann::json& object = event["object"];
      const int code = object.is_object() ? object.value("code", 500) : 500;
      state->error = StatusFromHttpError(code, object.dump(), "watch");
      return 0;
    }
    if (!(*state->on_event)(event) || (*state->should_stop && (*state->should_stop)())) {
      state->stopped_by_callback = true;
      return 0;
    }
  }
  return length;
}

int WatchProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  WatchState* state = static_cast<WatchState*>(user);
  if (state->cancel != nullptr && state->cancel->HasBeenNotified()) return 1;
  if (*state->should_stop && (*state->should_stop)()) return 1;
  return state->clock->MonotonicNow() >= state->deadline ? 1 : 0;
}

}  // namespace

absl::Status KubeClient::Watch(absl::string_view path,
                               const std::function<bool(const nlohmann::json&)>& on_event,
                               const CallOptions& call) {
  const std::string what = absl::StrCat("WATCH ", path);
  Clock* clock = options_.clock;
  if (!bucket_.Acquire(call.monotonic_deadline, call.cancel)) return absl::OkStatus();
  absl::Duration slice = std::min(kWatchSlice, call.monotonic_deadline - clock->MonotonicNow());
  if (slice <= absl::ZeroDuration()) return absl::OkStatus();
  CURL* curl = static_cast<CURL*>(TakeHandle());
  const std::string token = BearerToken(false);
  ConfigureHandle(curl, absl::StrCat(url_host_, path), token, slice);
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  const std::string auth = absl::StrCat("Authorization: Bearer ", token);
  if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  WatchState state{&on_event, clock, call.monotonic_deadline, call.cancel, &call.should_stop};
  state.curl = curl;
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteWatch);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, WatchProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &state);
  const CURLcode result = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  // A watch cut short leaves the connection in an unknown state: do not reuse it.
  curl_easy_cleanup(curl);
  {
    absl::MutexLock lock(&observer_mu_);
    if (observer_) observer_("watch", result == CURLE_OK || code != 0 ? static_cast<int>(code) : 0);
  }
  if (!state.error.ok()) return state.error;
  if (state.stopped_by_callback) return absl::OkStatus();
  if (code != 0 && code != 200) {
    return StatusFromHttpError(static_cast<int>(code), state.error_body, what);
  }
  if (result == CURLE_OK || result == CURLE_ABORTED_BY_CALLBACK ||
      result == CURLE_OPERATION_TIMEDOUT) {
    return absl::OkStatus();  // the server ended the stream, or our deadline / cancel
  }
  return absl::UnavailableError(absl::StrCat(what, ": ", curl_easy_strerror(result)));
}

}  // namespace gatehouse::kube
