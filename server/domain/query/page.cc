#include "server/domain/query/page.h"

#include <algorithm>

#include "server/domain/query/filter_evaluator.h"

namespace backinstock::domain::query {
namespace {

// A match on the page's side of the anchor. The first sort key is read once
// here because it decides almost every comparison; later keys (ties) are read
// in place when needed. Nothing is copied out of the request.
struct Candidate {
  size_t index;
  const v1::BackInStockNotificationRequest* request;
  FieldView first;
};

bool SameValues(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (CompareValues(a[i], b[i]) != 0) return false;
  }
  return true;
}

}  // namespace

bool Anchor::operator==(const Anchor& other) const {
  return backward == other.backward && inclusive == other.inclusive &&
         SameValues(position, other.position);
}

Page SelectPage(const std::vector<const v1::BackInStockNotificationRequest*>& requests,
                const Filter& filter, const SortOrder& order, int limit,
                const std::optional<Anchor>& from) {
  const bool backward = from && from->backward;
  const size_t take = static_cast<size_t>(limit);

  // <0 when `a` comes first in `order`. The order is total (it ends with the
  // unique id), so which selection algorithm runs cannot change the page.
  auto compare = [&order](const Candidate& a, const Candidate& b) {
    const int c = CompareViews(a.first, b.first);
    if (c != 0) return order.front().descending ? -c : c;
    for (size_t k = 1; k < order.size(); ++k) {
      const int d = CompareViews(FieldViewOf(*a.request, order[k].field),
                                 FieldViewOf(*b.request, order[k].field));
      if (d != 0) return order[k].descending ? -d : d;
    }
    return 0;
  };
  auto before = [&compare](const Candidate& a, const Candidate& b) { return compare(a, b) < 0; };
  // Forward pages keep the first `limit` candidates, backward pages the last:
  // `preferred(a, b)` says a would be kept over b.
  auto preferred = [&compare, backward](const Candidate& a, const Candidate& b) {
    return backward ? compare(a, b) > 0 : compare(a, b) < 0;
  };
  // Candidates gather in `kept` up to two pages' worth; then a selection
  // (linear) keeps the `take` preferred ones. Linear in the site's size
  // overall, where a heap of one page cost a logarithm for every candidate
  // that displaced its top, and memory still stays at two pages however
  // large the site. After a trim, the least preferred kept candidate is the
  // bar a later one must pass to be gathered at all.
  std::optional<Candidate> bar;
  auto trim = [&preferred, &bar, take](std::vector<Candidate>& kept) {
    if (kept.size() <= take) return;
    if (take == 0) {
      kept.clear();
      return;
    }
    const auto last_kept = kept.begin() + static_cast<std::ptrdiff_t>(take) - 1;
    std::nth_element(kept.begin(), last_kept, kept.end(), preferred);
    kept.resize(take);
    bar = kept.back();
  };

  // `kept` holds the best candidates so far (the matches on the page's side
  // of the anchor), `candidates` counts them all, `others` counts the matches
  // on the far side.
  const Field first_field = order.front().field;
  std::vector<Candidate> kept;
  kept.reserve(2 * take);
  size_t candidates = 0;
  size_t others = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const v1::BackInStockNotificationRequest& request = *requests[i];
    if (!Matches(filter, request)) continue;
    if (from) {
      const int c = CompareRequestToPosition(order, request, from->position);
      const bool on_page_side = backward ? (c < 0 || (c == 0 && from->inclusive))
                                         : (c > 0 || (c == 0 && from->inclusive));
      if (!on_page_side) {
        ++others;
        continue;
      }
    }
    ++candidates;
    const Candidate candidate{i, &request, FieldViewOf(request, first_field)};
    if (bar && !preferred(candidate, *bar)) continue;
    kept.push_back(candidate);
    if (kept.size() >= 2 * take) trim(kept);
  }
  trim(kept);
  std::sort(kept.begin(), kept.end(), before);
  const bool more_on_page_side = candidates > kept.size();

  Page page;
  page.items.reserve(kept.size());
  for (const Candidate& candidate : kept) page.items.push_back(candidate.index);
  const bool has_after = backward ? others > 0 : more_on_page_side;
  const bool has_before = backward ? more_on_page_side : others > 0;
  // Values are built only for the anchors, which outlive the requests' views.
  if (has_after) {
    // After the last item; on an empty page, the far side of the anchor.
    page.next = kept.empty() ? Anchor{false, !from->inclusive, from->position}
                             : Anchor{false, false, SortValues(order, *kept.back().request)};
  }
  if (has_before) {
    page.prev = kept.empty() ? Anchor{true, !from->inclusive, from->position}
                             : Anchor{true, false, SortValues(order, *kept.front().request)};
  }
  return page;
}

}  // namespace backinstock::domain::query
