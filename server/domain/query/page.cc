#include "server/domain/query/page.h"

#include <algorithm>

#include "server/domain/query/filter_evaluator.h"

namespace backinstock::domain::query {
namespace {

struct Candidate {
  size_t index;
  std::vector<Value> values;
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
  // Candidates are the matches on the page's side of the anchor; `others`
  // counts the matches on the far side.
  std::vector<Candidate> candidates;
  size_t others = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!Matches(filter, *requests[i])) continue;
    std::vector<Value> values = SortValues(order, *requests[i]);
    bool on_page_side = true;
    if (from) {
      const int c = CompareSortValues(order, values, from->position);
      on_page_side = backward ? (c < 0 || (c == 0 && from->inclusive))
                              : (c > 0 || (c == 0 && from->inclusive));
    }
    if (on_page_side) {
      candidates.push_back({i, std::move(values)});
    } else {
      ++others;
    }
  }

  // Forward pages take the first `limit` candidates, backward pages the last.
  auto before = [&order](const Candidate& a, const Candidate& b) {
    return CompareSortValues(order, a.values, b.values) < 0;
  };
  auto after = [&order](const Candidate& a, const Candidate& b) {
    return CompareSortValues(order, a.values, b.values) > 0;
  };
  const size_t take = std::min(candidates.size(), static_cast<size_t>(limit));
  const bool more_on_page_side = candidates.size() > take;
  if (backward) {
    std::partial_sort(candidates.begin(), candidates.begin() + take, candidates.end(), after);
    candidates.resize(take);
    std::reverse(candidates.begin(), candidates.end());
  } else {
    std::partial_sort(candidates.begin(), candidates.begin() + take, candidates.end(), before);
    candidates.resize(take);
  }

  Page page;
  for (const Candidate& candidate : candidates) page.items.push_back(candidate.index);
  const bool has_after = backward ? others > 0 : more_on_page_side;
  const bool has_before = backward ? more_on_page_side : others > 0;
  if (has_after) {
    // After the last item; on an empty page, the far side of the anchor.
    page.next = candidates.empty()
                    ? Anchor{false, !from->inclusive, from->position}
                    : Anchor{false, false, candidates.back().values};
  }
  if (has_before) {
    page.prev = candidates.empty()
                    ? Anchor{true, !from->inclusive, from->position}
                    : Anchor{true, false, candidates.front().values};
  }
  return page;
}

}  // namespace backinstock::domain::query
