// Keyset paging: a page is the first `limit` matching requests after (or the
// last `limit` before) a position in the sort order, where a position is one
// item's sort values. Requests added or removed elsewhere do not shift it, so
// paging never repeats or skips an item that stays put.
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_PAGE_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_PAGE_H_

#include <optional>
#include <vector>

#include "backinstock/v1/notification_requests.pb.h"
#include "server/domain/query/filter.h"
#include "server/domain/query/sort.h"

namespace backinstock::domain::query {

inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 100;

// Where a page starts.
struct Anchor {
  bool backward = false;        // false: items after `position`; true: items before it
  bool inclusive = false;       // whether an item exactly at `position` belongs
  std::vector<Value> position;  // SortValues of one item (which may since be gone)

  bool operator==(const Anchor& other) const;
};

struct Page {
  std::vector<size_t> items;   // indexes into the input, in sort order
  std::optional<Anchor> next;  // the following page; nullopt when nothing follows
  std::optional<Anchor> prev;  // the preceding page; nullopt when nothing precedes
};

// The page of `requests` that match `filter`, in `order`, at most `limit`
// (>= 1) items, starting at `from` (nullopt: the very first page).
Page SelectPage(const std::vector<const v1::BackInStockNotificationRequest*>& requests,
                const Filter& filter, const SortOrder& order, int limit,
                const std::optional<Anchor>& from);

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_PAGE_H_
