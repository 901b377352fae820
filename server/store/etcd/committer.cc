#include "server/store/etcd/committer.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "server/logging/log.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store::etcd {
namespace {

// How long a write waits for a new leader, from the first "no leader" answer,
// before calling the quorum lost: etcd's default election timeout (1 s)
// twice over.
constexpr absl::Duration kElectionWait = absl::Seconds(2);
// How often a member without a leader is asked again. It answers at once, so
// this is also how late after the election a waiting write notices it.
constexpr absl::Duration kElectionPoll = absl::Milliseconds(50);
// The least time given to the cache to reach a revision, even when the Txn
// itself used up most of the budget: a healthy watch needs milliseconds.
constexpr absl::Duration kLeastCatchUp = absl::Seconds(1);

absl::Duration CatchUpTime(absl::Time deadline) {
  return std::max(deadline - absl::Now(), kLeastCatchUp);
}

// The write is in etcd; only this replica's view lags. UNAVAILABLE (this
// replica cannot answer consistently with it yet) but saying it was
// committed, so that a client knows a retry of an idempotent call is safe and
// a non-idempotent one would repeat it.
absl::Status CommittedButNotSeen(int64_t revision) {
  return errors::Error(
      absl::StatusCode::kUnavailable, "STORAGE_UNAVAILABLE",
      absl::StrCat("the change WAS committed (etcd revision ", revision,
                   "), but this replica has not caught up with it in time, so its reads may not "
                   "show it yet"),
      {{"committed_revision", absl::StrCat(revision)}});
}

}  // namespace

Committer::Committer(const EtcdClient* client, EtcdCache* cache, int txns_in_flight,
                     absl::Duration budget, SendTxn send)
    : client_(client), cache_(cache), budget_(budget), send_(std::move(send)) {
  if (!send_) {
    send_ = [client](const etcdserverpb::TxnRequest& txn) { return client->Txn(txn); };
  }
  if (txns_in_flight > 0) {
    TxnBatcher::Limits limits;
    limits.max_in_flight = txns_in_flight;
    batcher_ = std::make_unique<TxnBatcher>(send_, limits);
  }
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
    logging::Warning(
        "etcd not writable (no quorum?); writes fail with UNAVAILABLE, reads are "
        "served from the cache");
  }
  if (on_health_) on_health_(writable);
}

// One Commit's progress across its attempts.
struct Committer::Attempts {
  absl::Time started;
  absl::Time deadline;
  absl::Duration backoff = absl::Milliseconds(50);
  absl::Status last;  // why the latest attempt failed
  // Whether an earlier attempt failed in a way that may have applied it.
  bool maybe_applied = false;
  // When a member first answered that it has no leader (an election).
  absl::Time no_leader_since = absl::InfiniteFuture();

  void Pause() {
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(500));
  }
};

absl::StatusOr<Committer::Outcome> Committer::Acknowledged(etcdserverpb::TxnResponse response,
                                                           const std::string& writer,
                                                           Attempts& attempts) {
  const bool maybe_applied_before = attempts.maybe_applied;
  const absl::Time deadline = attempts.deadline;
  Outcome outcome;
  outcome.succeeded = response.succeeded();
  outcome.revision = response.header().revision();
  if (!outcome.succeeded && !maybe_applied_before) {
    // A plain lost race: the store reads the winner from the failure branch.
    outcome.response = std::move(response);
    return outcome;
  }
  // Both cases need the cache caught up: a success with its own revision,
  // for read-your-writes; a failure after an attempt of unknown outcome
  // because that attempt may have applied after we read back (a proposal
  // still in flight), in which case the compares failed on our own write.
  // Our write, if it applied, came before this response, so before a fence
  // written now (a failure's own revision is the store's, perhaps made
  // outside the prefix, which no event would ever show).
  if (outcome.succeeded) {
    if (!cache_->WaitForRevision(outcome.revision, CatchUpTime(deadline))) {
      logging::Warning("etcd write committed but not seen by the watch in time",
                       {{"revision", outcome.revision}});
      return CommittedButNotSeen(outcome.revision);
    }
  } else {
    absl::StatusOr<int64_t> fence = Fence(attempts);
    if (!fence.ok() || !cache_->WaitForRevision(*fence, CatchUpTime(deadline))) {
      return StorageUnavailable(absl::UnavailableError(absl::StrCat(
          "an etcd write of unknown outcome was sent again and refused; whether the first "
          "attempt applied could not be read back in time",
          fence.ok() ? "" : absl::StrCat(": ", fence.status().message()))));
    }
    if (const int64_t seen = cache_->WriterSeenAt(writer); seen != 0) {
      // Refused because of our own earlier attempt: that one is the write.
      outcome.succeeded = true;
      outcome.revision = seen;
      return outcome;
    }
  }
  outcome.response = std::move(response);
  return outcome;
}

