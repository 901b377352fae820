// The server's three stores on the backend its flags select: memory (the
// default), a data directory (--data_dir: one journal per store) or an etcd
// cluster (--store=etcd: one cache and client shared by the three).
#ifndef BACKINSTOCK_SERVER_RUNTIME_STORES_H_
#define BACKINSTOCK_SERVER_RUNTIME_STORES_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/metrics/histogram.h"
#include "server/runtime/server_config.h"
#include "server/runtime/storage_health.h"
#include "server/store/email_template_store.h"
#include "server/store/etcd/etcd_backend.h"
#include "server/store/notification_request_store.h"
#include "server/store/settings_store.h"

namespace backinstock::runtime {

struct Stores {
  // --store=etcd only. First, so destroyed after the stores over it.
  std::unique_ptr<store::etcd::EtcdBackend> etcd;
  std::unique_ptr<store::SettingsStore> settings;
  std::unique_ptr<store::EmailTemplateStore> email_templates;
  std::unique_ptr<store::NotificationRequestStore> requests;
  // --data_dir: the three are journals under it.
  bool journaled = false;

  // Whether a write waits on I/O (a journal's fsync or an etcd round trip),
  // so that writes belong on a thread pool of their own.
  bool writes_wait() const { return etcd != nullptr || journaled; }
};

// What the server measures of its stores; empty functions measure nothing.
struct StoreObservers {
  // The histogram that times the fsyncs of one journal ("settings",
  // "requests", "email_templates"); null: not timed.
  std::function<metrics::Histogram*(absl::string_view journal)> fsync_seconds;
  // Every etcd transaction: its latency and how many writes it carried.
  std::function<void(absl::Duration latency, int writes)> etcd_txn;
};

// Opens the three stores: replays the journals under --data_dir (one log line
// per store says what was restored), or connects to etcd and loads its cache.
// A journal that fails later takes the server out of rotation through
// `health`.
absl::StatusOr<Stores> MakeStores(const ServerConfig& config, std::shared_ptr<StorageHealth> health,
                                  const StoreObservers& observers);

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_STORES_H_
