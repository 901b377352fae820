#include "server/store/etcd/replica_lease.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/logging/log.h"

namespace backinstock::store::etcd {
namespace {

// etcd's smallest lease TTL with its default election timeout (1 s): it
// raises a shorter request to this anyway.
constexpr int64_t kMinTtlSeconds = 2;

// How soon a failed grant or renewal is tried again.
constexpr absl::Duration kRetry = absl::Milliseconds(500);

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicaLease>> ReplicaLease::Start(const EtcdClient* client,
                                                                  absl::Duration ttl,
                                                                  absl::Time startup_deadline) {
  const int64_t seconds =
      std::max(kMinTtlSeconds,
               static_cast<int64_t>(absl::ToDoubleSeconds(absl::Ceil(ttl, absl::Seconds(1)))));
  std::unique_ptr<ReplicaLease> lease(new ReplicaLease(client, seconds));
  absl::Status granted = lease->Grant();
  absl::Duration backoff = absl::Milliseconds(100);
  while (!granted.ok()) {
    if (absl::Now() + backoff > startup_deadline) {
      return absl::UnavailableError(
          absl::StrCat("cannot get an etcd lease for this replica: ", granted.message()));
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
    granted = lease->Grant();
  }
  lease->thread_ = std::thread([raw = lease.get()] { raw->Run(); });
  return lease;
}

ReplicaLease::~ReplicaLease() {
  int64_t id = 0;
  bool alive = false;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&mu_);
    id = id_;
    alive = id_ != 0 && std::chrono::steady_clock::now() < alive_until_;
  }
  if (!alive) return;
  if (absl::Status revoked = client_->LeaseRevoke(id);
      !revoked.ok() && !absl::IsNotFound(revoked)) {
    // The lease expires by itself within its TTL.
    logging::Warning("etcd lease not revoked at shutdown",
                     {{"lease", id}, {"error", std::string(revoked.message())}});
  }
}

void ReplicaLease::SetHealthCallback(HealthCallback callback) {
  absl::MutexLock lock(&health_mu_);
  on_health_ = std::move(callback);
}

absl::StatusOr<int64_t> ReplicaLease::Current() const {
  absl::MutexLock lock(&mu_);
  if (id_ == 0 || std::chrono::steady_clock::now() >= alive_until_) {
    return absl::UnavailableError(
        "this replica holds no live etcd lease, so it cannot claim requests for sending");
  }
  return id_;
}

void ReplicaLease::Lost(int64_t id) {
  absl::MutexLock lock(&mu_);
  if (id_ != id || id == 0) return;
  logging::Warning("etcd lease lost; granting a new one", {{"lease", id}});
  id_ = 0;
  wake_ = true;
}

absl::Status ReplicaLease::Grant() {
  const auto sent = std::chrono::steady_clock::now();
  absl::StatusOr<etcdserverpb::LeaseGrantResponse> granted = client_->LeaseGrant(ttl_seconds_);
  if (!granted.ok()) return granted.status();
  {
    absl::MutexLock lock(&mu_);
    id_ = granted->id();
    alive_until_ = sent + std::chrono::seconds(granted->ttl());
  }
  logging::Info("etcd lease granted", {{"lease", granted->id()}, {"ttl_s", granted->ttl()}});
  return absl::OkStatus();
}

void ReplicaLease::Run() {
  // Renewing three times per TTL leaves two attempts to spare before expiry.
  const absl::Duration period = absl::Seconds(ttl_seconds_) / 3;
  for (;;) {
    int64_t id = 0;
    std::chrono::steady_clock::time_point alive_until;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      id = id_;
      alive_until = alive_until_;
    }
    absl::Duration wait = period;
    if (id == 0 || std::chrono::steady_clock::now() >= alive_until) {
      if (id != 0) {
        logging::Warning("etcd lease not renewed within its TTL; granting a new one",
                         {{"lease", id}});
      }
      Report(false);
      if (absl::Status granted = Grant(); granted.ok()) {
        Report(true);
      } else {
        logging::Warning("etcd lease grant failed; requests cannot be claimed",
                         {{"error", std::string(granted.message())}});
        wait = std::min(period, kRetry);
      }
    } else {
      const auto sent = std::chrono::steady_clock::now();
      // Bounded by the period, so a hung renewal leaves time for another
      // attempt before the lease runs out.
      absl::StatusOr<int64_t> ttl = client_->LeaseKeepAlive(id, period);
      if (ttl.ok() && *ttl > 0) {
        {
          absl::MutexLock lock(&mu_);
          if (id_ == id) alive_until_ = sent + std::chrono::seconds(*ttl);
        }
        Report(true);
      } else if (ttl.ok()) {
        // etcd says the lease is gone (it expired while we could not renew):
        // its claim keys are deleted already.
        logging::Warning("etcd lease expired; granting a new one", {{"lease", id}});
        {
          absl::MutexLock lock(&mu_);
          if (id_ == id) id_ = 0;
        }
        Report(false);
        wait = absl::ZeroDuration();
      } else {
        // Not known to be gone: try again soon, until alive_until passes.
        wait = std::min(period, kRetry);
      }
    }
    absl::MutexLock lock(&mu_);
    auto woken = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_ || wake_; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
    wake_ = false;
  }
}

void ReplicaLease::Report(bool held) {
  absl::MutexLock lock(&health_mu_);
  if (reported_held_ == held) return;
  reported_held_ = held;
  if (on_health_) on_health_(held);
}

}  // namespace backinstock::store::etcd
