#include "server/runtime/flags.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "server/domain/settings_manager.h"
#include "server/logging/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve on; port 0 picks a free port (the chosen one is printed)");
ABSL_FLAG(std::string, keys_file, "",
          "JSON file of token verification keys (required; see config/dev-keys.json)");
ABSL_FLAG(std::string, supported_app_ids, std::string(backinstock::domain::kWixStoresAppId),
          "comma-separated GUIDs of the catalog apps whose collection can be switched, in the "
          "order settings list them");
ABSL_FLAG(std::string, data_dir, "", "directory for durable state; empty keeps state in memory");
ABSL_FLAG(int64_t, journal_segment_bytes, 16 << 20,
          "with --data_dir: size at which a journal segment is closed and later folded into a "
          "snapshot");
ABSL_FLAG(bool, reflection, true, "serve gRPC server reflection");
ABSL_FLAG(std::string, log_format, "text", "server log format: text or json");
ABSL_FLAG(std::string, audit_log, "-", "audit log file (appended), or - for stderr");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain; with --tls_key enables TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS)");
ABSL_FLAG(int32_t, max_message_bytes, 1 << 20, "largest request or response message, in bytes");
ABSL_FLAG(int32_t, max_concurrent_streams, 100, "most concurrent calls per client connection");
ABSL_FLAG(int32_t, max_metadata_bytes, 16 << 10, "largest total size of a call's headers");
ABSL_FLAG(int64_t, max_requests_per_site, 100000, "most notification requests one site may hold");
ABSL_FLAG(int64_t, max_watch_streams_per_site, 100,
          "most watch streams (settings and request events together) one site may hold open");
ABSL_FLAG(int64_t, max_watch_streams, 10000, "most watch streams the server holds open");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long calls in flight may run on after SIGTERM/SIGINT");
ABSL_FLAG(absl::Duration, clock_skew, absl::ZeroDuration(),
          "tolerated clock difference with token issuers (applied to exp, nbf, iat)");
ABSL_FLAG(std::string, mail_dir, "",
          "without --smtp_url, the Maildir notification emails are delivered into; empty: "
          "<data_dir>/mail, or a new temporary directory named at startup");
ABSL_FLAG(int32_t, delivery_concurrency, 8, "emails sent at once (parallel SMTP sessions)");
ABSL_FLAG(int32_t, delivery_max_attempts, 10, "attempts before an email is given up (FAILED)");
ABSL_FLAG(absl::Duration, delivery_max_age, absl::Hours(24),
          "how long after its report an email is still retried");
ABSL_FLAG(absl::Duration, delivery_retry_initial, absl::Seconds(1),
          "wait before the first retry of a temporarily failed email (doubles, with jitter)");
ABSL_FLAG(absl::Duration, delivery_retry_max, absl::Minutes(10), "longest wait between retries");
ABSL_FLAG(std::string, cursor_secret_file, "",
          "file holding the base64 key (>= 32 bytes) that signs query cursors; replicas behind one "
          "address must share it; empty: a random key per process");

ABSL_FLAG(std::string, store, "memory",
          "where settings and notification requests live: memory, or etcd (replicas share it; "
          "needs --etcd_endpoints)");
ABSL_FLAG(std::string, etcd_endpoints, "",
          "with --store=etcd: comma-separated host:port of the etcd cluster's members");
ABSL_FLAG(absl::Duration, etcd_lease_ttl, absl::Seconds(10),
          "with --store=etcd: TTL of the replica's etcd lease (whole seconds, at least 2s); "
          "requests a dead replica left PROCESSING are marked FAILED about this long after it "
          "died");
ABSL_FLAG(absl::Duration, etcd_compaction_interval, absl::Minutes(5),
          "with --store=etcd: how often each replica compacts etcd's history at the current "
          "revision, so that deleted (erased) values leave it within this time");
ABSL_FLAG(int32_t, etcd_txns_in_flight, 1,
          "with --store=etcd: etcd transactions a replica keeps outstanding before it groups "
          "further concurrent writes on disjoint keys into one transaction of nested ones (etcd "
          ">= 3.3); 0 sends every write alone, however many are outstanding");
ABSL_FLAG(absl::Duration, etcd_write_attempt_timeout, absl::Seconds(1),
          "with --store=etcd: how long one etcd transaction (or the read that resolves one of "
          "unknown outcome) may take before it is abandoned, resolved by its nonce and sent "
          "again; about etcd's election timeout, so a write caught by the loss of etcd's leader "
          "waits for the election, not longer");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port serving GET /metrics in the Prometheus text format; empty: no metrics "
          "(none are counted); port 0 picks a free port (the chosen one is printed)");

