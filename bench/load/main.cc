// backinstock-bench-load: a closed-loop gRPC load generator on the C++
// callback client. It mints tokens from a keys file, drives the chosen mix of
// calls at a fixed number of calls in flight, and prints throughput, latency
// percentiles and a count per status code (text, or JSON with --json).
//
//   backinstock-bench-load --target=127.0.0.1:50051 --keys_file=keys.json
//       --rpc=get_settings --in_flight=50 --channels=4 --warmup=1s --duration=5s
//
// Exits 0 when every measured call succeeded, 3 when some failed (the figures
// are printed either way), 2 on bad flags or an unreachable target.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/load/call_kinds.h"
#include "bench/load/load_run.h"
#include "bench/load/report.h"
#include "bench/load/rpc_mix.h"
#include "bench/load/site_credentials.h"
#include "server/auth/keys.h"
#include "server/domain/settings_manager.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "host:port of the server under load");
ABSL_FLAG(std::string, rpc, "get_settings",
          "calls to make, with optional weights: kind[=weight],... (see --helpfull for kinds)");
ABSL_FLAG(int32_t, channels, 4, "channels (TCP connections) the calls are spread over");
ABSL_FLAG(int32_t, in_flight, 50, "calls kept outstanding at all times");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "load before measuring starts");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "how long to measure");
ABSL_FLAG(int64_t, calls, 0, "when > 0: measure this many calls instead of --duration");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(std::string, keys_file, "",
          "keys file to mint tokens from (the server's); empty: calls carry no tokens");
ABSL_FLAG(int32_t, sites, 100, "distinct sites (and so distinct tokens) the calls rotate over");
ABSL_FLAG(std::string, role, "visitor", "role claim of the identity tokens");
ABSL_FLAG(std::string, app_id, std::string(backinstock::domain::kWixStoresAppId),
          "app_id sent by start_collecting and stop_collecting, and the catalog app of "
          "create_request and count_requests");
ABSL_FLAG(bool, json, false, "print one JSON object instead of text");
ABSL_FLAG(std::string, h2load_request, "",
          "instead of a load run: write the --rpc kind's request, framed as gRPC, to this file "
          "and print the call's path and headers (first site), one \"name value\" a line, "
          "for a light HTTP/2 load generator (bench/light_client.sh)");
ABSL_FLAG(int32_t, h2load_requests, 0,
          "with --h2load_request: write this many requests one after another, each "
          "create_request with an email of its own (for backinstock-bench-h2, which cycles "
          "through them); 0: one request, the kind's fixed message (h2load sends one body)");
ABSL_FLAG(int32_t, noop_request_bytes, 0,
          "with --h2load_request and a noop kind: pad the request to this many bytes");
ABSL_FLAG(int32_t, noop_answer_bytes, 0,
          "with --h2load_request and a noop kind: ask for an answer of this many bytes");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "backinstock-bench-load: %s\n", std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace backinstock;
  absl::SetProgramUsageMessage(absl::StrCat(
      "A closed-loop gRPC load generator.\n"
      "Usage: backinstock-bench-load --target=HOST:PORT --keys_file=KEYS --rpc=MIX [flags]\n"
      "Call kinds for --rpc: ",
      absl::StrJoin(bench::CallKindNames(), ", ")));
  absl::ParseCommandLine(argc, argv);

  absl::StatusOr<bench::RpcMix> mix = bench::ParseRpcMix(absl::GetFlag(FLAGS_rpc));
  if (!mix.ok()) return Fail(mix.status());
  bench::LoadOptions options;
  options.target = absl::GetFlag(FLAGS_target);
  options.mix = *std::move(mix);
  options.channels = absl::GetFlag(FLAGS_channels);
  options.in_flight = absl::GetFlag(FLAGS_in_flight);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.calls = absl::GetFlag(FLAGS_calls);
  options.deadline = absl::GetFlag(FLAGS_deadline);
  options.app_id = absl::GetFlag(FLAGS_app_id);
  if (options.warmup < absl::ZeroDuration() || options.duration <= absl::ZeroDuration()) {
    return Fail(absl::InvalidArgumentError("--warmup must be >= 0 and --duration > 0"));
  }

  std::vector<bench::SiteCredentials> sites;
  const int site_count = absl::GetFlag(FLAGS_sites);
  if (const std::string keys_file = absl::GetFlag(FLAGS_keys_file); !keys_file.empty()) {
    absl::StatusOr<auth::Keys> keys = auth::LoadKeysFile(keys_file);
    if (!keys.ok()) return Fail(keys.status());
    auto minted =
        bench::MintSiteCredentials(*keys, site_count, absl::GetFlag(FLAGS_role), absl::Now());
    if (!minted.ok()) return Fail(minted.status());
    sites = *std::move(minted);
  } else {
    // No tokens: every call is unauthenticated, which the status counts show.
    sites.push_back({});
  }
  if (options.calls == 0 && options.warmup + options.duration > bench::kElevationLifetime) {
    std::fprintf(stderr,
                 "backinstock-bench-load: warning: elevation tokens expire after %s; elevated "
                 "calls made later fail with PERMISSION_DENIED\n",
                 absl::FormatDuration(bench::kElevationLifetime).c_str());
  }

  if (const std::string path = absl::GetFlag(FLAGS_h2load_request); !path.empty()) {
    if (options.mix.cycle.empty()) return Fail(absl::InvalidArgumentError("--rpc is empty"));
    const int count = absl::GetFlag(FLAGS_h2load_requests);
    if (count < 0) return Fail(absl::InvalidArgumentError("--h2load_requests is negative"));
    const bench::NoopSizes sizes{absl::GetFlag(FLAGS_noop_request_bytes),
                                 absl::GetFlag(FLAGS_noop_answer_bytes)};
    const bench::FramedCall call =
        bench::FramedCallOf(options.mix.cycle.front(), options.app_id, sizes, count > 0);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << call.body;
    for (int i = 1; i < count; ++i) {
      out << bench::FramedCallOf(options.mix.cycle.front(), options.app_id, sizes, true).body;
    }
    out.close();
    if (!out) return Fail(absl::UnavailableError(absl::StrCat("cannot write ", path)));
    std::cout << "path " << call.path << "\n";
    if (!sites.front().authorization.empty()) {
      std::cout << "authorization " << sites.front().authorization << "\n";
    }
    if (call.elevated && !sites.front().elevation.empty()) {
      std::cout << "x-elevation-token " << sites.front().elevation << "\n";
    }
    return 0;
  }

  absl::StatusOr<bench::LoadResult> result = bench::RunLoad(options, sites);
  if (!result.ok()) return Fail(result.status());
  const int reported_sites = static_cast<int>(sites.size());
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << bench::ReportJson(options, reported_sites, *result).dump(2) << std::endl;
  } else {
    std::cout << bench::ReportText(options, reported_sites, *result) << std::flush;
  }
  return result->errors() > 0 ? 3 : 0;
}
