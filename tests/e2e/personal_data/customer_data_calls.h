// The personal data calls for end-to-end tests (one line per call, status
// decoded with its ErrorInfo and BadRequest), and a watch of a site's request
// events.
#ifndef BACKINSTOCK_TESTS_E2E_PERSONAL_DATA_CUSTOMER_DATA_CALLS_H_
#define BACKINSTOCK_TESTS_E2E_PERSONAL_DATA_CUSTOMER_DATA_CALLS_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/request_calls.h"

namespace backinstock::testing {

class CustomerDataCalls {
 public:
  explicit CustomerDataCalls(std::shared_ptr<grpc::Channel> channel) : calls_(std::move(channel)) {}

  absl::StatusOr<v1::EraseCustomerDataResponse> Erase(const Credentials& who,
                                                      const std::string& email) {
    v1::EraseCustomerDataRequest request;
    request.set_email(email);
    return calls_.Call(&RequestCalls::Stub::EraseCustomerData, who, request);
  }

  absl::StatusOr<v1::ExportCustomerDataResponse> Export(const Credentials& who,
                                                        const std::string& email) {
    v1::ExportCustomerDataRequest request;
    request.set_email(email);
    return calls_.Call(&RequestCalls::Stub::ExportCustomerData, who, request);
  }

 private:
  RequestCalls calls_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_PERSONAL_DATA_CUSTOMER_DATA_CALLS_H_
