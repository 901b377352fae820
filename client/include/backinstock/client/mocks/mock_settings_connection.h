// A gMock SettingsConnection: build a SettingsClient over it to test code that
// uses the client without a server.
//
//   auto mock = std::make_shared<MockSettingsConnection>();
//   EXPECT_CALL(*mock, GetSettings).WillOnce(Return(response));
//   SettingsClient client(mock);
#ifndef BACKINSTOCK_CLIENT_MOCKS_MOCK_SETTINGS_CONNECTION_H_
#define BACKINSTOCK_CLIENT_MOCKS_MOCK_SETTINGS_CONNECTION_H_

#include <gmock/gmock.h>

#include <memory>

#include "backinstock/client/settings_connection.h"

namespace backinstock::client::mocks {

class MockSettingsConnection : public SettingsConnection {
 public:
  MOCK_METHOD(absl::StatusOr<v1::GetSettingsResponse>, GetSettings,
              (const v1::GetSettingsRequest& request, const CallOptions& options), (override));
  MOCK_METHOD(absl::StatusOr<v1::StartCollectingRequestsResponse>, StartCollectingRequests,
              (const v1::StartCollectingRequestsRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::StopCollectingRequestsResponse>, StopCollectingRequests,
              (const v1::StopCollectingRequestsRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(std::unique_ptr<StreamReader<v1::WatchSettingsResponse>>, WatchSettings,
              (const v1::WatchSettingsRequest& request, const CallOptions& options), (override));
};

}  // namespace backinstock::client::mocks

#endif  // BACKINSTOCK_CLIENT_MOCKS_MOCK_SETTINGS_CONNECTION_H_
