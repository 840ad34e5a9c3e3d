// Fetches one URL over HTTP(S) with libcurl, for scrapers: timeouts, gzip, TLS with CA files
// or inline PEM (concatenated into one in-memory bundle),
// a bearer token read from a file (re-read whenever the file changes, for kube-rbac-proxy's
// rotating tokens), a body size cap, and one clear error per failure kind.
//
// Thread contract: thread-compatible (one connection, reused between fetches); use one fetcher
// per thread.
#ifndef GATEHOUSE_INPUTS_COMMON_HTTP_HTTP_FETCHER_H_
#define GATEHOUSE_INPUTS_COMMON_HTTP_HTTP_FETCHER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gatehouse::http {

struct HttpFetcherOptions {
  absl::Duration timeout = absl::Seconds(10);  // the whole request
  absl::Duration connect_timeout = absl::Seconds(5);
  // `ssl.certificate_authorities`: each entry a PEM file or an inline PEM string (it starts
  // with "-----BEGIN"); all of them are trusted together. Empty: the system's CAs.
  std::vector<std::string> certificate_authorities;
  bool verify_tls = true;         // false only for tests and labs
  std::string bearer_token_file;  // empty: no Authorization header
  int64_t max_body_bytes = int64_t{256} << 20;
  std::string user_agent = "gatehouse";
  // When set and true, an in-flight fetch aborts within ~100ms with a Cancelled error (the
  // input is stopping). Must outlive the fetcher.
  const std::atomic<bool>* cancel = nullptr;
};

// What went wrong, for metrics and tests (the status message says it for humans).
enum class FetchErrorKind { kNone, kDns, kConnect, kTimeout, kTls, kHttpStatus, kBody, kOther };

// The kind recorded in a status returned by Fetch (kOther for foreign statuses, kNone for OK).
FetchErrorKind FetchErrorKindOf(const absl::Status& status);
const char* FetchErrorKindName(FetchErrorKind kind);

class HttpFetcher {
 public:
  static absl::StatusOr<std::unique_ptr<HttpFetcher>> Create(HttpFetcherOptions options);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // GETs `url` ("http://host:port/metrics"; a bare "host:port" gets "http://" and "/metrics")
  // and returns the decoded body. Errors, each naming the URL:
  //   DNS ("could not resolve host"), connect ("connection refused"), timeout, TLS (certificate
  //   or handshake), HTTP status ("HTTP 500 Internal Server Error"), body (truncated or too
  //   large), bearer token file unreadable.
  absl::StatusOr<std::string> Fetch(const std::string& url);

  // "kube-state-metrics:8080" -> "http://kube-state-metrics:8080/metrics".
  static std::string NormalizeUrl(const std::string& host_or_url);

 private:
  HttpFetcher(HttpFetcherOptions options, std::string ca_bundle);
  absl::Status RefreshToken();

  const HttpFetcherOptions options_;
  const std::string ca_bundle_;  // every certificate_authorities entry, PEM, concatenated
  void* curl_ = nullptr;  // CURL*
  // The bearer token and the file identity it was read from (re-read when these change).
  std::string token_;
  int64_t token_mtime_ns_ = -1;
  int64_t token_size_ = -1;
  uint64_t token_inode_ = 0;
};

}  // namespace gatehouse::http

#endif  // GATEHOUSE_INPUTS_COMMON_HTTP_HTTP_FETCHER_H_
