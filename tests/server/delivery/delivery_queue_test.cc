// The delivery queue over the memory store with a scripted sender: outcomes
// recorded on the request, retries with their attempts and errors, giving up,
// emails whose request changed meanwhile (or was erased) not sent, one failing
// recipient not holding up the others; and the retry policy's bounds.
#include "server/delivery/delivery_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/email_template_manager.h"
#include "server/store/memory_email_template_store.h"
#include "server/store/memory_notification_request_store.h"
#include "tests/support/eventually.h"

namespace backinstock::delivery {
namespace {

using Request = v1::BackInStockNotificationRequest;
using testing::Eventually;

// Answers each recipient from its script (OK once the script runs out) and
// records every message it was given.
class ScriptedSender : public email::MailSender {
 public:
  struct Log {
    absl::Mutex mu;
    std::map<std::string, std::deque<absl::Status>> scripts ABSL_GUARDED_BY(mu);
    std::vector<std::pair<std::string, std::string>> sent ABSL_GUARDED_BY(mu);  // (to, message)
    std::map<std::string, int> attempts ABSL_GUARDED_BY(mu);
    // A recipient whose Send waits for `release` (after notifying `held`):
    // a worker busy at the relay.
    std::string hold ABSL_GUARDED_BY(mu);
    absl::Notification held;
    absl::Notification release;
  };
  explicit ScriptedSender(Log* log) : log_(log) {}
  absl::Status Send(absl::string_view, absl::string_view recipient,
                    absl::string_view message) override {
    bool hold = false;
    {
      absl::MutexLock lock(&log_->mu);
      hold = log_->hold == recipient;
    }
    if (hold) {
      log_->held.Notify();
      log_->release.WaitForNotification();
    }
    absl::MutexLock lock(&log_->mu);
    ++log_->attempts[std::string(recipient)];
    std::deque<absl::Status>& script = log_->scripts[std::string(recipient)];
    if (!script.empty()) {
      absl::Status answer = script.front();
      script.pop_front();
      if (!answer.ok()) return answer;
    }
    log_->sent.emplace_back(std::string(recipient), std::string(message));
    return absl::OkStatus();
  }

 private:
  Log* log_;
};

absl::Status Temporary() {
  return errors::Error(absl::StatusCode::kUnavailable, "SMTP_UNAVAILABLE", "451 try again later");
}
absl::Status Permanent() {
  return errors::Error(absl::StatusCode::kFailedPrecondition, "SMTP_REJECTED",
                       "550 no such mailbox");
}

class DeliveryQueueTest : public ::testing::Test {
 protected:
  void Start(int concurrency = 2, int max_attempts = 4,
             absl::Duration retry_initial = absl::Milliseconds(5)) {
    DeliveryOptions options;
    options.concurrency = concurrency;
    options.mail_from = "shop@example.com";
    options.retry.max_attempts = max_attempts;
    options.retry.initial = retry_initial;
    options.retry.max = std::max(retry_initial, absl::Milliseconds(20));
    absl::StatusOr<std::unique_ptr<DeliveryQueue>> queue = DeliveryQueue::Start(
        &store_, &templates_,
        [this]() -> absl::StatusOr<std::unique_ptr<email::MailSender>> {
          return std::make_unique<ScriptedSender>(&log_);
        },
        std::move(options));
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }

  // A request of site "s" claimed by a report: PROCESSING, email queued.
  store::RecordPtr Queued(const std::string& id, const std::string& email) {
    store::NotificationRequestRecord record;
    record.revision = 1;
    record.request.set_id(id);
    record.request.set_email(email);
    record.request.mutable_catalog_reference()->set_catalog_item_id("shirt-" + id);
    record.request.mutable_catalog_reference()->set_app_id("app");
    record.request.set_status(Request::RECEIVED);
    EXPECT_TRUE(store_.Create("s", record, 1000).ok());
    auto queued = std::make_shared<store::NotificationRequestRecord>(record);
    queued->revision = 2;
    queued->request.set_status(Request::PROCESSING);
    auto email_state = std::make_shared<store::QueuedEmail>();
    email_state->mutable_item_details()->set_name("Blue shirt");
    email_state->mutable_item_details()->set_price("19.99");
    *email_state->mutable_state()->mutable_queued_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    queued->delivery = email_state;
    EXPECT_TRUE(store_.Claim("s", 1, *queued).ok());
    return queued;
  }

  store::RecordPtr Settled(const std::string& id) {
    store::RecordPtr record;
    EXPECT_TRUE(Eventually([&] {
      record = *store_.Get("s", id);
      return record->request.status() != Request::PROCESSING;
    })) << id
        << " still PROCESSING";
    return record;
  }

