// Calls any method path with an empty request message (which every request
// type decodes from) through a generic stub: for tests that walk methods by
// name, including methods no generated stub knows.
#ifndef BACKINSTOCK_TESTS_SUPPORT_RAW_CALL_H_
#define BACKINSTOCK_TESTS_SUPPORT_RAW_CALL_H_

#include <grpcpp/generic/generic_stub.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace backinstock::testing {

// The call's final status, with its ErrorInfo and BadRequest payloads read
// back (errors::FromGrpcStatus). `metadata` is sent as given.
absl::Status CallRaw(grpc::GenericStub& stub, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_RAW_CALL_H_
