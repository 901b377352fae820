#include "server/store/etcd/etcd_settings_store.h"

#include "absl/strings/str_cat.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store::etcd {

absl::StatusOr<SettingsRecord> EtcdSettingsStore::Get(absl::string_view site) const {
  auto entry = cache_->Settings(site);
  return entry ? entry->record : SettingsRecord{};
}

absl::Status EtcdSettingsStore::CatchUp() const { return catch_up_.Confirm(); }

absl::Status EtcdSettingsStore::ReadAndCatchUp() const {
  // A healthy watch applies a revision within milliseconds of its commit.
  constexpr absl::Duration kCatchUpWait = absl::Seconds(1);
  absl::StatusOr<int64_t> now = client_->CurrentRevision();
  if (!now.ok()) return StorageUnavailable(now.status());
  if (!cache_->WaitForRevision(*now, kCatchUpWait)) {
    return StorageUnavailable(absl::UnavailableError(
        absl::StrCat("this replica's cache did not reach etcd revision ", *now, " in time")));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> EtcdSettingsStore::ModRevisionAt(absl::string_view site,
                                                         int64_t expected_revision) const {
  if (auto entry = cache_->Settings(site); entry && entry->record.revision == expected_revision) {
    return entry->mod_revision;
  }
  if (expected_revision == 0 && !cache_->Settings(site)) return 0;
  // The caller knows a newer revision than this replica's cache (it read it
  // elsewhere): ask etcd.
  absl::StatusOr<etcdserverpb::RangeResponse> read = client_->Range(GetRequest(SettingsKey(site)));
  if (!read.ok()) return StorageUnavailable(read.status());
  int64_t stored = 0;
  int64_t mod_revision = 0;
  if (!read->kvs().empty()) {
    absl::StatusOr<SettingsRecord> record = DecodeSettings(read->kvs(0).value(), nullptr);
    if (!record.ok()) return record.status();
    stored = record->revision;
    mod_revision = read->kvs(0).mod_revision();
  }
  if (stored != expected_revision) {
    cache_->WaitForRevision(mod_revision, absl::Seconds(2));
    return absl::AbortedError(absl::StrCat("settings of site ", site, " are at revision ", stored,
                                           ", not ", expected_revision));
  }
  return mod_revision;
}

absl::Status EtcdSettingsStore::DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                                 const SettingsRecord& next) {
  absl::StatusOr<int64_t> mod_revision = ModRevisionAt(site, expected_revision);
  if (!mod_revision.ok()) return mod_revision.status();

  const std::string key = SettingsKey(site);
  const std::string writer = committer_->NewWriter();
  etcdserverpb::TxnRequest txn;
  GuardRevision(txn, key, *mod_revision);
  AddPut(txn.add_success(), key, EncodeSettings(next, writer));
  AddGet(txn.add_failure(), key);
  absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
  if (!outcome.ok()) return outcome.status();
  if (outcome->succeeded) return absl::OkStatus();
  // Another write got there first; let this replica's cache catch up with it
  // so that the caller's re-read sees it.
  const etcdserverpb::RangeResponse& current = outcome->response.responses(0).response_range();
  if (!current.kvs().empty())
    cache_->WaitForRevision(current.kvs(0).mod_revision(), absl::Seconds(2));
  return absl::AbortedError(
      absl::StrCat("settings of site ", site, " changed since revision ", expected_revision));
}

std::unique_ptr<Subscription> EtcdSettingsStore::Watch(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  return cache_->WatchSettings(site, std::move(on_change));
}

}  // namespace backinstock::store::etcd
