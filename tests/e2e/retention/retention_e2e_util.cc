#include "tests/e2e/retention/retention_e2e_util.h"

#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/support/metrics_client.h"

namespace backinstock::testing {

double MetricValue(int metrics_port, const std::string& series) {
  absl::StatusOr<HttpReply> reply = HttpRequest(metrics_port, "GET", "/metrics");
  if (!reply.ok() || reply->status != 200) return -1;
  for (absl::string_view line : absl::StrSplit(reply->body, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

DeletedEvents::DeletedEvents(std::shared_ptr<grpc::Channel> channel, const Credentials& owner)
    : stub_(v1::BackInStockNotificationRequestService::NewStub(std::move(channel))) {
  Authorize(context_, owner.identity, owner.elevation);
  reader_ =
      stub_->WatchNotificationRequestEvents(&context_, v1::WatchNotificationRequestEventsRequest());
  // The server sends its headers once the subscription is in place.
  reader_->WaitForInitialMetadata();
  thread_ = std::thread([this] {
    Event event;
    while (reader_->Read(&event)) {
      if (event.type() != Event::DELETED) continue;
      absl::MutexLock lock(&mu_);
      ids_.insert(event.request_id());
    }
  });
}

DeletedEvents::~DeletedEvents() {
  context_.TryCancel();
  thread_.join();
  reader_->Finish();
}

std::set<std::string> DeletedEvents::ids() const {
  absl::MutexLock lock(&mu_);
  return ids_;
}

bool Exists(RequestCalls& calls, const Credentials& owner, const std::string& id) {
  absl::StatusOr<NotificationRequest> request = calls.Get(owner, id);
  if (request.ok()) return true;
  EXPECT_EQ(request.status().code(), absl::StatusCode::kNotFound) << request.status();
  return false;
}

}  // namespace backinstock::testing
