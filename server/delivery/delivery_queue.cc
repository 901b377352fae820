#include "server/delivery/delivery_queue.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/delivery/notification_email.h"
#include "server/logging/log.h"

namespace backinstock::delivery {
namespace {

using Request = v1::BackInStockNotificationRequest;
using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time time) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

absl::Time FromProto(const google::protobuf::Timestamp& time) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(time));
}

// An answer worth trying again later: the relay or disk may recover, the
// template store may come back.
bool IsTemporary(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsResourceExhausted(status) || absl::IsAborted(status);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DeliveryQueue>> DeliveryQueue::Start(
    store::NotificationRequestStore* store, const domain::EmailTemplateManager* templates,
    const SenderFactory& new_sender, DeliveryOptions options) {
  const int workers = std::max(1, options.concurrency);
  std::unique_ptr<DeliveryQueue> queue(new DeliveryQueue(store, templates, std::move(options)));
  for (int i = 0; i < workers; ++i) {
    absl::StatusOr<std::unique_ptr<email::MailSender>> sender = new_sender();
    if (!sender.ok()) return sender.status();
    queue->senders_.push_back(*std::move(sender));
  }
  for (const std::unique_ptr<email::MailSender>& sender : queue->senders_) {
    queue->workers_.emplace_back([raw = queue.get(), s = sender.get()] { raw->Run(s); });
  }
  return queue;
}

DeliveryQueue::DeliveryQueue(store::NotificationRequestStore* store,
                             const domain::EmailTemplateManager* templates, DeliveryOptions options)
    : store_(store), templates_(templates), options_(std::move(options)) {}

DeliveryQueue::~DeliveryQueue() { Stop(); }

void DeliveryQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

size_t DeliveryQueue::size() const {
  absl::MutexLock lock(&mu_);
  return due_.size() + in_flight_;
}

void DeliveryQueue::Schedule(const std::string& site, store::RecordPtr record) {
  Entry entry{options_.clock(), site, record->request.id(), record->revision};
  if (record->delivery != nullptr && record->delivery->state().has_next_attempt_time()) {
    entry.due = FromProto(record->delivery->state().next_attempt_time());
  }
  options_.metrics.Claimed(1);
  Push(std::move(entry));
}

void DeliveryQueue::Push(Entry entry) {
  absl::MutexLock lock(&mu_);
  due_.push(std::move(entry));
  ++pushes_;
}

std::optional<DeliveryQueue::Entry> DeliveryQueue::Take() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    if (stopping_) return std::nullopt;
    if (due_.empty()) {
      auto ready = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_ || !due_.empty(); };
      mu_.Await(absl::Condition(&ready));
      continue;
    }
    const absl::Time due = due_.top().due;
    if (due <= options_.clock()) break;
    // Wait for the earliest entry, or for an earlier one to be pushed.
    const uint64_t pushes = pushes_;
    auto changed = [this, pushes]()
                       ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_ || pushes_ != pushes; };
    mu_.AwaitWithDeadline(absl::Condition(&changed), due);
  }
  Entry entry = due_.top();
  due_.pop();
  ++in_flight_;
  return entry;
}

void DeliveryQueue::Run(email::MailSender* sender) {
  while (std::optional<Entry> entry = Take()) {
    Attempt(*sender, *entry);
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }
}

