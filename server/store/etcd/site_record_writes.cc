#include "server/store/etcd/site_record_writes.h"

#include "absl/strings/str_cat.h"
#include "server/store/etcd/txn.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store::etcd {
namespace {

// How long a refused writer waits for this replica's cache to apply the
// write that beat it.
constexpr absl::Duration kCatchUpAfterRefusal = absl::Seconds(2);

}  // namespace

absl::Status SiteRecordWrites::FenceAndCatchUp() const {
  // A healthy watch applies a revision within milliseconds of its commit.
  constexpr absl::Duration kCatchUpWait = absl::Seconds(1);
  absl::StatusOr<int64_t> fence = client_->WriteFence();
  if (!fence.ok()) return StorageUnavailable(fence.status());
  if (!cache_->WaitForRevision(*fence, kCatchUpWait)) {
    return StorageUnavailable(absl::UnavailableError(
        absl::StrCat("this replica's cache did not reach etcd revision ", *fence, " in time")));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SiteRecordWrites::ModRevisionAt(absl::string_view site,
                                                        const std::string& key,
                                                        std::optional<Cached> cached,
                                                        int64_t expected_revision) const {
  if (cached && cached->revision == expected_revision) return cached->mod_revision;
  if (expected_revision == 0 && !cached) return 0;
  // The caller read a revision this replica's cache does not hold (it read
  // it from another replica): ask etcd.
  absl::StatusOr<etcdserverpb::RangeResponse> read = client_->Range(GetRequest(key));
  if (!read.ok()) return StorageUnavailable(read.status());
  int64_t stored = 0;
  int64_t mod_revision = 0;
  if (!read->kvs().empty()) {
    absl::StatusOr<int64_t> revision = stored_revision_(read->kvs(0).value());
    if (!revision.ok()) return revision.status();
    stored = *revision;
    mod_revision = read->kvs(0).mod_revision();
  }
  if (stored != expected_revision) {
    cache_->WaitForRevision(mod_revision, kCatchUpAfterRefusal);
    return absl::AbortedError(
        absl::StrCat(noun_, " of site ", site, ": revision ", stored, ", not ", expected_revision));
  }
  return mod_revision;
}

absl::Status SiteRecordWrites::CompareAndSwap(absl::string_view site, const std::string& key,
                                              std::optional<Cached> cached,
                                              int64_t expected_revision,
                                              const Encode& encode) const {
  absl::StatusOr<int64_t> mod_revision = ModRevisionAt(site, key, cached, expected_revision);
  if (!mod_revision.ok()) return mod_revision.status();

  const std::string writer = committer_->NewWriter();
  etcdserverpb::TxnRequest txn;
  GuardRevision(txn, key, *mod_revision);
  AddPut(txn.add_success(), key, encode(writer));
  AddGet(txn.add_failure(), key);
  absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
  if (!outcome.ok()) return outcome.status();
  if (outcome->succeeded) return absl::OkStatus();
  const etcdserverpb::RangeResponse& current = outcome->response.responses(0).response_range();
  if (!current.kvs().empty()) {
    cache_->WaitForRevision(current.kvs(0).mod_revision(), kCatchUpAfterRefusal);
  }
  return absl::AbortedError(
      absl::StrCat(noun_, " of site ", site, " changed since revision ", expected_revision));
}

}  // namespace backinstock::store::etcd
