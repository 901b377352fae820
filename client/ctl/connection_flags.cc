#include "client/ctl/connection_flags.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace backinstock::ctl {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<client::ConnectionOptions> ConnectionFromFlags(const Args& args) {
  client::ConnectionOptions options;
  if (auto target = args.Get("target")) options.target = *target;
  if (options.target.empty()) return absl::InvalidArgumentError("--target is empty");
  options.identity_token = args.Get("token").value_or("");
  options.elevation_token = args.Get("elevation_token").value_or("");
  if (auto deadline = args.Get("deadline")) {
    absl::Duration d;
    if (!absl::ParseDuration(*deadline, &d) || d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--deadline: \"", *deadline, "\" is not a positive duration like 5s"));
    }
    options.default_deadline = d;
  }

  const auto ca = args.Get("tls_ca_file");
  const auto cert = args.Get("tls_cert_file");
  const auto key = args.Get("tls_key_file");
  const auto server_name = args.Get("tls_server_name");
  if (cert.has_value() != key.has_value()) {
    return absl::InvalidArgumentError("--tls_cert_file and --tls_key_file go together");
  }
  // --tls is a switch; BACKINSTOCK_TLS=0 or =false in the environment is off.
  const auto tls_switch = args.Get("tls");
  const bool tls_on = tls_switch && *tls_switch != "0" && *tls_switch != "false";
  if (!tls_on && !ca && !cert && !server_name) return options;
  client::TlsOptions tls;
  if (ca) {
    absl::StatusOr<std::string> pem = ReadFile(*ca, "--tls_ca_file");
    if (!pem.ok()) return pem.status();
    tls.root_certs_pem = *std::move(pem);
  }
  if (cert) {
    absl::StatusOr<std::string> chain = ReadFile(*cert, "--tls_cert_file");
    if (!chain.ok()) return chain.status();
    absl::StatusOr<std::string> private_key = ReadFile(*key, "--tls_key_file");
    if (!private_key.ok()) return private_key.status();
    tls.client_cert_chain_pem = *std::move(chain);
    tls.client_key_pem = *std::move(private_key);
  }
  tls.server_name_override = server_name.value_or("");
  options.tls = std::move(tls);
  return options;
}

}  // namespace backinstock::ctl