ABSL_FLAG(std::string, smtp_url, "",
          "mail relay for notification emails: smtp://host:port or smtps://host:port (implicit "
          "TLS); empty: no relay");
ABSL_FLAG(std::string, smtp_starttls, "opportunistic",
          "with an smtp:// relay: off, opportunistic (STARTTLS when offered) or required");
ABSL_FLAG(std::string, smtp_username, "", "user name for SMTP AUTH; empty: no AUTH");
ABSL_FLAG(std::string, smtp_password_file, "",
          "file holding the SMTP AUTH password (one trailing line break is ignored)");
ABSL_FLAG(std::string, mail_from, "",
          "envelope sender and From address of notification emails (required with --smtp_url); "
          "its domain names the Message-IDs");
ABSL_FLAG(absl::Duration, smtp_timeout, absl::Seconds(30),
          "longest one SMTP exchange may take (connecting: at most 10s of it)");

// The HTTP/JSON front (docs/operations.md, "HTTP/JSON front").
ABSL_FLAG(std::string, http_listen, "",
          "host:port of the HTTP/JSON front (Wix's REST paths); empty: off; port 0 picks a free "
          "port (the chosen one is printed)");
ABSL_FLAG(std::string, http_cors_origins, "",
          "comma-separated exact origins (https://shop.example.com) whose pages may call the HTTP "
          "front with credentials; empty: none");
ABSL_FLAG(int32_t, http_max_connections, 10000,
          "open HTTP connections beyond which new ones get 503");
ABSL_FLAG(absl::Duration, http_idle_timeout, absl::Seconds(60),
          "an HTTP connection with no request under way is closed after this");
ABSL_FLAG(absl::Duration, http_request_timeout, absl::Seconds(10),
          "an HTTP request must arrive whole within this of its first byte (408 otherwise)");

// Retention of notification requests (docs/operations.md, "Personal data: retention").
ABSL_FLAG(absl::Duration, retention_settled, absl::Hours(24 * 90),
          "NOTIFICATION_SENT and FAILED requests are deleted this long after they settled; "
          "0 keeps them forever");
ABSL_FLAG(absl::Duration, retention_open, absl::Hours(24 * 365),
          "RECEIVED requests never reported are deleted this long after they were created; 0 "
          "keeps them forever");
ABSL_FLAG(absl::Duration, retention_sweep_interval, absl::Minutes(1),
          "how often the retention sweep runs (with etcd, on one replica at a time)");
ABSL_FLAG(int32_t, retention_sweep_batch, 1000,
          "most requests one retention sweep run deletes (a full run is followed by another at "
          "once)");

namespace backinstock::runtime {
namespace {

// The cursor key file holds the key in base64 (standard or URL-safe), for
// example the output of `openssl rand -base64 32`.
absl::StatusOr<std::string> ReadCursorSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("--cursor_secret_file: cannot read ", path));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string text(absl::StripAsciiWhitespace(contents.str()));
  std::string secret;
  if (!absl::Base64Unescape(text, &secret) && !absl::WebSafeBase64Unescape(text, &secret)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cursor_secret_file: ", path, " does not hold base64"));
  }
  if (secret.size() < 32) {
    return absl::InvalidArgumentError(absl::StrCat("--cursor_secret_file: the key in ", path,
                                                   " has ", secret.size(),
                                                   " bytes; at least 32 are needed"));
  }
  return secret;
}

// The background delivery flags, checked.
absl::Status DeliveryConfigFromFlags(ServerConfig* config) {
  config->mail_dir = absl::GetFlag(FLAGS_mail_dir);
  config->delivery_concurrency = absl::GetFlag(FLAGS_delivery_concurrency);
  config->delivery_max_attempts = absl::GetFlag(FLAGS_delivery_max_attempts);
  config->delivery_max_age = absl::GetFlag(FLAGS_delivery_max_age);
  config->delivery_retry_initial = absl::GetFlag(FLAGS_delivery_retry_initial);
  config->delivery_retry_max = absl::GetFlag(FLAGS_delivery_retry_max);
  if (config->delivery_concurrency < 1 || config->delivery_concurrency > 256) {
    return absl::InvalidArgumentError("--delivery_concurrency must be between 1 and 256");
  }
  if (config->delivery_max_attempts < 1) {
    return absl::InvalidArgumentError("--delivery_max_attempts must be 1 or more");
  }
  if (config->delivery_max_age <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--delivery_max_age must be positive");
  }
  if (config->delivery_retry_initial <= absl::ZeroDuration() ||
      config->delivery_retry_max < config->delivery_retry_initial) {
    return absl::InvalidArgumentError(
        "--delivery_retry_initial must be positive and at most --delivery_retry_max");
  }
  return absl::OkStatus();
}

