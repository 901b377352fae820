// Long-lived streams and expiring credentials (docs/decisions.md), over the real server
// binary and a real channel: a watch ends when the identity token or the
// elevation it needed expires, or when a key reload (SIGHUP) removes a key
// that verified it, and sends nothing after that. An elevated stream is on
// the audit log from the moment it opens.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "server/auth/permissions.h"
#include "tests/support/eventually.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

using Event = v1::WatchNotificationRequestEventsResponse;
constexpr char kSite[] = "stream-site";
constexpr char kOtherIdentityKid[] = "other-identity";
constexpr char kOtherIdentitySecret[] = "another-identity-secret-for-tests-0123456789";

std::string KeysJson(bool with_test_identity_key, bool with_elevation_key) {
  nlohmann::json identity = {{kOtherIdentityKid, absl::WebSafeBase64Escape(kOtherIdentitySecret)}};
  if (with_test_identity_key) identity[kIdentityKid] = absl::WebSafeBase64Escape(kIdentitySecret);
  nlohmann::json elevation = nlohmann::json::object();
  if (with_elevation_key) elevation[kElevationKid] = absl::WebSafeBase64Escape(kElevationSecret);
  return nlohmann::json{{"identity_keys", identity}, {"elevation_keys", elevation}}.dump();
}

// A server stream read on the test's thread.
template <typename Response>
struct Stream {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<Response>> reader;

  std::optional<Response> Next() {
    Response response;
    if (!reader->Read(&response)) return std::nullopt;
    return response;
  }
  // The status the stream ended with (after Next() returned nullopt).
  absl::Status Status() { return errors::FromGrpcStatus(reader->Finish()); }
};

class StreamCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(keys_path_, KeysJson(true, true));
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--audit_log=" + audit_path_};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    settings_ = std::make_unique<SettingsCalls>(channel_);
    requests_ = std::make_unique<RequestCalls>(channel_);
    settings_stub_ = v1::BackInStockSettingsService::NewStub(channel_);
    ASSERT_TRUE(settings_->Set(As(kSite, "user"), true).ok());
  }

  std::unique_ptr<Stream<v1::WatchSettingsResponse>> WatchSettings(const Credentials& who) {
    auto stream = std::make_unique<Stream<v1::WatchSettingsResponse>>();
    Authorize(stream->context, who.identity, who.elevation);
    stream->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stream->reader = settings_stub_->WatchSettings(&stream->context, v1::WatchSettingsRequest());
    return stream;
  }

  std::unique_ptr<Stream<Event>> WatchEvents(const Credentials& who) {
    auto stream = std::make_unique<Stream<Event>>();
    Authorize(stream->context, who.identity, who.elevation);
    stream->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stream->reader = requests_->stub().WatchNotificationRequestEvents(
        &stream->context, v1::WatchNotificationRequestEventsRequest());
    // The server sends its headers once the subscription is in place.
    stream->reader->WaitForInitialMetadata();
    return stream;
  }

  // Re-reads the keys file after replacing it; returns once the server says so.
  void ReloadKeys(const std::string& keys_json) {
    WriteBytes(keys_path_, keys_json);
    const size_t before = Count(server_->Stderr(), "keys reloaded");
    ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
    ASSERT_TRUE(Eventually([&] { return Count(server_->Stderr(), "keys reloaded") > before; }))
        << server_->Stderr();
  }

  static size_t Count(const std::string& haystack, const std::string& needle) {
    size_t count = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }

  // A visitor's identity token, expiring at `exp` (Unix seconds).
  static std::string VisitorTokenExpiringAt(int64_t exp, absl::string_view kid = kIdentityKid,
                                            absl::string_view secret = kIdentitySecret) {
    nlohmann::json claims = IdentityClaimsJson(kSite, "visitor", "watcher");
    claims["exp"] = exp;
    return Sign(kid, secret, claims);
  }

  // Waits until the clock has passed `exp` (Unix seconds): a deadline-bounded
  // wait on the condition itself, not a sleep standing in for it.
  static void AwaitPast(int64_t exp) {
    ASSERT_TRUE(Eventually([&] { return absl::ToUnixSeconds(absl::Now()) > exp; },
                           absl::Seconds(30), absl::Milliseconds(50)));
  }

  TempDir dir_{"stream-credentials"};
  const std::string keys_path_ = dir_ / "keys.json";
  const std::string audit_path_ = dir_ / "audit.log";
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<SettingsCalls> settings_;
  std::unique_ptr<RequestCalls> requests_;
  std::unique_ptr<v1::BackInStockSettingsService::Stub> settings_stub_;
};