absl::StatusOr<Committer::Outcome> Committer::Commit(const etcdserverpb::TxnRequest& txn,
                                                     const std::string& writer) {
  // A success branch without a put would make no revision of its own, and
  // read-your-writes waits for the event of the write's revision.
  if (std::none_of(txn.success().begin(), txn.success().end(),
                   [](const etcdserverpb::RequestOp& op) { return op.has_request_put(); })) {
    return absl::InternalError("an etcd write whose success branch puts nothing");
  }
  Attempts attempts;
  attempts.started = absl::Now();
  attempts.deadline = attempts.started + budget_;
  cache_->ExpectWriter(writer);
  struct Forget {
    EtcdCache* cache;
    const std::string& writer;
    ~Forget() { cache->ForgetWriter(writer); }
  } forget{cache_, writer};

  for (;;) {
    absl::StatusOr<etcdserverpb::TxnResponse> response =
        batcher_ ? batcher_->Commit(txn, attempts.deadline) : send_(txn);
    if (response.ok()) {
      SetWritable(true);
      return Acknowledged(*std::move(response), writer, attempts);
    }
    attempts.last = response.status();
    if (TxnBatcher::IsNotSent(attempts.last)) {
      // Queued behind other writes for the whole budget: this attempt never
      // reached etcd.
      return StorageUnavailable(absl::UnavailableError(absl::StrCat(
          attempts.last.message(),
          attempts.maybe_applied ? "; an earlier attempt has an unknown outcome" : "")));
    }
    if (EtcdClient::RefusedBeforeApply(attempts.last)) {
      if (ElectionMayEnd(attempts)) continue;
      return NoQuorum(attempts);
    }
    // Refused by etcd itself (for example a claim on a lease that expired):
    // nothing applied, and sending it again would be refused again. Only an
    // earlier attempt of unknown outcome is left to look for.
    const bool rejected = EtcdClient::Rejected(attempts.last);
    if (rejected && !attempts.maybe_applied) {
      return StorageUnavailable(absl::UnavailableError(
          absl::StrCat("etcd refused the write: ", attempts.last.message())));
    }
    if (!rejected) attempts.maybe_applied = true;
    if (std::optional<absl::StatusOr<Outcome>> resolved = ReadBack(writer, rejected, attempts)) {
      return *std::move(resolved);
    }
    // Not applied as of a fence written after the failure: sending again is
    // safe (if the first attempt still applies later, the resend's compares
    // fail on it and Acknowledged recognises our nonce).
    if (absl::Now() + attempts.backoff >= attempts.deadline) break;
    attempts.Pause();
  }
  return StorageUnavailable(absl::UnavailableError(absl::StrCat(
      "etcd write failed and its outcome is unknown (out of time): ", attempts.last.message())));
}

bool Committer::ElectionMayEnd(Attempts& attempts) {
  // The member has no leader, so nothing was proposed (or read) and asking
  // again is safe. An election (the leader was lost) takes about one
  // election timeout: ride it out while writes are believed possible,
  // asking often so that the new leader is used as soon as it exists. Once
  // a write has found no quorum for that long, later ones fail at once.
  const absl::Time now = absl::Now();
  attempts.no_leader_since = std::min(attempts.no_leader_since, now);
  if (!writable() || now + kElectionPoll >=
                         std::min(attempts.deadline, attempts.no_leader_since + kElectionWait)) {
    return false;
  }
  absl::SleepFor(kElectionPoll);
  return true;
}

absl::Status Committer::NoQuorum(const Attempts& attempts) {
  SetWritable(false);
  if (attempts.maybe_applied) {
    return StorageUnavailable(absl::UnavailableError(absl::StrCat(
        "etcd has no quorum and an earlier attempt of this write has an unknown outcome: ",
        attempts.last.message())));
  }
  return StorageUnavailable(
      absl::UnavailableError(absl::StrCat("etcd has no quorum: ", attempts.last.message())));
}

bool Committer::ReadBackAgain(const absl::Status& error, Attempts& attempts) {
  if (client_->aborted()) return false;
  // The member that held the write may be the one without a leader now: the
  // fence is refused at once while an election runs; wait it out.
  if (EtcdClient::RefusedBeforeApply(error)) return ElectionMayEnd(attempts);
  // Timed out or lost the member: ask again (the channel moves to another
  // member once a connection fails).
  if (absl::Now() + attempts.backoff >= attempts.deadline) return false;
  attempts.Pause();
  return true;
}

absl::StatusOr<int64_t> Committer::Fence(Attempts& attempts) {
  absl::StatusOr<int64_t> fence = client_->WriteFence();
  while (!fence.ok() && ReadBackAgain(fence.status(), attempts)) fence = client_->WriteFence();
  return fence;
}

std::optional<absl::StatusOr<Committer::Outcome>> Committer::ReadBack(const std::string& writer,
                                                                      bool rejected,
                                                                      Attempts& attempts) {
  // Write a fence, let the cache catch up to it, and look for our nonce.
  absl::StatusOr<int64_t> now = Fence(attempts);
  if (!now.ok()) {
    SetWritable(false);
    return StorageUnavailable(absl::UnavailableError(absl::StrCat(
        "etcd write failed and its outcome is unknown (the store could not be read back): ",
        attempts.last.message())));
  }
  if (!cache_->WaitForRevision(*now,
                               std::max(attempts.deadline - absl::Now(), absl::Milliseconds(1)))) {
    return StorageUnavailable(absl::UnavailableError(
        absl::StrCat("etcd write failed and its outcome could not be read back in time: ",
                     attempts.last.message())));
  }
  if (const int64_t seen = cache_->WriterSeenAt(writer); seen != 0) {
    SetWritable(true);
    Outcome outcome;
    outcome.succeeded = true;
    outcome.revision = seen;
    return outcome;
  }
  if (rejected) {
    return StorageUnavailable(absl::UnavailableError(absl::StrCat(
        "etcd refused the write, and an earlier attempt of unknown outcome had not applied "
        "when read back: ",
        attempts.last.message())));
  }
  return std::nullopt;
}

}  // namespace backinstock::store::etcd
