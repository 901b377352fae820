// The idempotency table covers every method of every service, exactly once,
// and the service config retries exactly the idempotent ones, for UNAVAILABLE.
#include "client/src/idempotency.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "client/src/service_config.h"
#include "google/protobuf/descriptor.h"
#include "nlohmann/json.hpp"

namespace backinstock::testing {
namespace {

using client::internal::IdempotencyTable;
using client::internal::MethodIdempotency;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

std::set<std::string> AllMethods() {
  std::set<std::string> methods;
  // Every service of every file of the API, whatever it is called.
  for (const google::protobuf::FileDescriptor* file :
       {v1::GetSettingsRequest::descriptor()->file(),
        v1::GetBackInStockNotificationRequestRequest::descriptor()->file(),
        v1::GetEmailTemplateRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        methods.insert(absl::StrCat(service->full_name(), "/", service->method(i)->name()));
      }
    }
  }
  return methods;
}

TEST(IdempotencyTableTest, CoversEveryMethodOfEveryServiceOnce) {
  std::multiset<std::string> listed;
  for (const MethodIdempotency& m : IdempotencyTable()) {
    listed.insert(absl::StrCat(m.service, "/", m.method));
  }
  const std::set<std::string> all = AllMethods();
  EXPECT_EQ(all.size(), 18u);
  EXPECT_THAT(listed, UnorderedElementsAreArray(all));
}

TEST(IdempotencyTableTest, WritesWithoutDeduplicationAreNotIdempotent) {
  std::set<std::string> not_idempotent;
  for (const MethodIdempotency& m : IdempotencyTable()) {
    if (!m.idempotent) not_idempotent.insert(std::string(m.method));
  }
  EXPECT_EQ(not_idempotent,
            (std::set<std::string>{"CreateBackInStockNotificationRequest",
                                   "DeleteBackInStockNotificationRequest", "ReportItemsBackInStock",
                                   "UpdateEmailTemplate", "SendTestEmail"}));
}

TEST(ServiceConfigTest, RetriesExactlyTheIdempotentMethodsOnUnavailable) {
  client::RetryPolicy policy;
  policy.max_attempts = 4;
  policy.initial_backoff = absl::Milliseconds(250);
  policy.max_backoff = absl::Seconds(3);
  policy.backoff_multiplier = 1.5;
  const nlohmann::json config = nlohmann::json::parse(client::internal::RetryServiceConfig(policy));

  ASSERT_EQ(config["methodConfig"].size(), 1u);
  const nlohmann::json& method_config = config["methodConfig"][0];
  std::set<std::string> retried;
  for (const auto& name : method_config["name"]) {
    retried.insert(
        absl::StrCat(name["service"].get<std::string>(), "/", name["method"].get<std::string>()));
  }
  std::set<std::string> idempotent;
  for (const MethodIdempotency& m : IdempotencyTable()) {
    if (m.idempotent) idempotent.insert(absl::StrCat(m.service, "/", m.method));
  }
  EXPECT_EQ(retried, idempotent);

  const nlohmann::json& retry = method_config["retryPolicy"];
  EXPECT_EQ(retry["maxAttempts"], 4);
  EXPECT_EQ(retry["initialBackoff"], "0.250s");
  EXPECT_EQ(retry["maxBackoff"], "3.000s");
  EXPECT_EQ(retry["backoffMultiplier"], 1.5);
  EXPECT_THAT(retry["retryableStatusCodes"].get<std::vector<std::string>>(),
              ElementsAre("UNAVAILABLE"));
}

TEST(ServiceConfigTest, OneAttemptMeansNoRetryPolicy) {
  client::RetryPolicy policy;
  policy.max_attempts = 1;
  EXPECT_EQ(client::internal::RetryServiceConfig(policy), "{}");
}

TEST(ServiceConfigTest, AttemptsAreCappedAtGrpcsLimit) {
  client::RetryPolicy policy;
  policy.max_attempts = 50;
  const nlohmann::json config = nlohmann::json::parse(client::internal::RetryServiceConfig(policy));
  EXPECT_EQ(config["methodConfig"][0]["retryPolicy"]["maxAttempts"], 5);
}

}  // namespace
}  // namespace backinstock::testing