absl::StatusOr<email::SmtpConfig> SmtpConfigFromFlags() {
  email::SmtpConfig smtp;
  smtp.url = absl::GetFlag(FLAGS_smtp_url);
  smtp.starttls = absl::GetFlag(FLAGS_smtp_starttls);
  smtp.username = absl::GetFlag(FLAGS_smtp_username);
  smtp.mail_from = absl::GetFlag(FLAGS_mail_from);
  smtp.timeout = absl::GetFlag(FLAGS_smtp_timeout);
  if (const std::string path = absl::GetFlag(FLAGS_smtp_password_file); !path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat("--smtp_password_file: cannot read ", path));
    }
    std::stringstream contents;
    contents << in.rdbuf();
    smtp.password = contents.str();
    if (absl::EndsWith(smtp.password, "\n")) smtp.password.pop_back();
    if (absl::EndsWith(smtp.password, "\r")) smtp.password.pop_back();
    if (smtp.password.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--smtp_password_file: ", path, " is empty"));
    }
  }
  if (absl::Status valid = email::ValidateSmtpConfig(smtp); !valid.ok()) return valid;
  return smtp;
}

absl::Status RetentionConfigFromFlags(ServerConfig* config) {
  config->retention_settled = absl::GetFlag(FLAGS_retention_settled);
  config->retention_open = absl::GetFlag(FLAGS_retention_open);
  config->retention_sweep_interval = absl::GetFlag(FLAGS_retention_sweep_interval);
  config->retention_sweep_batch = absl::GetFlag(FLAGS_retention_sweep_batch);
  if (config->retention_settled < absl::ZeroDuration() ||
      config->retention_open < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--retention_settled and --retention_open must not be negative");
  }
  if (config->retention_sweep_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--retention_sweep_interval must be positive");
  }
  if (config->retention_sweep_batch < 1 || config->retention_sweep_batch > 100000) {
    return absl::InvalidArgumentError("--retention_sweep_batch must be between 1 and 100000");
  }
  return absl::OkStatus();
}

