// TLS and mutual TLS from the client's options, against the real service with
// certificates made for the test by the openssl command (a throwaway CA, a
// server certificate for 127.0.0.1, a client certificate). Tokens travel as
// call credentials, which gRPC only sends over a channel at least this secure.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backinstock/client/settings_client.h"
#include "tests/client/client_test_util.h"
#include "tests/client/subprocess.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "server.ext") << "subjectAltName=IP:127.0.0.1\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::string d = dir_.string() + "/";
    const std::vector<std::vector<std::string>> steps = {
        {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", d + "ca.key", "-out", d + "ca.pem", "-days", "1", "-subj",
         "/CN=backinstock-test-ca"},
        {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         d + "server.key", "-out", d + "server.csr", "-subj", "/CN=127.0.0.1"},
        {"x509", "-req", "-in", d + "server.csr", "-CA", d + "ca.pem", "-CAkey", d + "ca.key",
         "-CAcreateserial", "-out", d + "server.pem", "-days", "1", "-extfile", d + "server.ext"},
        {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         d + "client.key", "-out", d + "client.csr", "-subj", "/CN=test-client"},
        {"x509", "-req", "-in", d + "client.csr", "-CA", d + "ca.pem", "-CAkey", d + "ca.key",
         "-CAcreateserial", "-out", d + "client.pem", "-days", "1", "-extfile", d + "client.ext"},
    };
    for (std::vector<std::string> step : steps) {
      step.insert(step.begin(), "/usr/bin/openssl");
      Completed run = RunProgram(step);
      ASSERT_EQ(run.exit_code, 0) << run.err;
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  runtime::ServerConfig Config(bool require_client_certificate) {
    runtime::ServerConfig config = TestConfig();
    config.tls_cert_file = (dir_ / "server.pem").string();
    config.tls_key_file = (dir_ / "server.key").string();
    if (require_client_certificate) config.tls_client_ca_file = (dir_ / "ca.pem").string();
    return config;
  }

  client::ConnectionOptions Options(const std::string& address, bool with_client_certificate) {
    client::ConnectionOptions options = OptionsFor(address, IdentityToken("tls", "user"));
    options.retry.max_attempts = 1;  // a refused handshake should fail at once
    client::TlsOptions tls;
    tls.root_certs_pem = ReadFile(dir_ / "ca.pem");
    if (with_client_certificate) {
      tls.client_cert_chain_pem = ReadFile(dir_ / "client.pem");
      tls.client_key_pem = ReadFile(dir_ / "client.key");
    }
    options.tls = std::move(tls);
    return options;
  }

  const fs::path dir_ = TempPath("tls");
};

TEST_F(TlsTest, ServerVerifiedWithTheGivenRoots) {
  TestServer server(Config(/*require_client_certificate=*/false));
  client::SettingsClient client(client::MakeSettingsConnection(Options(server.address(), false)));
  auto response = client.GetSettings();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->settings().collection_states_size(), 1);
}

TEST_F(TlsTest, PlaintextClientCannotTalkToATlsServer) {
  TestServer server(Config(/*require_client_certificate=*/false));
  client::ConnectionOptions options = Options(server.address(), false);
  options.tls.reset();
  auto response = client::SettingsClient(client::MakeSettingsConnection(options)).GetSettings();
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
}

TEST_F(TlsTest, MutualTlsNeedsTheClientCertificate) {
  TestServer server(Config(/*require_client_certificate=*/true));
  auto without =
      client::SettingsClient(client::MakeSettingsConnection(Options(server.address(), false)))
          .GetSettings();
  EXPECT_EQ(without.status().code(), absl::StatusCode::kUnavailable) << without.status();

  auto with =
      client::SettingsClient(client::MakeSettingsConnection(Options(server.address(), true)))
          .GetSettings();
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(with->settings().revision(), 0);
}

}  // namespace
}  // namespace backinstock::testing
