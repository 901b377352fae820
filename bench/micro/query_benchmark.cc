// The notification-request query path (server/domain/query/ through
// NotificationRequestManager::Query): parse a realistic filter, evaluate it
// over every request of the site, sort the matches, cut a page and encode its
// cursors; then the same for the following page (cursor decoded, filter
// re-parsed from it). Sites of 1, 1,000 and 10,000 requests; figures are per
// query (and per request scanned, as items/s).
//
// The filters are those a store's back office or a support tool would send
// (the query language filters on id, contactId, status, autoNotified,
// createdDate and itemUrl; an email is found by its contactId, a catalog item
// by its itemUrl):
//   status       {"status": "RECEIVED"}, newest first
//   contacts_in  {"contactId": {"$in": [5 contact ids]}}
//   and_date     {"$and": [{"status": {"$in": ["RECEIVED", "PROCESSING"]}},
//                          {"createdDate": {"$gte": <middle of the range>}}]}
//   or_item      {"$or": [{"itemUrl": {"$startsWith": ".../item-7"}},
//                         {"status": "NOTIFICATION_SENT"}]}, sorted by itemUrl
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/micro/site_names.h"
#include "google/protobuf/util/json_util.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/domain/query/filter_evaluator.h"
#include "server/domain/query/filter_parser.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::bench {
namespace {

using v1::BackInStockNotificationRequest;

// Reports are never made here, so nothing is ever scheduled.
class NoScheduler : public delivery::Scheduler {
 public:
  void Schedule(const std::string&, store::RecordPtr) override {}
};

constexpr int kItems = 100;                                   // catalog items of the site
const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01

std::string ItemUrl(int item) { return absl::StrCat("https://shop.example/items/item-", item); }

// One site holding `count` requests, created through the manager (so ids,
// contact ids and dates are the real ones): one a minute from kStart, spread
// over kItems items, one email each; every fourth marked NOTIFICATION_SENT.
struct Site {
  store::MemorySettingsStore settings_store;
  domain::SettingsManager settings{&settings_store, {std::string(domain::kWixStoresAppId)}};
  store::MemoryNotificationRequestStore store;
  NoScheduler scheduler;
  absl::Time now = kStart;
  std::unique_ptr<domain::NotificationRequestManager> manager;
  std::string name = SiteName(7);
  std::vector<std::string> contact_ids;

  explicit Site(int count) {
    domain::NotificationRequestOptions options;
    options.clock = [this] { return now; };
    manager = std::make_unique<domain::NotificationRequestManager>(
        &store, &settings, &scheduler, *domain::query::CursorCodec::WithRandomSecret(), options);
    (void)settings.SetCollecting(name, domain::kWixStoresAppId, true);
    for (int i = 0; i < count; ++i) {
      v1::CreateBackInStockNotificationRequestRequest create;
      BackInStockNotificationRequest* request = create.mutable_request();
      request->mutable_catalog_reference()->set_catalog_item_id(absl::StrCat("item-", i % kItems));
      request->mutable_catalog_reference()->set_app_id(std::string(domain::kWixStoresAppId));
      request->set_email(absl::StrCat("customer-", i, "@example.com"));
      request->set_item_url(ItemUrl(i % kItems));
      create.mutable_item_details()->set_name("Item");
      create.mutable_item_details()->set_price("19.99");
      now = kStart + absl::Minutes(i);
      auto created = manager->Create(name, create);
      if (!created.ok()) {
        std::fprintf(stderr, "setup: %s\n", created.status().ToString().c_str());
        std::abort();
      }
      contact_ids.push_back(created->contact_id());
      if (i % 4 == 3) (void)manager->MarkAsNotificationSent(name, created->id());
    }
  }
};

Site& SiteWith(int count) {
  static auto* sites = new std::map<int, std::unique_ptr<Site>>();
  auto& site = (*sites)[count];
  if (!site) site = std::make_unique<Site>(count);
  return *site;
}

enum FilterKind { kStatus, kContactsIn, kAndDate, kOrItem };

v1::PlatformQuery QueryOf(FilterKind kind, const Site& site, int count) {
  std::string json;
  switch (kind) {
    case kStatus:
      json = R"({"filter": {"status": "RECEIVED"},
                 "sort": [{"fieldName": "createdDate", "order": "DESC"}]})";
      break;
    case kContactsIn: {
      std::string ids;
      for (int i = 0; i < 5; ++i) {
        absl::StrAppend(&ids, i ? "," : "", "\"",
                        site.contact_ids[(static_cast<size_t>(i) * 997) % site.contact_ids.size()],
                        "\"");
      }
      json = absl::StrCat(R"({"filter": {"contactId": {"$in": [)", ids, "]}}}");
      break;
    }
    case kAndDate:
      json =
          absl::StrCat(R"({"filter": {"$and": [{"status": {"$in": ["RECEIVED", "PROCESSING"]}},)",
                       R"({"createdDate": {"$gte": ")",
                       absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", kStart + absl::Minutes(count / 2),
                                        absl::UTCTimeZone()),
                       R"("}}]}})");
      break;
    case kOrItem:
      json = absl::StrCat(R"({"filter": {"$or": [{"itemUrl": {"$startsWith": ")", ItemUrl(7),
                          R"("}}, {"status": "NOTIFICATION_SENT"}]},)",
                          R"("sort": [{"fieldName": "itemUrl"}]})");
      break;
  }
  v1::PlatformQuery query;
  if (const auto status = google::protobuf::util::JsonStringToMessage(json, &query); !status.ok()) {
    std::fprintf(stderr, "query %s: %s\n", json.c_str(), status.ToString().c_str());
    std::abort();
  }
  query.mutable_cursor_paging()->set_limit(50);
  return query;
}

