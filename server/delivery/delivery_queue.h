// Sends the emails reports queued, in the background, and records each
// outcome on its request (docs/operations.md, "Email delivery"):
//  - `concurrency` workers, each with a MailSender of its own (an SMTP
//    sender keeps its connection to the relay open across messages);
//  - an email is due at its next_attempt_time; workers take due emails
//    earliest first, so one slow or failing recipient holds up one worker
//    for one attempt, never the others;
//  - accepted: NOTIFICATION_SENT; refused for good (5xx, or an email that
//    cannot be rendered): FAILED at once; a temporary failure (4xx, relay
//    down or slow, disk full): tried again after RetryPolicy's backoff, until
//    it gives up: FAILED. Each outcome is one compare-and-swap on the record
//    (a Release when it settles the request, ending its claim), which also
//    keeps attempts, last error and next attempt time;
//  - before each attempt the record is read again: if it changed under the
//    queue (deleted, marked sent, taken over by another replica), the email
//    is not sent.
// What is queued here is also in the store (the record carries its queued
// email), so a restarted server, or another replica, resumes it.
#ifndef BACKINSTOCK_SERVER_DELIVERY_DELIVERY_QUEUE_H_
#define BACKINSTOCK_SERVER_DELIVERY_DELIVERY_QUEUE_H_

#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/delivery/retry_policy.h"
#include "server/delivery/scheduler.h"
#include "server/domain/email_template_manager.h"
#include "server/email/smtp_sender.h"
#include "server/metrics/notification_metrics.h"
#include "server/store/notification_request_store.h"

namespace backinstock::delivery {

struct DeliveryOptions {
  int concurrency = 8;  // --delivery_concurrency
  RetryPolicy retry;
  std::string mail_from;  // envelope sender, From address and Message-ID domain
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  metrics::NotificationMetrics metrics;
};

// Makes one worker's sender (called `concurrency` times at Start).
using SenderFactory = std::function<absl::StatusOr<std::unique_ptr<email::MailSender>>()>;

class DeliveryQueue final : public Scheduler {
 public:
  // Starts the workers; an error when a sender cannot be made. `store` and
  // `templates` must outlive the queue.
  static absl::StatusOr<std::unique_ptr<DeliveryQueue>> Start(
      store::NotificationRequestStore* store, const domain::EmailTemplateManager* templates,
      const SenderFactory& new_sender, DeliveryOptions options);
  // Stop()s.
  ~DeliveryQueue() override;

  void Schedule(const std::string& site, store::RecordPtr record) override ABSL_LOCKS_EXCLUDED(mu_);

  // Lets the attempts under way finish (each bounded by the sender's own
  // timeout) and joins the workers. Emails still queued stay PROCESSING in
  // the store, for the next start (or another replica) to resume.
  // Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Emails queued here, due or not, plus those being attempted.
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    absl::Time due;
    std::string site;
    std::string id;
    int64_t revision;  // the record as this queue last wrote or saw it
    bool operator>(const Entry& other) const { return due > other.due; }
  };
  // What an attempt came to.
  enum class Outcome { kSent, kFailed, kRetry };

  DeliveryQueue(store::NotificationRequestStore* store,
                const domain::EmailTemplateManager* templates, DeliveryOptions options);
  void Run(email::MailSender* sender) ABSL_LOCKS_EXCLUDED(mu_);
  // The next due entry, or nothing once stopping.
  std::optional<Entry> Take() ABSL_LOCKS_EXCLUDED(mu_);
  void Push(Entry entry) ABSL_LOCKS_EXCLUDED(mu_);
  void Attempt(email::MailSender& sender, const Entry& entry);
  // Writes the outcome (and its attempt) on the record, unless the record
  // changed meanwhile; a deferred email is queued again.
  void Record(const Entry& entry, const store::NotificationRequestRecord& current, Outcome outcome,
              const std::string& error);

  store::NotificationRequestStore* const store_;
  const domain::EmailTemplateManager* const templates_;
  const DeliveryOptions options_;

  mutable absl::Mutex mu_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> due_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t pushes_ ABSL_GUARDED_BY(mu_) = 0;  // wakes workers waiting for a later entry
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::BitGen random_ ABSL_GUARDED_BY(mu_);

  std::vector<std::unique_ptr<email::MailSender>> senders_;
  std::vector<std::thread> workers_;
};

}  // namespace backinstock::delivery

#endif  // BACKINSTOCK_SERVER_DELIVERY_DELIVERY_QUEUE_H_
