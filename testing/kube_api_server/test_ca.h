// A throw-away certificate authority for loopback TLS in tests: an EC P-256 CA and certificates
// it signs (servers for localhost/127.0.0.1/::1, and clients by common name).
//
// Thread contract: thread-compatible.
#ifndef GATEHOUSE_TESTING_KUBE_API_SERVER_TEST_CA_H_
#define GATEHOUSE_TESTING_KUBE_API_SERVER_TEST_CA_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct x509_st X509;
typedef struct evp_pkey_st EVP_PKEY;

namespace gatehouse::testing {

struct IssuedCertificate {
  std::string cert_pem;
  std::string key_pem;
};

class TestCertificateAuthority {
 public:
  static absl::StatusOr<std::unique_ptr<TestCertificateAuthority>> Create();
  ~TestCertificateAuthority();

  const std::string& ca_pem() const { return ca_pem_; }
  // A server certificate valid for localhost, 127.0.0.1 and ::1.
  absl::StatusOr<IssuedCertificate> IssueServer(const std::string& common_name);
  absl::StatusOr<IssuedCertificate> IssueClient(const std::string& common_name);

 private:
  TestCertificateAuthority() = default;
  absl::StatusOr<IssuedCertificate> Issue(const std::string& common_name, bool server);

  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_cert_ = nullptr;
  std::string ca_pem_;
  long serial_ = 1;
};

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_KUBE_API_SERVER_TEST_CA_H_
