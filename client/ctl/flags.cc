// The flags of backinstockctl, in one table so that --help and the parser
// agree.
#include <string>
#include <vector>

#include "client/ctl/command.h"

namespace backinstock::ctl {
namespace {

constexpr FlagSpec kFlags[] = {
    {"help", true, "", "Print this command's help and exit."},
    // Connection.
    {"target", false, "HOST:PORT", "The server (default 127.0.0.1:50051).", "BACKINSTOCK_TARGET"},
    {"token", false, "JWT", "Identity token, sent as `authorization: Bearer <JWT>`.",
     "BACKINSTOCK_TOKEN"},
    {"elevation_token", false, "JWT", "Elevation token, sent as `x-elevation-token`.",
     "BACKINSTOCK_ELEVATION_TOKEN"},
    {"deadline", false, "DURATION",
     "Deadline of the call, for example 5s or 500ms (default 30s; none for watch commands)."},
    {"tls", true, "", "Use TLS (implied by the other --tls_* flags).", "BACKINSTOCK_TLS"},
    {"tls_ca_file", false, "PEM",
     "Roots that verify the server's certificate (default: system roots).",
     "BACKINSTOCK_TLS_CA_FILE"},
    {"tls_cert_file", false, "PEM", "Client certificate chain, for mutual TLS.",
     "BACKINSTOCK_TLS_CERT_FILE"},
    {"tls_key_file", false, "PEM", "Client private key, for mutual TLS.",
     "BACKINSTOCK_TLS_KEY_FILE"},
    {"tls_server_name", false, "NAME",
     "Expect this name in the server's certificate instead of the target's host."},
    // Requests.
    {"request", false, "JSON",
     "The request message in proto3 JSON (lowerCamelCase names); @FILE reads a file, @- stdin."},
    {"max_messages", false, "N", "Stop after N messages (default: until interrupted)."},
    {"html_out", false, "FILE", "render-email-preview: write the HTML part to FILE."},
    // Tokens.
    {"keys_file", false, "PATH", "The keys file the server uses.", "BACKINSTOCK_KEYS_FILE"},
    {"kid", false, "KID", "The key to sign with (default: the only key of its set)."},
    {"site", false, "SITE", "The site (tenant) the token is for."},
    {"role", false, "ROLE", "identity: visitor, member, user or app."},
    {"perms", false, "P1,P2",
     "elevation: permissions granted, full names or SETTINGS_READ, SETTINGS_MODIFY, "
     "REQUESTS_CREATE, REQUESTS_READ, REQUESTS_MODIFY, EMAIL_MANAGE."},
    {"sub", false, "SUBJECT", "The token's subject (default: backinstockctl)."},
    {"ttl", false, "DURATION",
     "Lifetime (default 1h for identity, 60s for elevation; at most 300s)."},
};

}  // namespace

absl::Span<const FlagSpec> AllFlags() { return kFlags; }

const std::vector<std::string>& ConnectionFlagNames() {
  static const auto* names = new std::vector<std::string>{
      "target",      "token",         "elevation_token", "deadline",       "tls",
      "tls_ca_file", "tls_cert_file", "tls_key_file",    "tls_server_name"};
  return *names;
}

}  // namespace backinstock::ctl