void BM_QueryFirstPage(benchmark::State& state, FilterKind kind, int count) {
  Site& site = SiteWith(count);
  const v1::PlatformQuery query = QueryOf(kind, site, count);
  int64_t returned = 0;
  for (auto _ : state) {
    auto page = site.manager->Query(site.name, query);
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      return;
    }
    returned += page->requests_size();
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * count);  // requests scanned
  state.counters["page"] = static_cast<double>(returned) / state.iterations();
}

// The second page, asked for with the first page's cursor alone.
void BM_QueryNextPage(benchmark::State& state, FilterKind kind, int count) {
  Site& site = SiteWith(count);
  const v1::PlatformQuery first = QueryOf(kind, site, count);
  auto first_page = site.manager->Query(site.name, first);
  if (!first_page.ok() || first_page->metadata().cursors().next().empty()) {
    state.SkipWithError("the first page is the last one: no next page to ask for");
    return;
  }
  v1::PlatformQuery next;
  next.mutable_cursor_paging()->set_cursor(first_page->metadata().cursors().next());
  for (auto _ : state) {
    auto page = site.manager->Query(site.name, next);
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * count);
}

// The parts: parsing a filter, and evaluating one against one request.
// Over a site of 1,000 requests.
void BM_ParseFilter(benchmark::State& state, FilterKind kind) {
  Site& site = SiteWith(1000);
  const v1::PlatformQuery query = QueryOf(kind, site, 1000);
  for (auto _ : state) {
    auto filter = domain::query::ParseFilter(query.filter());
    benchmark::DoNotOptimize(filter);
  }
}

void BM_MatchOneRequest(benchmark::State& state, FilterKind kind) {
  Site& site = SiteWith(1000);
  const v1::PlatformQuery query = QueryOf(kind, site, 1000);
  const auto filter = domain::query::ParseFilter(query.filter());
  auto records = site.store.List(site.name);
  if (!filter.ok() || !records.ok()) std::abort();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(domain::query::Matches(*filter, (**records)[i]->request));
    i = (i + 1) % (*records)->size();
  }
}

constexpr const char* kFilterNames[] = {"status", "contacts_in", "and_date", "or_item"};

// Registered by hand so that the filters appear by name in the results.
void RegisterAll() {
  const FilterKind kinds[] = {kStatus, kContactsIn, kAndDate, kOrItem};
  for (FilterKind kind : kinds) {
    for (int count : {1, 1000, 10000}) {
      benchmark::RegisterBenchmark(
          absl::StrCat("QueryFirstPage/", kFilterNames[kind], "/requests:", count).c_str(),
          BM_QueryFirstPage, kind, count)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  // A second page exists where more than 50 requests match.
  const std::pair<FilterKind, int> next_pages[] = {
      {kStatus, 1000}, {kStatus, 10000}, {kAndDate, 10000}, {kOrItem, 10000}};
  for (auto [kind, count] : next_pages) {
    benchmark::RegisterBenchmark(
        absl::StrCat("QueryNextPage/", kFilterNames[kind], "/requests:", count).c_str(),
        BM_QueryNextPage, kind, count)
        ->Unit(benchmark::kMicrosecond);
  }
  for (FilterKind kind : kinds) {
    benchmark::RegisterBenchmark(absl::StrCat("ParseFilter/", kFilterNames[kind]).c_str(),
                                 BM_ParseFilter, kind);
    benchmark::RegisterBenchmark(absl::StrCat("MatchOneRequest/", kFilterNames[kind]).c_str(),
                                 BM_MatchOneRequest, kind);
  }
}

}  // namespace
}  // namespace backinstock::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  backinstock::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