  void Script(const std::string& to, std::vector<absl::Status> answers) {
    absl::MutexLock lock(&log_.mu);
    log_.scripts[to].assign(answers.begin(), answers.end());
  }
  int Attempts(const std::string& to) {
    absl::MutexLock lock(&log_.mu);
    return log_.attempts[to];
  }

  store::MemoryNotificationRequestStore store_;
  store::MemoryEmailTemplateStore template_store_;
  domain::EmailTemplateManager templates_{&template_store_};
  ScriptedSender::Log log_;
  std::unique_ptr<DeliveryQueue> queue_;
};

TEST_F(DeliveryQueueTest, AnAcceptedEmailEndsSentWithItsMessage) {
  Start();
  queue_->Schedule("s", Queued("r1", "ann@example.com"));
  store::RecordPtr sent = Settled("r1");
  EXPECT_EQ(sent->request.status(), Request::NOTIFICATION_SENT);
  EXPECT_TRUE(sent->request.auto_notified().value());
  EXPECT_EQ(sent->revision, 3);
  ASSERT_NE(sent->delivery, nullptr);
  EXPECT_EQ(sent->delivery->state().attempts(), 1);
  EXPECT_EQ(sent->delivery->state().last_error(), "");
  EXPECT_FALSE(sent->delivery->state().has_next_attempt_time());
  absl::MutexLock lock(&log_.mu);
  ASSERT_EQ(log_.sent.size(), 1u);
  EXPECT_EQ(log_.sent[0].first, "ann@example.com");
  EXPECT_NE(log_.sent[0].second.find("Message-ID: <r1@example.com>"), std::string::npos);
  EXPECT_NE(log_.sent[0].second.find("Blue shirt"), std::string::npos);
}

TEST_F(DeliveryQueueTest, TemporaryFailuresAreRetriedWithTheirAttemptsRecorded) {
  Start();
  Script("bob@example.com", {Temporary(), Temporary()});
  queue_->Schedule("s", Queued("r1", "bob@example.com"));
  store::RecordPtr sent = Settled("r1");
  EXPECT_EQ(sent->request.status(), Request::NOTIFICATION_SENT);
  EXPECT_EQ(sent->delivery->state().attempts(), 3);
  EXPECT_EQ(Attempts("bob@example.com"), 3);
  // Two deferrals and the success: three writes after the claim.
  EXPECT_EQ(sent->revision, 5);
}

TEST_F(DeliveryQueueTest, APermanentFailureIsFailedAtOnceAndTemporaryOnesAfterTheLastAttempt) {
  Start(/*concurrency=*/2, /*max_attempts=*/3);
  Script("gone@example.com", {Permanent()});
  Script("busy@example.com", {Temporary(), Temporary(), Temporary(), Temporary()});
  queue_->Schedule("s", Queued("r1", "gone@example.com"));
  queue_->Schedule("s", Queued("r2", "busy@example.com"));
  store::RecordPtr gone = Settled("r1");
  EXPECT_EQ(gone->request.status(), Request::FAILED);
  EXPECT_TRUE(gone->request.auto_notified().value());
  EXPECT_EQ(gone->delivery->state().attempts(), 1);
  EXPECT_NE(gone->delivery->state().last_error().find("550"), std::string::npos);
  store::RecordPtr busy = Settled("r2");
  EXPECT_EQ(busy->request.status(), Request::FAILED);
  EXPECT_EQ(busy->delivery->state().attempts(), 3);
  EXPECT_EQ(Attempts("busy@example.com"), 3);
  EXPECT_NE(busy->delivery->state().last_error().find("451"), std::string::npos);
}

TEST_F(DeliveryQueueTest, AnEmailWhoseRequestChangedMeanwhileIsNotSent) {
  Start();
  store::RecordPtr queued = Queued("r1", "ann@example.com");
  // Marked sent by hand (or taken over by another replica) before the queue
  // got to it: a newer revision than the one queued.
  store::NotificationRequestRecord marked = *queued;
  marked.revision = 3;
  marked.request.set_status(Request::NOTIFICATION_SENT);
  ASSERT_TRUE(store_.Release("s", 2, marked).ok());
  queue_->Schedule("s", queued);
  Queued("r2", "bob@example.com");
  queue_->Schedule("s", *store_.Get("s", "r2"));
  EXPECT_EQ(Settled("r2")->request.status(), Request::NOTIFICATION_SENT);
  EXPECT_TRUE(Eventually([&] { return queue_->size() == 0; }));
  EXPECT_EQ(Attempts("ann@example.com"), 0);
  EXPECT_EQ((*store_.Get("s", "r1"))->revision, 3);
}

TEST_F(DeliveryQueueTest, AQueuedEmailWhoseRequestWasErasedIsNeverSent) {
  Start(/*concurrency=*/1);
  {
    absl::MutexLock lock(&log_.mu);
    log_.hold = "busy@example.com";
  }
  // The only worker is at the relay with another email...
  queue_->Schedule("s", Queued("r0", "busy@example.com"));
  log_.held.WaitForNotification();
  // ...while the customer's emails wait in the queue, and the customer is
  // erased (EraseCustomerData deletes each request at its current revision).
  store::RecordPtr first = Queued("r1", "erased@example.com");
  store::RecordPtr second = Queued("r2", "erased@example.com");
  queue_->Schedule("s", first);
  queue_->Schedule("s", second);
  ASSERT_TRUE(store_.Delete("s", "r1", first->revision).ok());
  ASSERT_TRUE(store_.Delete("s", "r2", second->revision).ok());
  log_.release.Notify();

  EXPECT_EQ(Settled("r0")->request.status(), Request::NOTIFICATION_SENT);
  EXPECT_TRUE(Eventually([&] { return queue_->size() == 0; }));
  EXPECT_EQ(Attempts("erased@example.com"), 0);
  absl::MutexLock lock(&log_.mu);
  ASSERT_EQ(log_.sent.size(), 1u);
  EXPECT_EQ(log_.sent[0].first, "busy@example.com");
}

TEST_F(DeliveryQueueTest, OneFailingRecipientDoesNotHoldUpTheOthers) {
  Start(/*concurrency=*/1, /*max_attempts=*/50);
  // Fails for a while; meanwhile the others, queued after it, all go out.
  Script("slow@example.com", std::vector<absl::Status>(20, Temporary()));
  queue_->Schedule("s", Queued("r0", "slow@example.com"));
  for (int i = 1; i <= 10; ++i) {
    queue_->Schedule("s",
                     Queued("r" + std::to_string(i), "c" + std::to_string(i) + "@example.com"));
  }
  for (int i = 1; i <= 10; ++i) {
    EXPECT_EQ(Settled("r" + std::to_string(i))->request.status(), Request::NOTIFICATION_SENT);
  }
  EXPECT_EQ(Settled("r0")->request.status(), Request::NOTIFICATION_SENT);
}

TEST_F(DeliveryQueueTest, StopLeavesWhatIsQueuedProcessing) {
  // The first attempt fails; the next one is an hour away when Stop comes.
  Start(/*concurrency=*/1, /*max_attempts=*/10, /*retry_initial=*/absl::Hours(1));
  Script("later@example.com", {Temporary()});
  queue_->Schedule("s", Queued("r1", "later@example.com"));
  ASSERT_TRUE(Eventually([&] { return (*store_.Get("s", "r1"))->revision == 3; }));
  queue_->Stop();
  store::RecordPtr left = *store_.Get("s", "r1");
  EXPECT_EQ(left->request.status(), Request::PROCESSING);
  EXPECT_EQ(left->delivery->state().attempts(), 1);
  EXPECT_TRUE(left->delivery->state().has_next_attempt_time());
  EXPECT_EQ(Attempts("later@example.com"), 1);
}

TEST(RetryPolicyTest, DelaysDoubleWithinTheirBoundsAndGiveUpByAttemptsOrAge) {
  RetryPolicy policy;
  policy.initial = absl::Seconds(1);
  policy.max = absl::Seconds(10);
  absl::BitGen random;
  for (int i = 0; i < 200; ++i) {
    const absl::Duration first = policy.Delay(1, random);
    EXPECT_GE(first, absl::Milliseconds(500));
    EXPECT_LE(first, absl::Seconds(1));
    const absl::Duration third = policy.Delay(3, random);
    EXPECT_GE(third, absl::Seconds(2));
    EXPECT_LE(third, absl::Seconds(4));
    const absl::Duration late = policy.Delay(1000, random);
    EXPECT_GE(late, absl::Seconds(5));
    EXPECT_LE(late, absl::Seconds(10));
  }
  const absl::Time queued = absl::FromUnixSeconds(1000);
  policy.max_attempts = 3;
  policy.max_age = absl::Hours(1);
  EXPECT_FALSE(policy.GivesUp(2, queued, queued + absl::Minutes(59)));
  EXPECT_TRUE(policy.GivesUp(3, queued, queued + absl::Minutes(1)));
  EXPECT_TRUE(policy.GivesUp(1, queued, queued + absl::Hours(1)));
}

}  // namespace
}  // namespace backinstock::delivery
