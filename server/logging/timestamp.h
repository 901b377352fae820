// The timestamp of log and audit lines: UTC with milliseconds,
// "2026-11-29T14:05:23.123Z", exactly what
// absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()) gives, but
// written by hand: it is formatted once per call (call log, audit log), and
// absl::FormatTime (a strftime-like interpreter behind a time zone lookup) was
// about 2% of a GetSettings call's server CPU. The "YYYY-MM-DDTHH:MM:SS" part
// is cached per thread, since consecutive lines nearly always share a second.
#ifndef BACKINSTOCK_SERVER_LOGGING_TIMESTAMP_H_
#define BACKINSTOCK_SERVER_LOGGING_TIMESTAMP_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace backinstock::logging {

// Length of every timestamp this writes for years 1000-9999.
inline constexpr size_t kTimestampLength = 24;

namespace timestamp_internal {

// Writes `value` as `width` decimal digits (zero-padded) at `out`.
inline void Digits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace timestamp_internal

// Appends the timestamp of `t` to `out`.
inline void AppendTimestamp(absl::Time t, std::string* out) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    out->append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
    return;
  }
  // The second that `t` falls in (rounded toward the past, as FormatTime does
  // for times before the epoch), and the milliseconds within it.
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  absl::Duration within_second;
  const int64_t second = absl::IDivDuration(since_epoch, absl::Seconds(1), &within_second);
  int64_t floor_second = second;
  if (within_second < absl::ZeroDuration()) {
    --floor_second;
    within_second += absl::Seconds(1);
  }
  // Four-digit years only: FormatTime writes other years unpadded ("999-",
  // "10000-", "-1-"), and the infinite times above, in shapes of its own.
  constexpr int64_t kFirst = -30610224000;  // 1000-01-01T00:00:00Z
  constexpr int64_t kLast = 253402300799;   // 9999-12-31T23:59:59Z
  if (floor_second < kFirst || floor_second > kLast) {
    out->append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
    return;
  }

  struct Cache {
    int64_t second = INT64_MIN;
    char text[19];  // "YYYY-MM-DDTHH:MM:SS"
  };
  static thread_local Cache cache;
  if (cache.second != floor_second) {
    const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
    char* p = cache.text;
    timestamp_internal::Digits(p, civil.year(), 4);
    p[4] = '-';
    timestamp_internal::Digits(p + 5, civil.month(), 2);
    p[7] = '-';
    timestamp_internal::Digits(p + 8, civil.day(), 2);
    p[10] = 'T';
    timestamp_internal::Digits(p + 11, civil.hour(), 2);
    p[13] = ':';
    timestamp_internal::Digits(p + 14, civil.minute(), 2);
    p[16] = ':';
    timestamp_internal::Digits(p + 17, civil.second(), 2);
    cache.second = floor_second;
  }
  char text[kTimestampLength];
  std::copy(cache.text, cache.text + 19, text);
  text[19] = '.';
  // Truncated, not rounded, like %E3S.
  timestamp_internal::Digits(text + 20, absl::ToInt64Milliseconds(within_second), 3);
  text[23] = 'Z';
  out->append(text, kTimestampLength);
}

inline std::string FormatTimestamp(absl::Time t) {
  std::string out;
  out.reserve(kTimestampLength);
  AppendTimestamp(t, &out);
  return out;
}

}  // namespace backinstock::logging

#endif  // BACKINSTOCK_SERVER_LOGGING_TIMESTAMP_H_
