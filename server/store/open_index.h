// A site's open notification requests by catalog reference: which requests
// wait on an item, and how many. Both the memory store and the etcd cache
// keep one per site, in step with the records they hold, so that counting
// and listing the requests to notify never scans a site's records.
#ifndef BACKINSTOCK_SERVER_STORE_OPEN_INDEX_H_
#define BACKINSTOCK_SERVER_STORE_OPEN_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::store {

// Not synchronized: its owner guards it with the lock of the records it
// mirrors.
class OpenIndex {
 public:
  // Indexes `request` under its catalog key when it is open; a request that
  // is not open is not indexed.
  void Add(const v1::BackInStockNotificationRequest& request);
  // The same, with the request's CatalogKey already computed.
  void Add(const v1::BackInStockNotificationRequest& request, std::string catalog_key);
  // Takes `request` out when it is open (as it was indexed); a request that
  // is not open was never indexed and is ignored.
  void Remove(const v1::BackInStockNotificationRequest& request);

  // The number of open requests under each of `catalog_keys`, in order.
  std::vector<int64_t> Count(const std::vector<std::string>& catalog_keys) const;
  // The ids of the open requests under `catalog_key`, in no particular order.
  std::vector<std::string> Ids(absl::string_view catalog_key) const;
  // True when no request is open.
  bool empty() const { return by_catalog_.empty(); }

 private:
  // Catalog key -> ids of its open requests; a key leaves with its last id,
  // so the map holds only catalog references someone waits on.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_catalog_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_OPEN_INDEX_H_
