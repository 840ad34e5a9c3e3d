#include "testing/kube_api_server/test_ca.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::testing {
namespace {

std::string PemOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, len);
  BIO_free(bio);
  return pem;
}

std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, len);
  BIO_free(bio);
  return pem;
}

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

X509* NewCert(EVP_PKEY* key, const std::string& common_name, long serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestCertificateAuthority>> TestCertificateAuthority::Create() {
  std::unique_ptr<TestCertificateAuthority> ca(new TestCertificateAuthority());
  ca->ca_key_ = EVP_EC_gen("P-256");
  if (ca->ca_key_ == nullptr) return absl::InternalError("test CA: cannot generate a key");
  ca->ca_cert_ = NewCert(ca->ca_key_, "gatehouse-test-ca", ca->serial_++);
  X509_set_issuer_name(ca->ca_cert_, X509_get_subject_name(ca->ca_cert_));
  if (!AddExtension(ca->ca_cert_, ca->ca_cert_, NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(ca->ca_cert_, ca->ca_cert_, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExtension(ca->ca_cert_, ca->ca_cert_, NID_subject_key_identifier, "hash") ||
      X509_sign(ca->ca_cert_, ca->ca_key_, EVP_sha256()) == 0) {
    return absl::InternalError("test CA: cannot sign the CA certificate");
  }
  ca->ca_pem_ = PemOf(ca->ca_cert_);
  return ca;
}

TestCertificateAuthority::~TestCertificateAuthority() {
  X509_free(ca_cert_);
  EVP_PKEY_free(ca_key_);
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::IssueServer(
    const std::string& common_name) {
  return Issue(common_name, true);
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::IssueClient(
    const std::string& common_name) {
  return Issue(common_name, false);
}

absl::StatusOr<IssuedCertificate> TestCertificateAuthority::Issue(const std::string& common_name,
                                                                  bool server) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return absl::InternalError("test CA: cannot generate a key");
  X509* cert = NewCert(key, common_name, serial_++);
  X509_set_issuer_name(cert, X509_get_subject_name(ca_cert_));
  bool ok = AddExtension(cert, ca_cert_, NID_basic_constraints, "critical,CA:FALSE") &&
            AddExtension(cert, ca_cert_, NID_key_usage, "critical,digitalSignature") &&
            AddExtension(cert, ca_cert_, NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
  if (server) {
    ok = ok && AddExtension(cert, ca_cert_, NID_subject_alt_name,
                            "DNS:localhost,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:::1");
  }
  ok = ok && X509_sign(cert, ca_key_, EVP_sha256()) != 0;
  IssuedCertificate issued;
  if (ok) issued = {PemOf(cert), PemOf(key)};
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) return absl::InternalError(absl::StrCat("test CA: cannot issue ", common_name));
  return issued;
}

}  // namespace gatehouse::testing
