// The calls a load run can make, by name. Adding a workload (for example a
// query of notification requests) is one more entry here and in call_kinds.cc.
//
//   noop               baseline.v1 Noop with the identity header (baseline of get_settings)
//   noop_elevated      Noop with identity and elevation headers and an app_id-sized
//                      request (baseline of start_collecting / stop_collecting)
//   get_settings       GetSettings with the identity token
//   start_collecting   StartCollectingRequests with identity and elevation tokens
//   stop_collecting    StopCollectingRequests with identity and elevation tokens
#ifndef BACKINSTOCK_BENCH_LOAD_CALL_KINDS_H_
#define BACKINSTOCK_BENCH_LOAD_CALL_KINDS_H_

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "baseline/v1/baseline.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "bench/load/site_credentials.h"

namespace backinstock::bench {

enum class CallKind { kNoop, kNoopElevated, kGetSettings, kStartCollecting, kStopCollecting };

std::optional<CallKind> ParseCallKind(absl::string_view name);
absl::string_view CallKindName(CallKind kind);
// Every kind's name, for usage messages.
std::vector<absl::string_view> CallKindNames();

// The stubs of one channel.
class Stubs {
 public:
  explicit Stubs(std::shared_ptr<grpc::Channel> channel);

  grpc::Channel& channel() { return *channel_; }

  // Starts one call of `kind` for `site`; `done` runs exactly once with the
  // call's status, on a gRPC thread (it may start the next call).
  void Start(CallKind kind, const SiteCredentials& site, absl::string_view app_id,
             absl::Duration deadline, std::function<void(const grpc::Status&)> done);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<baseline::v1::BaselineService::Stub> baseline_;
  std::unique_ptr<v1::BackInStockSettingsService::Stub> settings_;
};

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_CALL_KINDS_H_
