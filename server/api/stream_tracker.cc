#include "server/api/stream_tracker.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"

namespace backinstock::api {
namespace {

grpc::Status TooMany(absl::string_view scope, size_t limit) {
  const std::string limit_text = absl::StrCat(limit);
  return errors::ToGrpcStatus(
      errors::Error(absl::StatusCode::kResourceExhausted, "TOO_MANY_WATCH_STREAMS",
                    absl::StrCat("this ", scope, " already has ", limit,
                                 " watch streams open; close one or try again later"),
                    {{"scope", scope}, {"limit", limit_text}}));
}

}  // namespace

StreamTracker::StreamTracker(StreamLimits limits, metrics::Gauge* open)
    : limits_(limits), open_(open) {
  thread_ = std::thread([this] { Run(); });
}

StreamTracker::~StreamTracker() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

std::optional<grpc::Status> StreamTracker::Add(ClosableStream* stream, const std::string& site,
                                               const auth::StreamCredentials& credentials) {
  absl::MutexLock lock(&mu_);
  if (closing_) return grpc::Status::OK;
  if (limits_.total > 0 && streams_.size() >= limits_.total)
    return TooMany("server", limits_.total);
  size_t& of_site = per_site_[site];
  if (limits_.per_site > 0 && of_site >= limits_.per_site) {
    if (of_site == 0) per_site_.erase(site);
    return TooMany("site", limits_.per_site);
  }
  ++of_site;
  Entry entry{site, credentials, expiries_.end()};
  if (credentials.expires() != absl::InfiniteFuture()) {
    if (expiries_.empty() || credentials.expires() < expiries_.begin()->first) rescheduled_ = true;
    entry.expiry = expiries_.emplace(credentials.expires(), stream);
  }
  streams_.emplace(stream, std::move(entry));
  if (open_) open_->Add(1);
  return std::nullopt;
}

void StreamTracker::Forget(ClosableStream* stream, Entry& entry) {
  if (entry.expiry != expiries_.end()) expiries_.erase(entry.expiry);
  auto site = per_site_.find(entry.site);
  if (site != per_site_.end() && --site->second == 0) per_site_.erase(site);
  streams_.erase(stream);
  if (open_) open_->Add(-1);
}

void StreamTracker::Remove(ClosableStream* stream) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream);
  if (it != streams_.end()) Forget(stream, it->second);
}

void StreamTracker::CloseAll() {
  absl::MutexLock lock(&mu_);
  closing_ = true;
  for (auto& [stream, entry] : streams_) stream->End(grpc::Status::OK);
}

size_t StreamTracker::EndUnverifiable(const auth::Keys& keys) {
  absl::MutexLock lock(&mu_);
  size_t ended = 0;
  for (auto& [stream, entry] : streams_) {
    absl::Status verified = entry.credentials.CheckKeys(keys);
    if (verified.ok()) continue;
    // Ending is idempotent: a stream stays registered until its OnDone.
    stream->End(errors::ToGrpcStatus(verified));
    ++ended;
  }
  return ended;
}

size_t StreamTracker::size() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

size_t StreamTracker::size(const std::string& site) const {
  absl::MutexLock lock(&mu_);
  auto it = per_site_.find(site);
  return it == per_site_.end() ? 0 : it->second;
}

void StreamTracker::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time next = expiries_.empty() ? absl::InfiniteFuture() : expiries_.begin()->first;
    rescheduled_ = false;
    mu_.AwaitWithDeadline(absl::Condition(
                              +[](StreamTracker* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
                                return self->stopping_ || self->rescheduled_;
                              },
                              this),
                          next);
    const absl::Time now = absl::Now();
    // Each stream is ended once: its expiry entry goes, the stream stays
    // registered (and counted) until its OnDone removes it.
    while (!expiries_.empty() && expiries_.begin()->first <= now) {
      ClosableStream* stream = expiries_.begin()->second;
      Entry& entry = streams_.at(stream);
      expiries_.erase(expiries_.begin());
      entry.expiry = expiries_.end();
      stream->End(errors::ToGrpcStatus(entry.credentials.CheckTime(now)));
    }
  }
}

}  // namespace backinstock::api
