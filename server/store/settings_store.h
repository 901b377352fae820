// Where each site's settings live. The interface is what a replicated backend
// (a journal on disk, an etcd cluster) can offer as well as memory: a versioned
// record per site, compare-and-swap writes, and a change feed.
#ifndef BACKINSTOCK_SERVER_STORE_SETTINGS_STORE_H_
#define BACKINSTOCK_SERVER_STORE_SETTINGS_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/revision_precondition.h"
#include "server/store/watch_hub.h"

namespace backinstock::store {

// One app's collection state as stored.
struct AppCollectionState {
  std::string app_id;  // lower-case GUID
  bool collecting = false;

  bool operator==(const AppCollectionState& other) const {
    return app_id == other.app_id && collecting == other.collecting;
  }
};

// A site's stored settings. Only apps that were ever set appear in `states`;
// the domain fills in the defaults for the others.
struct SettingsRecord {
  // 0 for a site never written; every committed write adds exactly one. It is
  // both the caller-visible `revision` and the compare-and-swap version.
  int64_t revision = 0;
  std::vector<AppCollectionState> states;

  bool operator==(const SettingsRecord& other) const {
    return revision == other.revision && states == other.states;
  }
};

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;

  // The site's record (revision 0 and no states when never written).
  virtual absl::StatusOr<SettingsRecord> Get(absl::string_view site) const = 0;

  // Stores `next` for `site` if, and only if, the stored revision is still
  // `expected_revision`; `next.revision` must be `expected_revision + 1`
  // (INVALID_ARGUMENT otherwise, checked here once for every backend).
  // ABORTED when another write got there first (re-read and try again).
  absl::Status CompareAndSwap(absl::string_view site, int64_t expected_revision,
                              const SettingsRecord& next) {
    if (absl::Status follows = CheckRevisionFollows(expected_revision, next.revision);
        !follows.ok()) {
      return follows;
    }
    return DoCompareAndSwap(site, expected_revision, next);
  }

  // Calls `on_change` with the site's current record, then with every record
  // committed after it, in commit order, until the subscription is destroyed.
  // `on_change` runs under the store's locks: it must return quickly.
  virtual std::unique_ptr<Subscription> Watch(
      absl::string_view site, std::function<void(const SettingsRecord&)> on_change) = 0;

  // Brings this process's view up to everything committed before the call.
  // A no-op where the store is the only copy; a replica over a shared store
  // (etcd) waits until its cache has applied the cluster's current revision.
  // Called before refusing on what Get returned, so that a change made
  // through another replica an instant earlier is not refused on a stale view.
  virtual absl::Status CatchUp() const { return absl::OkStatus(); }

 private:
  // CompareAndSwap once `next.revision == expected_revision + 1` is known.
  virtual absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                        const SettingsRecord& next) = 0;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_SETTINGS_STORE_H_
