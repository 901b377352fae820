// A throwaway PKI made with the openssl CLI at test time: a CA, a server
// certificate for 127.0.0.1/localhost, and a client certificate, all signed by
// the CA, plus a second CA that signed nothing we trust.
#ifndef BACKINSTOCK_TESTS_E2E_TRANSPORT_CERTIFICATES_H_
#define BACKINSTOCK_TESTS_E2E_TRANSPORT_CERTIFICATES_H_

#include <string>

#include "absl/status/statusor.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {

struct Certificates {
  std::string ca_cert;      // path
  std::string server_cert;  // path
  std::string server_key;   // path
  std::string client_cert;  // PEM text
  std::string client_key;   // PEM text
  std::string rogue_cert;   // PEM text: a client certificate from another CA
  std::string rogue_key;    // PEM text
};

absl::StatusOr<Certificates> MakeCertificates(const TempDir& dir);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_TRANSPORT_CERTIFICATES_H_
