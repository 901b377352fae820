// Runs each site's blocking writes one after another on a WorkQueue. A call
// that arrives while its site has a write on the queue or under way waits
// here, holding no thread; when that write ends, the thread that ran it first
// asks each waiting call whether it still needs a write (a Start arriving
// while a Start is being written needs none once it lands), answers those that
// do not, and queues the first that does.
//
// Why: writes of one site serialize in the store anyway (one on its way to
// disk at a time). Queued as independent jobs, each waiting call held a
// pool thread asleep until the write before it ended, then woke only to find
// the state already what it asked for; a burst on one site could fill the
// pool and stall every other site's writes. Here a busy site holds at most one
// pool thread, and a write answers the calls that waited for it without a
// thread switch each.
//
// This is the server's own queueing, not the store's guarantee: another
// replica (etcd) or another path may still write the site concurrently, and
// the domain's compare-and-swap stays what keeps writes correct.
#ifndef BACKINSTOCK_SERVER_API_SERIAL_SITE_WRITES_H_
#define BACKINSTOCK_SERVER_API_SERIAL_SITE_WRITES_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/api/work_queue.h"

namespace backinstock::api {

class SerialSiteWrites {
 public:
  // Why a call was not run: kBusy also when as many calls as allowed are
  // parked already; kShuttingDown also when the queue was closed while the
  // call waited.
  using Refusal = WorkQueue::Refusal;

  // One call's write. Each member answers the call; exactly one of `write`
  // and `refuse` runs, unless `answer_without_writing` answered it first.
  struct Call {
    // Must not block. Answers the call and returns true when, on the site's
    // state now, it needs no write (it would change nothing).
    std::function<bool()> answer_without_writing;
    // Writes (may block) and answers the call.
    std::function<void()> write;
    std::function<void(Refusal)> refuse;
  };

  // `queue` runs the writes. It must exist for every Submit, and this must
  // outlive the queue's jobs (they continue lines): destroy the queue first.
  // At most `max_parked` calls wait in all lines together; one more is
  // refused busy.
  SerialSiteWrites(WorkQueue* queue, size_t max_parked) : queue_(queue), max_parked_(max_parked) {}

  SerialSiteWrites(const SerialSiteWrites&) = delete;
  SerialSiteWrites& operator=(const SerialSiteWrites&) = delete;

  // Queues `call`'s write, or parks it behind its site's write. Always takes
  // the call: when it cannot be run, its `refuse` answers it.
  void Submit(absl::string_view site, Call call) ABSL_LOCKS_EXCLUDED(mu_);

  // Sites with a write queued or under way, and calls parked behind them
  // (for tests).
  size_t BusySites() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t Parked() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Puts `call`'s write on the queue; when the queue refuses it, answers it
  // (busy, or shutting down once the queue is closed) and returns false (the
  // site's line is then still open).
  bool Enqueue(const std::string& site, Call call);
  // After a site's write ended (or was refused): answers the waiting calls
  // that need no write, queues the first that does, or closes the line.
  void Continue(const std::string& site) ABSL_LOCKS_EXCLUDED(mu_);
  // At shutdown, for a site whose queued write was refused: refuses every
  // call waiting behind it and closes the line.
  void RefuseLine(const std::string& site) ABSL_LOCKS_EXCLUDED(mu_);
  // Takes a line's parked calls out (it stays open, empty).
  std::deque<Call> TakeParked(std::deque<Call>& line) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A line has one owner at a time, and only its owner continues, refuses
  // or closes it: the Submit that opened it until its first write is
  // queued, then that write's job (or, at shutdown, the job's refusal), and
  // so on for each write the line queues. So the owner always finds its
  // line in `lines_`.

  WorkQueue* const queue_;
  const size_t max_parked_;
  mutable absl::Mutex mu_;
  // A site is a key while it has a write queued or under way; its value is
  // the calls waiting behind that write, oldest first.
  absl::flat_hash_map<std::string, std::deque<Call>> lines_ ABSL_GUARDED_BY(mu_);
  // The calls in all lines' deques.
  size_t parked_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_SERIAL_SITE_WRITES_H_