absl::Status HttpConfigFromFlags(ServerConfig* config) {
  config->http_listen = absl::GetFlag(FLAGS_http_listen);
  for (absl::string_view origin :
       absl::StrSplit(absl::GetFlag(FLAGS_http_cors_origins), ',', absl::SkipWhitespace())) {
    config->http_cors_origins.emplace_back(absl::StripAsciiWhitespace(origin));
  }
  config->http_max_connections = absl::GetFlag(FLAGS_http_max_connections);
  config->http_idle_timeout = absl::GetFlag(FLAGS_http_idle_timeout);
  config->http_request_timeout = absl::GetFlag(FLAGS_http_request_timeout);
  if (config->http_max_connections < 1) {
    return absl::InvalidArgumentError("--http_max_connections must be at least 1");
  }
  if (config->http_idle_timeout <= absl::ZeroDuration() ||
      config->http_request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--http_idle_timeout and --http_request_timeout must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> ServerFlagNames() {
  // Every flag defined in this file is a server flag: deriving the list from
  // the flag registry means a new flag cannot miss its environment variable.
  std::vector<std::string> names;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::EndsWith(flag->Filename(), "server/runtime/flags.cc")) names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status ApplyEnvironmentToFlags() {
  for (const std::string& name : ServerFlagNames()) {
    const std::string variable = absl::StrCat("BACKINSTOCK_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) return absl::InternalError(absl::StrCat("no flag --", name));
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(variable, ": ", error));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ServerConfig> ConfigFromFlags() {
  ServerConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.keys_file = absl::GetFlag(FLAGS_keys_file);
  if (config.keys_file.empty()) {
    return absl::InvalidArgumentError(
        "--keys_file is required: the server verifies every call's token and has no keys "
        "without it (for local use: --keys_file=config/dev-keys.json)");
  }
  absl::StatusOr<auth::Keys> keys = auth::LoadKeysFile(config.keys_file);
  if (!keys.ok()) return keys.status();
  config.keys = *std::move(keys);

  absl::StatusOr<std::vector<std::string>> apps =
      domain::ParseSupportedAppIds(absl::GetFlag(FLAGS_supported_app_ids));
  if (!apps.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--supported_app_ids: ", apps.status().message()));
  }
  config.supported_app_ids = *std::move(apps);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.journal_segment_bytes = absl::GetFlag(FLAGS_journal_segment_bytes);
  if (config.journal_segment_bytes < 4096) {
    return absl::InvalidArgumentError("--journal_segment_bytes must be at least 4096");
  }
  config.reflection = absl::GetFlag(FLAGS_reflection);
  if (absl::Status format = logging::SetFormat(absl::GetFlag(FLAGS_log_format)); !format.ok()) {
    return format;
  }
  config.audit_log = absl::GetFlag(FLAGS_audit_log);
  config.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  config.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  config.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);

  config.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  config.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  config.max_metadata_bytes = absl::GetFlag(FLAGS_max_metadata_bytes);
  config.max_requests_per_site = absl::GetFlag(FLAGS_max_requests_per_site);
  if (config.max_message_bytes < 1024)
    return absl::InvalidArgumentError("--max_message_bytes must be at least 1024");
  if (config.max_concurrent_streams < 1)
    return absl::InvalidArgumentError("--max_concurrent_streams must be at least 1");
  if (config.max_metadata_bytes < 1024)
    return absl::InvalidArgumentError("--max_metadata_bytes must be at least 1024");
  if (config.max_requests_per_site < 1)
    return absl::InvalidArgumentError("--max_requests_per_site must be at least 1");

  const int64_t watch_per_site = absl::GetFlag(FLAGS_max_watch_streams_per_site);
  const int64_t watch_total = absl::GetFlag(FLAGS_max_watch_streams);
  if (watch_per_site < 1)
    return absl::InvalidArgumentError("--max_watch_streams_per_site must be at least 1");
  if (watch_total < 1) return absl::InvalidArgumentError("--max_watch_streams must be at least 1");
  config.max_watch_streams_per_site = static_cast<size_t>(watch_per_site);
  config.max_watch_streams = static_cast<size_t>(watch_total);

  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.clock_skew = absl::GetFlag(FLAGS_clock_skew);
  if (config.shutdown_grace < absl::ZeroDuration())
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  if (config.clock_skew < absl::ZeroDuration() || config.clock_skew > absl::Minutes(5)) {
    return absl::InvalidArgumentError("--clock_skew must be between 0 and 5m");
  }
  if (const std::string path = absl::GetFlag(FLAGS_cursor_secret_file); !path.empty()) {
    absl::StatusOr<std::string> secret = ReadCursorSecret(path);
    if (!secret.ok()) return secret.status();
    config.cursor_secret = *std::move(secret);
  }
  config.store = absl::GetFlag(FLAGS_store);
  for (absl::string_view endpoint :
       absl::StrSplit(absl::GetFlag(FLAGS_etcd_endpoints), ',', absl::SkipWhitespace())) {
    config.etcd_endpoints.emplace_back(absl::StripAsciiWhitespace(endpoint));
  }
  if (config.store != "memory" && config.store != "etcd") {
    return absl::InvalidArgumentError("--store must be memory or etcd");
  }
  if (config.store == "etcd" && config.etcd_endpoints.empty()) {
    return absl::InvalidArgumentError("--store=etcd needs --etcd_endpoints");
  }
  if (config.store == "etcd" && !config.data_dir.empty()) {
    return absl::InvalidArgumentError("--data_dir is for --store=memory; etcd keeps its own data");
  }
  config.etcd_lease_ttl = absl::GetFlag(FLAGS_etcd_lease_ttl);
  // etcd grants nothing shorter (with its default election timeout of 1 s).
  if (config.etcd_lease_ttl < absl::Seconds(2)) {
    return absl::InvalidArgumentError("--etcd_lease_ttl must be at least 2s");
  }
  config.etcd_write_attempt_timeout = absl::GetFlag(FLAGS_etcd_write_attempt_timeout);
  if (config.etcd_write_attempt_timeout < absl::Milliseconds(100) ||
      config.etcd_write_attempt_timeout > absl::Seconds(5)) {
    return absl::InvalidArgumentError("--etcd_write_attempt_timeout must be within 100ms..5s");
  }
  config.etcd_compaction_interval = absl::GetFlag(FLAGS_etcd_compaction_interval);
  if (config.etcd_compaction_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--etcd_compaction_interval must be at least 1s");
  }
  config.etcd_txns_in_flight = absl::GetFlag(FLAGS_etcd_txns_in_flight);
  if (config.etcd_txns_in_flight < 0) {
    return absl::InvalidArgumentError("--etcd_txns_in_flight must be 0 or more");
  }
  absl::StatusOr<email::SmtpConfig> smtp = SmtpConfigFromFlags();
  if (!smtp.ok()) return smtp.status();
  config.smtp = *std::move(smtp);
  if (absl::Status delivery = DeliveryConfigFromFlags(&config); !delivery.ok()) return delivery;
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (absl::Status http = HttpConfigFromFlags(&config); !http.ok()) return http;
  if (absl::Status retention = RetentionConfigFromFlags(&config); !retention.ok()) {
    return retention;
  }
  return config;
}

}  // namespace backinstock::runtime
