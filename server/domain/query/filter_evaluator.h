// Evaluates a parsed filter against one request.
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_EVALUATOR_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_EVALUATOR_H_

#include "backinstock/v1/notification_requests.pb.h"
#include "server/domain/query/filter.h"

namespace backinstock::domain::query {

// Whether `request` matches. An absent value equals nothing, so $eq and $in
// never match it and $ne always does; range operators and $startsWith never
// match it.
bool Matches(const Filter& filter, const v1::BackInStockNotificationRequest& request);

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_EVALUATOR_H_