void DeliveryQueue::Attempt(email::MailSender& sender, const Entry& entry) {
  absl::StatusOr<store::RecordPtr> current = store_->Get(entry.site, entry.id);
  if (!current.ok() && !absl::IsNotFound(current.status())) {
    // The store cannot answer now: look again after the shortest backoff.
    Entry later = entry;
    later.due = options_.clock() + options_.retry.initial;
    Push(std::move(later));
    return;
  }
  if (!current.ok() || (*current)->revision != entry.revision ||
      (*current)->request.status() != Request::PROCESSING || (*current)->delivery == nullptr) {
    // Deleted, marked sent, or taken over by another replica since it was
    // queued: not this queue's to send any more.
    logging::Info("queued email not sent: its request changed",
                  {{"site", entry.site}, {"request_id", entry.id}});
    options_.metrics.Dropped();
    return;
  }
  const store::NotificationRequestRecord& record = **current;
  absl::StatusOr<std::string> message = ComposeNotificationEmail(
      *templates_, options_.mail_from, entry.site, record, options_.clock());
  absl::Status sent = message.status();
  if (message.ok()) sent = sender.Send(options_.mail_from, record.request.email(), *message);
  if (sent.ok()) {
    Record(entry, record, Outcome::kSent, "");
    return;
  }
  const int attempts = record.delivery->state().attempts() + 1;
  const bool gives_up =
      !IsTemporary(sent) ||
      options_.retry.GivesUp(attempts, FromProto(record.delivery->state().queued_time()),
                             options_.clock());
  Record(entry, record, gives_up ? Outcome::kFailed : Outcome::kRetry, std::string(sent.message()));
}

void DeliveryQueue::Record(const Entry& entry, const store::NotificationRequestRecord& current,
                           Outcome outcome, const std::string& error) {
  const absl::Time now = options_.clock();
  store::NotificationRequestRecord next = current;
  next.revision = current.revision + 1;
  auto delivery = std::make_shared<store::QueuedEmail>(*current.delivery);
  v1::EmailDelivery& state = *delivery->mutable_state();
  state.set_attempts(state.attempts() + 1);
  state.set_last_error(error);
  state.clear_next_attempt_time();
  absl::Time retry_at;
  switch (outcome) {
    case Outcome::kSent:
      store::SetStatus(next, Request::NOTIFICATION_SENT, now);
      next.request.mutable_auto_notified()->set_value(true);
      break;
    case Outcome::kFailed:
      store::SetStatus(next, Request::FAILED, now);
      next.request.mutable_auto_notified()->set_value(true);
      break;
    case Outcome::kRetry: {
      absl::Duration delay;
      {
        absl::MutexLock lock(&mu_);
        delay = options_.retry.Delay(state.attempts(), random_);
      }
      retry_at = now + delay;
      *state.mutable_next_attempt_time() = ToProto(retry_at);
      break;
    }
  }
  next.delivery = std::move(delivery);
  // Sent or failed for good, the request is settled and its claim ends; a
  // retry keeps it PROCESSING, this queue's still.
  const absl::Status written = outcome == Outcome::kRetry
                                   ? store_->CompareAndSwap(entry.site, current.revision, next)
                                   : store_->Release(entry.site, current.revision, next);
  if (absl::IsNotFound(written) || absl::IsAborted(written)) {
    // Changed while the email was on its way (deleted, marked sent, taken
    // over): that change stands.
    options_.metrics.Dropped();
    return;
  }
  if (!written.ok()) {
    // The outcome could not be recorded: the email stays queued and will be
    // attempted again (a second copy, with the same Message-ID, if this one
    // was accepted).
    logging::Warning("could not record an email's outcome; will attempt it again",
                     {{"site", entry.site},
                      {"request_id", entry.id},
                      {"error", std::string(written.message())}});
    Entry later = entry;
    later.due = now + options_.retry.initial;
    Push(std::move(later));
    return;
  }
  const std::string attempts = absl::StrCat(state.attempts());
  switch (outcome) {
    case Outcome::kSent:
      options_.metrics.Sent();
      logging::Info("email sent",
                    {{"site", entry.site}, {"request_id", entry.id}, {"attempts", attempts}});
      return;
    case Outcome::kFailed:
      options_.metrics.Failed();
      logging::Warning("email failed", {{"site", entry.site},
                                        {"request_id", entry.id},
                                        {"attempts", attempts},
                                        {"error", error}});
      return;
    case Outcome::kRetry:
      options_.metrics.Retried();
      logging::Warning(
          "email deferred",
          {{"site", entry.site},
           {"request_id", entry.id},
           {"attempts", attempts},
           {"error", error},
           {"next_attempt", absl::FormatTime(absl::RFC3339_sec, retry_at, absl::UTCTimeZone())}});
      Push(Entry{retry_at, entry.site, entry.id, next.revision});
      return;
  }
}

}  // namespace backinstock::delivery
