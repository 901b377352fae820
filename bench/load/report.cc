#include "bench/load/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "backinstock/errors/grpc_status.h"

namespace backinstock::bench {
namespace {

double Ms(int64_t nanos) { return nanos / 1e6; }

std::string CodeName(int code) { return errors::CodeName(static_cast<absl::StatusCode>(code)); }

}  // namespace

nlohmann::json ReportJson(const LoadOptions& options, int sites, const LoadResult& result) {
  const LatencyHistogram& latency = result.latency;
  nlohmann::json status = nlohmann::json::object();
  for (int code = 0; code < kStatusCodes; ++code) {
    if (result.codes[code] > 0) status[CodeName(code)] = result.codes[code];
  }
  nlohmann::json first_errors = nlohmann::json::object();
  for (const auto& [code, text] : result.first_errors) first_errors[CodeName(code)] = text;
  return {
      {"target", options.target},
      {"rpc", options.mix.text},
      {"channels", options.channels},
      {"in_flight", options.in_flight},
      {"sites", sites},
      {"warmup_s", absl::ToDoubleSeconds(options.warmup)},
      {"duration_s", options.calls > 0 ? 0.0 : absl::ToDoubleSeconds(options.duration)},
      {"calls", result.calls},
      {"total_calls", result.total_calls},
      {"elapsed_s", result.elapsed_seconds},
      {"throughput_per_s", result.throughput()},
      {"errors", result.errors()},
      {"latency_ms",
       {{"min", Ms(latency.min())},
        {"mean", latency.mean() / 1e6},
        {"p50", Ms(latency.Quantile(0.50))},
        {"p90", Ms(latency.Quantile(0.90))},
        {"p99", Ms(latency.Quantile(0.99))},
        {"p999", Ms(latency.Quantile(0.999))},
        {"max", Ms(latency.max())}}},
      {"status", status},
      {"first_errors", first_errors},
  };
}

std::string ReportText(const LoadOptions& options, int sites, const LoadResult& result) {
  const LatencyHistogram& latency = result.latency;
  std::string text =
      absl::StrFormat("target %s  rpc %s  channels %d  in flight %d  sites %d  warm-up %s\n",
                      options.target, options.mix.text, options.channels, options.in_flight, sites,
                      absl::FormatDuration(options.warmup));
  absl::StrAppendFormat(&text, "calls %d (%d failed) in %.2f s: %.0f successful calls/s\n",
                        result.calls, result.errors(), result.elapsed_seconds, result.throughput());
  absl::StrAppendFormat(&text,
                        "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  "
                        "mean %.3f\n",
                        Ms(latency.Quantile(0.50)), Ms(latency.Quantile(0.90)),
                        Ms(latency.Quantile(0.99)), Ms(latency.Quantile(0.999)), Ms(latency.max()),
                        latency.mean() / 1e6);
  text += "status:";
  for (int code = 0; code < kStatusCodes; ++code) {
    if (result.codes[code] > 0)
      absl::StrAppend(&text, " ", CodeName(code), " ", result.codes[code]);
  }
  text += "\n";
  if (result.errors() > 0) {
    absl::StrAppend(&text, "ERRORS: ", result.errors(), " of ", result.calls,
                    " calls failed; they are not counted as successes\n");
    for (const auto& [code, first] : result.first_errors) {
      absl::StrAppend(&text, "  first ", CodeName(code), ": ", first, "\n");
    }
  }
  return text;
}

}  // namespace backinstock::bench
