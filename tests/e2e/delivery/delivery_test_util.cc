#include "tests/e2e/delivery/delivery_test_util.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/support/child_process.h"

namespace backinstock::testing {
namespace {

// The value of header `name` in the message's header block.
std::string Header(const std::string& text, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty()) break;
    if (line.size() > name.size() && line[name.size()] == ':' &&
        absl::StartsWithIgnoreCase(line, name)) {
      return std::string(absl::StripAsciiWhitespace(line.substr(name.size() + 1)));
    }
  }
  return "";
}

constexpr int kCreatingCalls = 4;

}  // namespace

std::vector<RelayedEmail> ReadRelayed(const SmtpRelay& relay) {
  std::vector<RelayedEmail> emails;
  for (const std::string& eml : relay.Messages()) {
    RelayedEmail email;
    email.message_id = Header(ReadWholeFile(eml), "Message-ID");
    // The relay writes the envelope before the message, both by rename.
    const std::string envelope_path = eml.substr(0, eml.size() - 4) + ".json";
    const nlohmann::json envelope =
        nlohmann::json::parse(ReadWholeFile(envelope_path), nullptr, /*allow_exceptions=*/false);
    if (envelope.is_object() && envelope["rcpt_tos"].is_array() &&
        envelope["rcpt_tos"].size() == 1) {
      email.recipient = envelope["rcpt_tos"][0].get<std::string>();
      email.attempt = envelope.value("attempt", 0);
    }
    emails.push_back(std::move(email));
  }
  return emails;
}

std::string RequestIdOf(const std::string& message_id) {
  if (!absl::StartsWith(message_id, "<") || !absl::EndsWith(message_id, ">")) return "";
  const size_t at = message_id.find('@');
  if (at == std::string::npos) return "";
  return message_id.substr(1, at - 1);
}

std::vector<std::string> Addresses(const std::string& prefix, int count) {
  std::vector<std::string> emails;
  for (int i = 0; i < count; ++i) {
    emails.push_back(absl::StrFormat("%s-%04d@customers.example", prefix, i));
  }
  return emails;
}

absl::StatusOr<std::vector<std::string>> CreateRequests(RequestCalls& calls,
                                                        const Credentials& visitor,
                                                        const std::string& item,
                                                        const std::vector<std::string>& emails) {
  std::vector<std::string> ids(emails.size());
  std::vector<absl::Status> errors(kCreatingCalls);
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kCreatingCalls; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = next++; i < emails.size(); i = next++) {
        absl::StatusOr<NotificationRequest> created = calls.Create(visitor, item, emails[i]);
        if (!created.ok()) {
          errors[t] = created.status();
          return;
        }
        ids[i] = created->id();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& error : errors) {
    if (!error.ok()) return error;
  }
  return ids;
}

absl::StatusOr<std::map<std::string, NotificationRequest>> AllRequests(RequestCalls& calls,
                                                                       const Credentials& owner) {
  std::map<std::string, NotificationRequest> requests;
  v1::PlatformQuery query;
  query.mutable_cursor_paging()->set_limit(100);
  for (;;) {
    absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> page =
        calls.Query(owner, query);
    if (!page.ok()) return page.status();
    for (const NotificationRequest& request : page->requests()) {
      requests[request.id()] = request;
    }
    const std::string& next = page->metadata().cursors().next();
    if (next.empty() || page->requests().empty()) return requests;
    query.mutable_cursor_paging()->set_cursor(next);
  }
}

int OpenRequests(RequestCalls& calls, const Credentials& owner, const std::string& item) {
  absl::StatusOr<std::vector<int>> counts = calls.Count(owner, {RequestCalls::Reference(item)});
  if (!counts.ok() || counts->size() != 1) return -1;
  return (*counts)[0];
}

EventLog::EventLog(RequestCalls::Stub& stub, const Credentials& owner) {
  Authorize(context_, owner.identity, owner.elevation);
  reader_ =
      stub.WatchNotificationRequestEvents(&context_, v1::WatchNotificationRequestEventsRequest());
  // The server sends its headers once the subscription is in place.
  reader_->WaitForInitialMetadata();
  thread_ = std::thread([this] {
    Event event;
    while (reader_->Read(&event)) {
      if (event.type() != Event::UPDATED) continue;
      absl::MutexLock lock(&mu_);
      updates_[event.request_id()].push_back(
          Update{event.request().status(), event.has_delivery(), event.delivery()});
    }
    absl::MutexLock lock(&mu_);
    open_ = false;
  });
}

EventLog::~EventLog() {
  context_.TryCancel();
  thread_.join();
  reader_->Finish();
}

int EventLog::ProcessingUpdates(const std::string& id) const {
  const std::vector<Update> updates = Updates(id);
  return static_cast<int>(std::count_if(updates.begin(), updates.end(), [](const Update& update) {
    return update.status == NotificationRequest::PROCESSING;
  }));
}

std::vector<EventLog::Update> EventLog::Updates(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = updates_.find(id);
  return it == updates_.end() ? std::vector<Update>() : it->second;
}

bool EventLog::open() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

}  // namespace backinstock::testing
