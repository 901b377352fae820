#include "server/runtime/stores.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/logging/log.h"
#include "server/store/durable_email_template_store.h"
#include "server/store/durable_notification_request_store.h"
#include "server/store/durable_settings_store.h"
#include "server/store/journal/files.h"
#include "server/store/memory_email_template_store.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::runtime {
namespace {

// The options of the journal named `name`: its failures reach `health`, and
// its data syncs are timed when metrics are on.
store::journal::JournalOptions JournalOptionsFor(const ServerConfig& config,
                                                 std::shared_ptr<StorageHealth> health,
                                                 const StoreObservers& observers,
                                                 absl::string_view name) {
  store::journal::JournalOptions options;
  options.segment_bytes = config.journal_segment_bytes;
  options.on_failure = [health](const absl::Status& failure) { health->Fail(failure); };
  metrics::Histogram* fsync_seconds =
      observers.fsync_seconds ? observers.fsync_seconds(name) : nullptr;
  if (fsync_seconds != nullptr) {
    options.sync_data = [fsync_seconds](const store::journal::File& file, const std::string& path) {
      const absl::Time start = absl::Now();
      absl::Status synced = store::journal::SyncData(file, path);
      fsync_seconds->Observe(absl::ToDoubleSeconds(absl::Now() - start));
      return synced;
    };
  }
  return options;
}

// One line per durable store at startup: what was replayed from where.
void LogRecovery(store::journal::Journal& journal, size_t entries, absl::string_view what) {
  const store::journal::RecoveryInfo& recovery = journal.recovery();
  logging::Info("durable state restored",
                {{"dir", journal.dir()},
                 {what, static_cast<int64_t>(entries)},
                 {"snapshot", recovery.snapshot ? static_cast<int64_t>(*recovery.snapshot) : -1},
                 {"segments", static_cast<int64_t>(recovery.segments)},
                 {"journal_records", static_cast<int64_t>(recovery.journal_records)}});
}

absl::Status OpenEtcd(const ServerConfig& config, const StoreObservers& observers, Stores& stores) {
  store::etcd::EtcdOptions options;
  options.endpoints = config.etcd_endpoints;
  options.lease_ttl = config.etcd_lease_ttl;
  options.txns_in_flight = config.etcd_txns_in_flight;
  options.write_attempt_timeout = config.etcd_write_attempt_timeout;
  options.compaction_interval = config.etcd_compaction_interval;
  options.observe_txn = observers.etcd_txn;
  absl::StatusOr<std::unique_ptr<store::etcd::EtcdBackend>> etcd =
      store::etcd::EtcdBackend::Open(options);
  if (!etcd.ok()) return etcd.status();
  stores.etcd = *std::move(etcd);
  logging::Info("store: etcd", {{"endpoints", absl::StrJoin(config.etcd_endpoints, ",")},
                                {"revision", stores.etcd->cache()->applied_revision()}});
  stores.settings = stores.etcd->NewSettingsStore();
  stores.email_templates = stores.etcd->NewEmailTemplateStore();
  stores.requests = stores.etcd->NewRequestStore();
  return absl::OkStatus();
}

absl::Status OpenJournaled(const ServerConfig& config, std::shared_ptr<StorageHealth> health,
                           const StoreObservers& observers, Stores& stores) {
  const std::string& dir = config.data_dir;
  absl::StatusOr<std::unique_ptr<store::DurableSettingsStore>> settings =
      store::DurableSettingsStore::Open(absl::StrCat(dir, "/settings"),
                                        JournalOptionsFor(config, health, observers, "settings"));
  if (!settings.ok()) return settings.status();
  LogRecovery((*settings)->journal(), (*settings)->SiteCount(), "sites");
  stores.settings = *std::move(settings);

  absl::StatusOr<std::unique_ptr<store::DurableEmailTemplateStore>> templates =
      store::DurableEmailTemplateStore::Open(
          absl::StrCat(dir, "/email_templates"),
          JournalOptionsFor(config, health, observers, "email_templates"));
  if (!templates.ok()) return templates.status();
  LogRecovery((*templates)->journal(), (*templates)->SiteCount(), "email_templates");
  stores.email_templates = *std::move(templates);

  store::DurableRequestStoreOptions request_options;
  request_options.journal = JournalOptionsFor(config, health, observers, "requests");
  absl::StatusOr<std::unique_ptr<store::DurableNotificationRequestStore>> requests =
      store::DurableNotificationRequestStore::Open(absl::StrCat(dir, "/requests"),
                                                   std::move(request_options));
  if (!requests.ok()) return requests.status();
  LogRecovery((*requests)->journal(), (*requests)->restored_records(), "requests");
  stores.requests = *std::move(requests);
  stores.journaled = true;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Stores> MakeStores(const ServerConfig& config, std::shared_ptr<StorageHealth> health,
                                  const StoreObservers& observers) {
  Stores stores;
  if (config.store == "etcd") {
    if (absl::Status opened = OpenEtcd(config, observers, stores); !opened.ok()) return opened;
  } else if (!config.data_dir.empty()) {
    if (absl::Status opened = OpenJournaled(config, std::move(health), observers, stores);
        !opened.ok()) {
      return opened;
    }
  } else {
    stores.settings = std::make_unique<store::MemorySettingsStore>();
    stores.email_templates = std::make_unique<store::MemoryEmailTemplateStore>();
    stores.requests = std::make_unique<store::MemoryNotificationRequestStore>();
  }
  return stores;
}

}  // namespace backinstock::runtime
