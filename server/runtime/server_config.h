// Everything the server needs to start, already validated. Built from flags
// (and their environment variables) by main, or directly by tests.
#ifndef BACKINSTOCK_SERVER_RUNTIME_SERVER_CONFIG_H_
#define BACKINSTOCK_SERVER_RUNTIME_SERVER_CONFIG_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/auth/keys.h"
#include "server/email/smtp_sender.h"

namespace backinstock::runtime {

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";
  auth::Keys keys;
  std::string keys_file;  // where `keys` came from, for reloading; may be empty
  std::vector<std::string> supported_app_ids;
  std::string data_dir;  // empty: memory only
  int64_t journal_segment_bytes = 16
                                  << 20;  // journal segments close (and get compacted) at this size
  bool reflection = true;
  std::string audit_log = "-";
  // TLS: all empty for plaintext; cert and key for TLS; plus client CA for mTLS.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  int max_message_bytes = 1 << 20;
  int max_concurrent_streams = 100;
  int max_metadata_bytes = 16 << 10;
  int64_t max_requests_per_site = 100000;
  // Open watch streams (both kinds together) allowed per site and per server.
  size_t max_watch_streams_per_site = 100;
  size_t max_watch_streams = 10000;
  absl::Duration shutdown_grace = absl::Seconds(10);
  absl::Duration clock_skew = absl::ZeroDuration();
  // The key that signs query cursors (>= 32 bytes); empty: a random key per
  // process, so cursors do not survive a restart or cross replicas.
  std::string cursor_secret;
  // Where settings and notification requests live: "memory" (the default;
  // with data_dir, settings are journaled) or "etcd" (shared by replicas).
  std::string store = "memory";
  std::vector<std::string> etcd_endpoints;  // host:port of each etcd member
  // TTL of each replica's etcd lease: how soon after a replica dies the
  // requests it left PROCESSING are settled by the others.
  absl::Duration etcd_lease_ttl = absl::Seconds(10);
  // etcd transactions outstanding before concurrent writes are grouped into
  // one (0: never grouped).
  int etcd_txns_in_flight = 1;
  // Deadline of one etcd write attempt (and of the read that resolves one).
  absl::Duration etcd_write_attempt_timeout = absl::Seconds(1);
  // How often etcd's history is compacted, so erased values leave it.
  absl::Duration etcd_compaction_interval = absl::Minutes(5);
  // The mail relay (docs/operations.md, "Mail relay"); an empty url means none.
  email::SmtpConfig smtp;
  // Without a relay, emails are delivered into this Maildir; empty: <data_dir>/mail
  // with a data directory, else a new temporary directory named at startup.
  std::string mail_dir;
  // Background delivery (docs/operations.md, "Email delivery").
  int delivery_concurrency = 8;
  int delivery_max_attempts = 10;
  absl::Duration delivery_max_age = absl::Hours(24);
  absl::Duration delivery_retry_initial = absl::Seconds(1);
  absl::Duration delivery_retry_max = absl::Minutes(10);
  // host:port of the Prometheus scrape endpoint; empty: metrics off.
  std::string metrics_listen;
  // The HTTP/JSON front: host:port (empty: off), CORS origins, limits.
  std::string http_listen;
  std::vector<std::string> http_cors_origins;
  int http_max_connections = 10000;
  absl::Duration http_idle_timeout = absl::Seconds(60);
  absl::Duration http_request_timeout = absl::Seconds(10);
  // Retention (docs/operations.md, "Personal data: retention"): settled
  // requests are deleted this long after they settled, RECEIVED ones this
  // long after they were created (zero: kept forever), by a sweep every
  // `retention_sweep_interval` of at most `retention_sweep_batch` deletes.
  absl::Duration retention_settled = absl::Hours(24 * 90);
  absl::Duration retention_open = absl::Hours(24 * 365);
  absl::Duration retention_sweep_interval = absl::Minutes(1);
  int retention_sweep_batch = 1000;
};

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_SERVER_CONFIG_H_
