#include "tests/e2e/transport/certificates.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace backinstock::testing {
namespace {

absl::Status Run(const std::string& command) {
  const std::string quiet = absl::StrCat(command, " >/dev/null 2>&1");
  if (std::system(quiet.c_str()) != 0)
    return absl::InternalError(absl::StrCat("failed: ", command));
  return absl::OkStatus();
}

// A P-256 key and a certificate for `subject` signed by `ca` (self-signed CA
// when `ca` is empty), with `extensions` from an extension file.
absl::Status Issue(const TempDir& dir, const std::string& name, const std::string& subject,
                   const std::string& ca, const std::string& extensions) {
  const std::string key = dir / (name + ".key");
  const std::string cert = dir / (name + ".pem");
  const std::string ext = dir / (name + ".ext");
  WriteBytes(ext, extensions);
  if (ca.empty()) {
    return Run(absl::StrCat("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes",
                            " -keyout ", key, " -out ", cert, " -days 2 -subj ", subject,
                            " -addext basicConstraints=critical,CA:TRUE",
                            " -addext keyUsage=critical,keyCertSign,cRLSign"));
  }
  const std::string csr = dir / (name + ".csr");
  if (absl::Status s =
          Run(absl::StrCat("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256",
                           " -nodes -keyout ", key, " -out ", csr, " -subj ", subject));
      !s.ok()) {
    return s;
  }
  return Run(absl::StrCat("openssl x509 -req -in ", csr, " -CA ", dir / (ca + ".pem"), " -CAkey ",
                          dir / (ca + ".key"), " -CAcreateserial -out ", cert, " -days 2 -extfile ",
                          ext));
}

}  // namespace

absl::StatusOr<Certificates> MakeCertificates(const TempDir& dir) {
  if (absl::Status s = Issue(dir, "ca", "/CN=backinstock-test-ca", "", ""); !s.ok()) return s;
  if (absl::Status s = Issue(dir, "server", "/CN=localhost", "ca",
                             "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                             "extendedKeyUsage=serverAuth\n");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Issue(dir, "client", "/CN=test-client", "ca", "extendedKeyUsage=clientAuth\n");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Issue(dir, "rogue-ca", "/CN=rogue-ca", "", ""); !s.ok()) return s;
  if (absl::Status s =
          Issue(dir, "rogue", "/CN=rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth\n");
      !s.ok()) {
    return s;
  }
  Certificates certs;
  certs.ca_cert = dir / "ca.pem";
  certs.server_cert = dir / "server.pem";
  certs.server_key = dir / "server.key";
  certs.client_cert = ReadBytes(dir / "client.pem");
  certs.client_key = ReadBytes(dir / "client.key");
  certs.rogue_cert = ReadBytes(dir / "rogue.pem");
  certs.rogue_key = ReadBytes(dir / "rogue.key");
  return certs;
}

}  // namespace backinstock::testing
