#include "server/store/etcd/committer.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/logging/log.h"

namespace backinstock::store::etcd {
namespace {

// How long a write waits for a new leader before calling the quorum lost:
// etcd's default election timeout (1 s) twice over.
constexpr absl::Duration kElectionWait = absl::Seconds(2);

}  // namespace

Committer::Committer(const EtcdClient* client, EtcdCache* cache, absl::Duration budget)
    : client_(client), cache_(cache), budget_(budget) {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // Uniqueness across replicas needs randomness; fall back on time and pid.
    replica_ = absl::StrCat(absl::ToUnixNanos(absl::Now()), "-", getpid());
  } else {
    replica_ = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  }
}

std::string Committer::NewWriter() { return absl::StrCat(replica_, ".", next_.fetch_add(1)); }

void Committer::SetWritable(bool writable) {
  if (writable_.exchange(writable ? 1 : 0) == (writable ? 1 : 0)) return;
  if (writable) {
    logging::Info("etcd writable again");
  } else {
    logging::Warning("etcd not writable (no quorum?); writes fail with UNAVAILABLE, reads are "
                     "served from the cache");
  }
  if (on_health_) on_health_(writable);
}

absl::StatusOr<Committer::Outcome> Committer::Commit(const etcdserverpb::TxnRequest& txn,
                                                     const std::string& writer) {
  const absl::Time deadline = absl::Now() + budget_;
  cache_->ExpectWriter(writer);
  struct Forget {
    EtcdCache* cache;
    const std::string& writer;
    ~Forget() { cache->ForgetWriter(writer); }
  } forget{cache_, writer};

  absl::Duration backoff = absl::Milliseconds(50);
  absl::Status last;
  const absl::Time started = absl::Now();
  auto election_wait_until = [&](absl::Time limit) {
    return std::min(limit, started + kElectionWait);
  };
  for (;;) {
    absl::StatusOr<etcdserverpb::TxnResponse> response = client_->Txn(txn);
    if (response.ok()) {
      SetWritable(true);
      Outcome outcome;
      outcome.succeeded = response->succeeded();
      outcome.revision = response->header().revision();
      if (outcome.succeeded &&
          !cache_->WaitForRevision(outcome.revision, std::max(deadline - absl::Now(),
                                                              absl::Seconds(1)))) {
        // The write is committed; only our view of it lags. Say so rather
        // than answer with a state older than the caller's own write.
        logging::Warning("etcd write committed but not yet seen by the watch",
                         {{"revision", outcome.revision}});
      }
      outcome.response = *std::move(response);
      return outcome;
    }
    last = response.status();
    if (EtcdClient::RefusedBeforeApply(last)) {
      // The member has no leader, so nothing was proposed and sending again
      // is safe. An election (the leader was lost) takes about one election
      // timeout: ride it out while writes are believed possible. Once a
      // write has found no quorum for that long, later ones fail at once.
      if (writable() && absl::Now() < election_wait_until(deadline)) {
        absl::SleepFor(backoff);
        backoff = std::min(backoff * 2, absl::Milliseconds(500));
        continue;
      }
      SetWritable(false);
      return absl::UnavailableError(absl::StrCat("etcd has no quorum: ", last.message()));
    }
    // Unknown outcome: learn the cluster's revision now, let the cache catch
    // up to it, and look for our nonce.
    absl::StatusOr<int64_t> now = client_->CurrentRevision();
    for (absl::Duration pause = absl::Milliseconds(50);
         !now.ok() && !EtcdClient::RefusedBeforeApply(now.status()) &&
         absl::Now() + pause < deadline;
         pause = std::min(pause * 2, absl::Milliseconds(500))) {
      absl::SleepFor(pause);
      now = client_->CurrentRevision();
    }
    if (!now.ok()) {
      SetWritable(false);
      return absl::UnavailableError(absl::StrCat(
          "etcd write failed and its outcome is unknown (the store could not be read back): ",
          last.message()));
    }
    if (!cache_->WaitForRevision(*now, std::max(deadline - absl::Now(), absl::Milliseconds(1)))) {
      return absl::UnavailableError(absl::StrCat(
          "etcd write failed and its outcome could not be read back in time: ", last.message()));
    }
    if (const int64_t seen = cache_->WriterSeenAt(writer); seen != 0) {
      SetWritable(true);
      Outcome outcome;
      outcome.succeeded = true;
      outcome.revision = seen;
      return outcome;
    }
    // Not applied as of a revision read after the failure: safe to send again.
    if (absl::Now() + backoff >= deadline) break;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(500));
  }
  return absl::UnavailableError(absl::StrCat("etcd write failed: ", last.message()));
}

}  // namespace backinstock::store::etcd
