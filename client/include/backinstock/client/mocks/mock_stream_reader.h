// A gMock StreamReader, for connections mocks that return streams.
#ifndef BACKINSTOCK_CLIENT_MOCKS_MOCK_STREAM_READER_H_
#define BACKINSTOCK_CLIENT_MOCKS_MOCK_STREAM_READER_H_

#include <gmock/gmock.h>

#include "backinstock/client/stream_reader.h"

namespace backinstock::client::mocks {

template <typename Response>
class MockStreamReader : public StreamReader<Response> {
 public:
  MOCK_METHOD(void, WaitUntilStarted, (), (override));
  MOCK_METHOD(bool, Read, (Response * response), (override));
  MOCK_METHOD(absl::Status, Finish, (), (override));
  MOCK_METHOD(void, Cancel, (), (override));
};

}  // namespace backinstock::client::mocks

#endif  // BACKINSTOCK_CLIENT_MOCKS_MOCK_STREAM_READER_H_
