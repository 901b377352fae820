// SettingsClient against the real service in process: every RPC, every error
// code the service returns with its reason, tokens per connection and per call.
#include "backinstock/client/settings_client.h"

#include <gtest/gtest.h>

#include "backinstock/client/error.h"
#include "server/auth/permissions.h"
#include "tests/client/client_test_util.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

using client::CallOptions;
using client::SettingsClient;

constexpr char kStores[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";
constexpr char kUnsupportedApp[] = "11111111-2222-3333-4444-555555555555";

class SettingsClientTest : public ::testing::Test {
 protected:
  SettingsClient Client(const std::string& identity_token) {
    return SettingsClient(
        client::MakeSettingsConnection(OptionsFor(server_.address(), identity_token)));
  }
  SettingsClient Client(const std::string& site, const std::string& role) {
    return Client(IdentityToken(site, role));
  }

  TestServer server_;
};

TEST_F(SettingsClientTest, GetReturnsTheDefaultSettings) {
  auto response = Client("get", "visitor").GetSettings();
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->settings().collection_states_size(), 1);
  EXPECT_EQ(response->settings().collection_states(0).app_id(), kStores);
  EXPECT_FALSE(response->settings().collection_states(0).collecting_requests());
  EXPECT_EQ(response->settings().revision(), 0);
}

TEST_F(SettingsClientTest, StartAndStopChangeTheState) {
  SettingsClient client = Client("start-stop", "user");
  auto started = client.StartCollectingRequests(kStores);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_TRUE(started->settings().collection_states(0).collecting_requests());
  EXPECT_EQ(started->settings().revision(), 1);

  auto stopped = client.StopCollectingRequests(kStores);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_FALSE(stopped->settings().collection_states(0).collecting_requests());
  EXPECT_EQ(stopped->settings().revision(), 2);

  auto read = client.GetSettings();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->settings().SerializeAsString(), stopped->settings().SerializeAsString());
}

TEST_F(SettingsClientTest, ElevationFromTheConnectionOrTheCall) {
  const std::vector<std::string> modify = {std::string(auth::kSettingsModify)};
  // Per call.
  SettingsClient visitor = Client("elevated", "visitor");
  CallOptions elevated;
  elevated.elevation_token = ElevationToken("elevated", modify);
  auto started = visitor.StartCollectingRequests(kStores, elevated);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_TRUE(started->settings().collection_states(0).collecting_requests());

  // Per connection.
  client::ConnectionOptions options =
      OptionsFor(server_.address(), IdentityToken("elevated", "member"));
  options.elevation_token = ElevationToken("elevated", modify);
  SettingsClient member(client::MakeSettingsConnection(options));
  auto stopped = member.StopCollectingRequests(kStores);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->settings().revision(), 2);
}

