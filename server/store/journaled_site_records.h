// What the durable settings and email template stores share: one record per
// site, held by their memory store for reads and watches, and made durable
// by a journal of puts (key = the site, value = the whole record).
//
// One write per site is on its way to disk at a time, which keeps the
// journal in each site's commit order: a write checks the revision and marks
// its site as being written, appends and waits for the sync holding no lock,
// then applies and clears the mark. A later write of the same site waits for
// that mark's event, with every other such waiter woken at once, and checks
// again. Writes to different sites wait on the disk together and share its
// syncs (group commit); the striped locks guard only the checks, marks and
// applies, never a sync. A write is applied to the memory store, and so seen
// by readers and watchers, only once its record is on disk.
//
// Why not hold a site's lock across its sync (as this did first): the writers
// queued behind it were then handed the lock one after another once the sync
// returned, each waking the next (a chain of context switches, while the
// site's next write could not start), and sites sharing a stripe waited on
// each other's syncs.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNALED_SITE_RECORDS_H_
#define BACKINSTOCK_SERVER_STORE_JOURNALED_SITE_RECORDS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/store/journal/journal.h"
#include "server/store/journal/one_shot_event.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store {

// `Memory` is the record's memory store: Get(site), Restore(site, record) and
// the interface's CompareAndSwap(site, expected_revision, next).
template <typename Record, typename Memory>
class JournaledSiteRecords {
 public:
  using Encode = std::string (*)(const Record& record);
  using Decode = absl::StatusOr<Record> (*)(absl::string_view value);

  // `noun` names the records in errors ("settings", "email template");
  // `site_locks` is the number of lock stripes.
  JournaledSiteRecords(std::string noun, Encode encode, Decode decode, size_t site_locks)
      : noun_(std::move(noun)), encode_(encode), decode_(decode), stripes_(site_locks) {}

  // Opens the journal in `dir` and replays it into the memory store. Fails
  // (DATA_LOSS naming file and offset) on a damaged snapshot or journal.
  absl::Status Open(const std::string& dir, journal::JournalOptions options) {
    auto apply = [this](const journal::RecordView& record) -> absl::Status {
      if (record.type != journal::RecordType::kPut) {
        return absl::DataLossError(
            absl::StrCat(noun_, " journal holds a record that is not a put"));
      }
      absl::StatusOr<Record> decoded = decode_(record.value);
      if (!decoded.ok()) return decoded.status();
      // Replay runs before anyone can read or watch: records are set
      // directly, and the memory store checks that revisions only go forward.
      return memory_.Restore(record.key, *decoded);
    };
    absl::StatusOr<std::unique_ptr<journal::Journal>> journal =
        journal::Journal::Open(dir, std::move(options), apply);
    if (!journal.ok()) return journal.status();
    journal_ = *std::move(journal);
    return absl::OkStatus();
  }

  // The store's DoCompareAndSwap (the interface checked the revisions
  // follow): ABORTED when the site moved on, UNAVAILABLE (reason
  // STORAGE_UNAVAILABLE) when the record cannot be made durable; neither has
  // a visible effect.
  absl::Status CompareAndSwap(absl::string_view site, int64_t expected_revision,
                              const Record& next) {
    Stripe& stripe = StripeFor(site);
    std::shared_ptr<journal::OneShotEvent> written;
    for (;;) {
      std::shared_ptr<journal::OneShotEvent> in_flight;
      {
        absl::MutexLock lock(&stripe.mu);
        auto it = stripe.writing.find(site);
        if (it == stripe.writing.end()) {
          absl::StatusOr<Record> current = memory_.Get(site);
          if (!current.ok()) return current.status();
          if (current->revision != expected_revision) {
            return absl::AbortedError(absl::StrCat(noun_, " of site ", site, ": revision ",
                                                   current->revision, ", not ", expected_revision));
          }
          written = std::make_shared<journal::OneShotEvent>();
          stripe.writing.emplace(site, written);
          break;
        }
        in_flight = it->second;
      }
      // Another write of this site is on its way to disk: once it ends, the
      // revision has most likely moved on (ABORTED above, and the caller
      // decides again on what it wrote).
      in_flight->Wait();
    }
    const absl::Status durable = journal_->Put(site, encode_(next));
    absl::Status applied;
    {
      absl::MutexLock lock(&stripe.mu);
      // Cannot be refused: no write of this site passed the check since ours.
      if (durable.ok()) applied = memory_.CompareAndSwap(site, expected_revision, next);
      stripe.writing.erase(site);
    }
    written->Set();
    if (!durable.ok()) return StorageUnavailable(durable);
    return applied;
  }

  Memory& memory() { return memory_; }
  const Memory& memory() const { return memory_; }
  journal::Journal& journal() { return *journal_; }

 private:
  // A lock stripe: the sites whose write is on its way to disk, each with
  // the event the write's end sets.
  struct Stripe {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, std::shared_ptr<journal::OneShotEvent>> writing
        ABSL_GUARDED_BY(mu);
  };

  Stripe& StripeFor(absl::string_view site) {
    return stripes_[absl::Hash<absl::string_view>{}(site) % stripes_.size()];
  }

  const std::string noun_;
  const Encode encode_;
  const Decode decode_;
  Memory memory_;
  std::unique_ptr<journal::Journal> journal_;
  std::vector<Stripe> stripes_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_JOURNALED_SITE_RECORDS_H_
