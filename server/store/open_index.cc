#include "server/store/open_index.h"

#include "server/store/catalog_key.h"
#include "server/store/notification_request_store.h"

namespace backinstock::store {

void OpenIndex::Add(const v1::BackInStockNotificationRequest& request) {
  if (!IsOpen(request.status())) return;
  Add(request, CatalogKey(request.catalog_reference()));
}

void OpenIndex::Add(const v1::BackInStockNotificationRequest& request, std::string catalog_key) {
  if (!IsOpen(request.status())) return;
  by_catalog_[std::move(catalog_key)].insert(request.id());
}

void OpenIndex::Remove(const v1::BackInStockNotificationRequest& request) {
  if (!IsOpen(request.status())) return;
  auto it = by_catalog_.find(CatalogKey(request.catalog_reference()));
  if (it == by_catalog_.end()) return;
  it->second.erase(request.id());
  if (it->second.empty()) by_catalog_.erase(it);
}

std::vector<int64_t> OpenIndex::Count(const std::vector<std::string>& catalog_keys) const {
  std::vector<int64_t> counts(catalog_keys.size(), 0);
  for (size_t i = 0; i < catalog_keys.size(); ++i) {
    auto it = by_catalog_.find(catalog_keys[i]);
    if (it != by_catalog_.end()) counts[i] = static_cast<int64_t>(it->second.size());
  }
  return counts;
}

std::vector<std::string> OpenIndex::Ids(absl::string_view catalog_key) const {
  auto it = by_catalog_.find(catalog_key);
  if (it == by_catalog_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

}  // namespace backinstock::store
