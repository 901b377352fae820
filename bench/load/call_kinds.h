// The calls a load run can make, by name. Adding a workload (for example a
// query of notification requests) is one more entry here and in call_kinds.cc.
//
//   noop               baseline.v1 Noop with the identity header (baseline of get_settings)
//   noop_elevated      Noop with identity and elevation headers and an app_id-sized
//                      request (baseline of start_collecting / stop_collecting)
//   get_settings       GetSettings with the identity token
//   start_collecting   StartCollectingRequests with identity and elevation tokens
//   stop_collecting    StopCollectingRequests with identity and elevation tokens
//   noop_create        Noop with the identity header and a request as large as
//                      create_request's (baseline of create_request)
//   create_request     CreateBackInStockNotificationRequest with the identity token
//                      (a visitor may create): every call a new email, so every
//                      call creates; a duplicate would come back ALREADY_EXISTS and
//                      be counted as that status, never as a success. The site's
//                      collecting must be switched on first (start_collecting).
//   query_requests     QueryBackInStockNotificationRequests, elevated: RECEIVED
//                      requests, newest first, 50 a page; each site's calls walk its
//                      pages with the previous call's next cursor, starting over
//                      after the last page
//   count_requests     GetBackInStockNotificationRequestsCountByCatalogReferences,
//                      elevated, for 10 catalog items (the ones create_request uses)
#ifndef BACKINSTOCK_BENCH_LOAD_CALL_KINDS_H_
#define BACKINSTOCK_BENCH_LOAD_CALL_KINDS_H_

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "baseline/v1/baseline.grpc.pb.h"
#include "bench/load/site_credentials.h"

namespace backinstock::bench {

enum class CallKind {
  kNoop,
  kNoopElevated,
  kGetSettings,
  kStartCollecting,
  kStopCollecting,
  kNoopCreate,
  kCreateRequest,
  kQueryRequests,
  kCountRequests,
};

// The catalog items create_request spreads its requests over (item-0 ...) and
// count_requests asks about.
inline constexpr int kCatalogItems = 10;

std::optional<CallKind> ParseCallKind(absl::string_view name);
absl::string_view CallKindName(CallKind kind);
// Every kind's name, for usage messages.
std::vector<absl::string_view> CallKindNames();

// The next-page cursor of each site's query walk, shared by every channel
// (a cursor is bound to its site, not to a connection).
class CursorBook {
 public:
  // The cursor to send for `site`; empty: ask for the first page.
  std::string Take(absl::string_view site) ABSL_LOCKS_EXCLUDED(mu_);
  // Records the next cursor of a page of `site` (empty after the last page).
  void Put(absl::string_view site, std::string cursor) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> cursors_ ABSL_GUARDED_BY(mu_);
};

// One call of `kind` as a light HTTP/2 client (h2load) sends it: the method's
// path, the request message in gRPC's framing (a zero compression byte, the
// length as 4 big-endian bytes, the serialized message), and whether it
// carries the elevation header. The message is the one Stubs::Start sends for
// the kind's first call (query_requests: the first page; create_request: one
// fixed email, so only its first call creates, unless `unique_email` gives
// each framed create an email of its own, all of one length).
struct FramedCall {
  std::string path;
  std::string body;
  bool elevated = false;
};
// For a noop kind's framed call, when set: the request is padded to
// `request_bytes` (its serialized size) and asks for an answer of
// `answer_bytes` of padding, so that the Noop moves the same bytes as the
// call it stands in for (the light-client table's floor).
struct NoopSizes {
  int request_bytes = 0;
  int answer_bytes = 0;
};
FramedCall FramedCallOf(CallKind kind, absl::string_view app_id, NoopSizes sizes = {},
                        bool unique_email = false);

// The stubs of one channel.
class Stubs {
 public:
  // `cursors` is shared by all channels and outlives them.
  Stubs(std::shared_ptr<grpc::Channel> channel, CursorBook* cursors);

  grpc::Channel& channel() { return *channel_; }

  // Starts one call of `kind` for `site`; `done` runs exactly once with the
  // call's status, on a gRPC thread (it may start the next call).
  void Start(CallKind kind, const SiteCredentials& site, absl::string_view app_id,
             absl::Duration deadline, std::function<void(const grpc::Status&)> done);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<baseline::v1::BaselineService::Stub> baseline_;
  std::unique_ptr<v1::BackInStockSettingsService::Stub> settings_;
  std::unique_ptr<v1::BackInStockNotificationRequestService::Stub> requests_;
  CursorBook* cursors_;
};

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_CALL_KINDS_H_