TEST_F(SettingsClientTest, IdentityTokenPerCallOverridesTheConnections) {
  SettingsClient anonymous = Client("");
  CallOptions as_user;
  as_user.identity_token = IdentityToken("per-call", "user");
  auto started = anonymous.StartCollectingRequests(kStores, as_user);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_THAT(anonymous.GetSettings(),
              FailsWith(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING"));
}

TEST_F(SettingsClientTest, EveryErrorCarriesItsCodeAndReason) {
  const std::string site = "errors";
  const std::vector<std::string> modify = {std::string(auth::kSettingsModify)};
  auto elevated = [](std::string token) {
    CallOptions options;
    options.elevation_token = std::move(token);
    return options;
  };
  struct Case {
    std::string name;
    std::string identity;
    CallOptions call;
    std::string app_id;
    absl::StatusCode code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"no token", "", {}, kStores, absl::StatusCode::kUnauthenticated, "TOKEN_MISSING"},
      {"garbage token",
       "not.a.token",
       {},
       kStores,
       absl::StatusCode::kUnauthenticated,
       "TOKEN_INVALID"},
      {"expired token",
       SignIdentity(IdentityClaimsJson(site, "user", "test-user", absl::Now() - absl::Hours(2))),
       {},
       kStores,
       absl::StatusCode::kUnauthenticated,
       "TOKEN_EXPIRED"},
      {"role lacks permission",
       IdentityToken(site, "visitor"),
       {},
       kStores,
       absl::StatusCode::kPermissionDenied,
       "ELEVATION_REQUIRED"},
      {"malformed elevation", IdentityToken(site, "visitor"), elevated("x.y.z"), kStores,
       absl::StatusCode::kPermissionDenied, "ELEVATION_INVALID"},
      {"elevation for another site", IdentityToken(site, "visitor"),
       elevated(ElevationToken("elsewhere", modify)), kStores, absl::StatusCode::kPermissionDenied,
       "ELEVATION_SITE_MISMATCH"},
      {"elevation without the permission", IdentityToken(site, "visitor"),
       elevated(ElevationToken(site, {std::string(auth::kSettingsRead)})), kStores,
       absl::StatusCode::kPermissionDenied, "ELEVATION_INSUFFICIENT"},
      {"app id not a GUID",
       IdentityToken(site, "user"),
       {},
       "not-a-guid",
       absl::StatusCode::kInvalidArgument,
       "INVALID_ARGUMENT"},
      {"unsupported app",
       IdentityToken(site, "user"),
       {},
       kUnsupportedApp,
       absl::StatusCode::kFailedPrecondition,
       "NOT_SUPPORTED_APP_DEF_ID"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto response = Client(c.identity).StartCollectingRequests(c.app_id, c.call);
    EXPECT_THAT(response, FailsWith(c.code, c.reason));
  }

  // The details that come with some of them.
  auto denied = Client(site, "visitor").StartCollectingRequests(kStores);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(client::ErrorInfo(denied.status())->metadata().at("permission"), auth::kSettingsModify);
  auto invalid = Client(site, "user").StopCollectingRequests("not-a-guid");
  ASSERT_FALSE(invalid.ok());
  auto bad_request = client::BadRequest(invalid.status());
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "app_id");
  // Every rejected call left the site untouched.
  EXPECT_EQ(Client(site, "user").GetSettings()->settings().revision(), 0);
}

TEST_F(SettingsClientTest, WatchStreamsTheCurrentSettingsThenChanges) {
  SettingsClient client = Client("watch", "user");
  auto stream = client.WatchSettings();
  v1::WatchSettingsResponse message;
  ASSERT_TRUE(stream->Read(&message));
  EXPECT_EQ(message.settings().revision(), 0);

  ASSERT_TRUE(client.StartCollectingRequests(kStores).ok());
  ASSERT_TRUE(stream->Read(&message));
  EXPECT_EQ(message.settings().revision(), 1);
  EXPECT_TRUE(message.settings().collection_states(0).collecting_requests());

  stream->Cancel();
  while (stream->Read(&message)) {
  }
  EXPECT_EQ(stream->Finish().code(), absl::StatusCode::kCancelled);
}

TEST_F(SettingsClientTest, WatchRejectedEndsWithTheReason) {
  auto stream = Client("").WatchSettings();
  v1::WatchSettingsResponse message;
  EXPECT_FALSE(stream->Read(&message));
  EXPECT_THAT(stream->Finish(), FailsWith(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING"));
}

TEST_F(SettingsClientTest, DroppingAStreamMidwayCancelsIt) {
  SettingsClient client = Client("drop", "user");
  {
    auto stream = client.WatchSettings();
    v1::WatchSettingsResponse message;
    ASSERT_TRUE(stream->Read(&message));
  }  // destroyed while the server would keep streaming
  EXPECT_TRUE(client.GetSettings().ok());
}

TEST_F(SettingsClientTest, ClientsAreValuesSharingTheirConnection) {
  auto connection = client::MakeSettingsConnection(OptionsFor(server_.address()));
  SettingsClient a(connection);
  SettingsClient b = a;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, SettingsClient(client::MakeSettingsConnection(OptionsFor(server_.address()))));
}

}  // namespace
}  // namespace backinstock::testing
