// Key rotation without a restart: the real server re-reads its keys file on
// SIGHUP; tokens of a new kid are accepted from then on, those of a removed
// kid refused, and a broken file leaves the keys in force unchanged.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/support/es256_keys.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

int Count(const std::string& haystack, const std::string& needle) {
  int count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++count;
  return count;
}

// Waits until the server has logged `line` `times` times (the log line, not
// the interval, is the synchronisation).
bool AwaitLog(ServerProcess& server, const std::string& line, int times) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (Count(server.Stderr(), line) < times) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

std::string KeysFile(const nlohmann::json& identity_keys) {
  return nlohmann::json{{"identity_keys", identity_keys}}.dump();
}

TEST(KeyRotation, SighupReloadsTheKeysFile) {
  TempDir dir("rotation");
  const KeyPair old_key = MakeEcKeyPair();
  const KeyPair new_key = MakeEcKeyPair();
  const std::string keys_path = dir / "keys.json";
  WriteBytes(keys_path, KeysFile({{"ec-old", old_key.public_pem}}));

  ServerProcess::Options options;
  options.args = {"--keys_file=" + keys_path, "--audit_log=/dev/null"};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::BackInStockSettingsService::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  auto call = [&](const std::string& token) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::GetSettingsResponse response;
    return errors::FromGrpcStatus(stub->GetSettings(&context, v1::GetSettingsRequest(), &response));
  };
  const std::string old_token =
      SignEs256("ec-old", old_key.private_pem, IdentityClaimsJson("s", "user"));
  const std::string new_token =
      SignEs256("ec-new", new_key.private_pem, IdentityClaimsJson("s", "user"));
  EXPECT_TRUE(call(old_token).ok());
  EXPECT_EQ(errors::ReasonOf(call(new_token)), "TOKEN_INVALID");

  // Rotate: the new key in, the old one out.
  WriteBytes(keys_path, KeysFile({{"ec-new", new_key.public_pem}}));
  ASSERT_EQ(kill((*server)->pid(), SIGHUP), 0);
  ASSERT_TRUE(AwaitLog(**server, "keys reloaded", 1)) << (*server)->Stderr();
  EXPECT_TRUE(call(new_token).ok());
  EXPECT_EQ(errors::ReasonOf(call(old_token)), "TOKEN_INVALID");

  // A broken file changes nothing, and the server says so.
  WriteBytes(keys_path, "{not json");
  ASSERT_EQ(kill((*server)->pid(), SIGHUP), 0);
  ASSERT_TRUE(AwaitLog(**server, "keys not reloaded", 1)) << (*server)->Stderr();
  EXPECT_TRUE(call(new_token).ok());

  // HS256 and ES256 keys side by side after another rotation.
  WriteBytes(keys_path, KeysFile({{"ec-new", new_key.public_pem},
                                  {kIdentityKid, absl::WebSafeBase64Escape(kIdentitySecret)}}));
  ASSERT_EQ(kill((*server)->pid(), SIGHUP), 0);
  ASSERT_TRUE(AwaitLog(**server, "keys reloaded", 2)) << (*server)->Stderr();
  EXPECT_TRUE(call(new_token).ok());
  EXPECT_TRUE(call(IdentityToken("s", "user")).ok());
}

}  // namespace
}  // namespace backinstock::testing
