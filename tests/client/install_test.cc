// `cmake --install` of the client, then a separate CMake project that does
// find_package(backinstock), links backinstock::client, and talks to a
// running server: what a user of the library does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/client/subprocess.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

namespace fs = std::filesystem;

class InstallTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(root_); }
  void TearDown() override { fs::remove_all(root_); }

  const fs::path root_ = TempPath("install");
  const fs::path prefix_ = root_ / "prefix";
  const fs::path build_ = root_ / "consumer-build";
};

TEST_F(InstallTest, AnotherProjectFindsLinksAndCallsTheInstalledClient) {
  Completed install = RunProgram({BACKINSTOCK_CMAKE, "--install", BACKINSTOCK_BINARY_DIR,
                                  "--prefix", prefix_.string(), "--component", "client"});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  const std::string libdir = BACKINSTOCK_INSTALL_LIBDIR;
  for (const std::string& file : std::vector<std::string>{
           "include/backinstock/client/settings_client.h",
           "include/backinstock/client/notification_requests_client.h",
           "include/backinstock/client/mocks/mock_settings_connection.h",
           "include/backinstock/v1/settings.pb.h",
           "include/backinstock/v1/notification_requests.grpc.pb.h",
           "include/google/rpc/error_details.pb.h",
           libdir + "/libbackinstock_client.a",
           libdir + "/libbackinstock_proto.a",
           // The common library the client links (common/), not server code.
           "include/backinstock/errors/error.h",
           libdir + "/libbackinstock_common.a",
           libdir + "/cmake/backinstock/backinstockConfig.cmake",
           libdir + "/cmake/backinstock/backinstockConfigVersion.cmake",
           "share/backinstock/proto/backinstock/v1/notification_requests.proto",
           "bin/backinstockctl",
       }) {
    EXPECT_TRUE(fs::exists(prefix_ / file)) << file;
  }
  // Nothing of the server's tree is installed with the client.
  for (const auto& entry : fs::recursive_directory_iterator(prefix_)) {
    EXPECT_EQ(entry.path().string().find("/server/"), std::string::npos) << entry.path();
  }

  Completed configure = RunProgram({BACKINSTOCK_CMAKE, "-S", BACKINSTOCK_CONSUMER_SOURCE, "-B",
                                    build_.string(), "-DCMAKE_PREFIX_PATH=" + prefix_.string(),
                                    "-DCMAKE_CXX_COMPILER=" BACKINSTOCK_CXX_COMPILER,
                                    "-DCMAKE_CXX_FLAGS=" BACKINSTOCK_CONSUMER_FLAGS,
                                    "-DCMAKE_EXE_LINKER_FLAGS=" BACKINSTOCK_CONSUMER_FLAGS});
  ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
  Completed build = RunProgram({BACKINSTOCK_CMAKE, "--build", build_.string()});
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;

  TestServer server;
  Completed run = RunProgram(
      {(build_ / "consumer").string(), server.address(), IdentityToken("installed", "user")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "215238eb-22a5-4c36-9e7b-e7c08025e04e false\n"
            "anonymous: TOKEN_MISSING\n");
}

}  // namespace
}  // namespace backinstock::testing