TEST_F(StreamCredentialsTest, ElevatedWatchEndsWhenItsElevationExpires) {
  // A visitor needs elevation to watch request events; this one lasts 3 s.
  nlohmann::json claims =
      ElevationClaimsJson(kSite, {std::string(auth::kRequestsRead)}, "elevating-backend");
  const int64_t exp = claims["iat"].get<int64_t>() + 3;
  claims["exp"] = exp;
  const Credentials elevated{IdentityToken(kSite, "visitor"), SignElevation(claims)};
  auto watch = WatchEvents(elevated);

  // On the audit log while it is still open.
  ASSERT_TRUE(Eventually([&] {
    const std::string audit = ReadBytes(audit_path_);
    return absl::StrContains(audit, R"("event":"start")") &&
           absl::StrContains(audit, "WatchNotificationRequestEvents") &&
           absl::StrContains(audit, R"("elevated_by":"elevating-backend")");
  })) << ReadBytes(audit_path_);

  AwaitPast(exp);
  ASSERT_TRUE(requests_->Create(As(kSite, "visitor"), "shirt", "someone-else@example.com").ok());

  std::optional<Event> event = watch->Next();
  EXPECT_FALSE(event.has_value()) << "delivered after the elevation expired: "
                                  << event->ShortDebugString();
  absl::Status status = watch->Status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_INVALID");
}

TEST_F(StreamCredentialsTest, WatchEndsWhenTheIdentityTokenExpires) {
  const int64_t exp = absl::ToUnixSeconds(absl::Now()) + 3;
  auto watch = WatchSettings({VisitorTokenExpiringAt(exp), std::nullopt});
  ASSERT_TRUE(watch->Next().has_value());  // the current settings

  AwaitPast(exp);
  ASSERT_TRUE(settings_->Set(As(kSite, "user"), false).ok());

  std::optional<v1::WatchSettingsResponse> change = watch->Next();
  EXPECT_FALSE(change.has_value()) << "delivered after the identity token expired";
  absl::Status status = watch->Status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(errors::ReasonOf(status), "TOKEN_EXPIRED");
}

TEST_F(StreamCredentialsTest, KeyReloadEndsTheStreamsVerifiedWithARemovedKey) {
  const int64_t in_an_hour = absl::ToUnixSeconds(absl::Now()) + 3600;
  auto doomed = WatchSettings({VisitorTokenExpiringAt(in_an_hour), std::nullopt});
  auto kept = WatchSettings(
      {VisitorTokenExpiringAt(in_an_hour, kOtherIdentityKid, kOtherIdentitySecret), std::nullopt});
  ASSERT_TRUE(doomed->Next().has_value());
  ASSERT_TRUE(kept->Next().has_value());

  ReloadKeys(KeysJson(/*with_test_identity_key=*/false, /*with_elevation_key=*/true));
  const Credentials owner{
      Sign(kOtherIdentityKid, kOtherIdentitySecret, IdentityClaimsJson(kSite, "user")),
      std::nullopt};
  ASSERT_TRUE(settings_->Set(owner, false).ok());

  EXPECT_FALSE(doomed->Next().has_value()) << "delivered after its key was removed";
  absl::Status status = doomed->Status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(errors::ReasonOf(status), "TOKEN_INVALID");
  // A stream whose key stayed goes on.
  std::optional<v1::WatchSettingsResponse> change = kept->Next();
  ASSERT_TRUE(change.has_value()) << kept->Status();
  EXPECT_FALSE(change->settings().collection_states(0).collecting_requests());
}

TEST_F(StreamCredentialsTest, KeyReloadEndsAStreamWhoseElevationKeyWasRemoved) {
  auto watch = WatchEvents(
      {IdentityToken(kSite, "visitor"), ElevationToken(kSite, {std::string(auth::kRequestsRead)})});
  ReloadKeys(KeysJson(/*with_test_identity_key=*/true, /*with_elevation_key=*/false));
  ASSERT_TRUE(requests_->Create(As(kSite, "visitor"), "shirt", "someone-else@example.com").ok());

  EXPECT_FALSE(watch->Next().has_value()) << "delivered after its elevation key was removed";
  absl::Status status = watch->Status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_INVALID");
}

TEST_F(StreamCredentialsTest, ElevationThatWasNotNeededDoesNotEndTheStream) {
  // A user may watch events by role; the short elevation it also sent is
  // verified but not needed, so its expiry does not end the stream.
  nlohmann::json claims = ElevationClaimsJson(kSite, {std::string(auth::kRequestsRead)});
  const int64_t exp = claims["iat"].get<int64_t>() + 2;
  claims["exp"] = exp;
  auto watch = WatchEvents({IdentityToken(kSite, "user"), SignElevation(claims)});
  AwaitPast(exp);
  ASSERT_TRUE(requests_->Create(As(kSite, "visitor"), "shirt", "someone-else@example.com").ok());
  std::optional<Event> event = watch->Next();
  ASSERT_TRUE(event.has_value()) << watch->Status();
  EXPECT_EQ(event->type(), Event::CREATED);
}

}  // namespace
}  // namespace backinstock::testing
