// A server-streaming reactor that ends at once with a given status: what a
// streaming handler returns when the gate refuses the call or shutdown has
// begun.
#ifndef BACKINSTOCK_SERVER_API_FINISHED_WRITE_REACTOR_H_
#define BACKINSTOCK_SERVER_API_FINISHED_WRITE_REACTOR_H_

#include <grpcpp/support/server_callback.h>

namespace backinstock::api {

template <typename Response>
class FinishedWriteReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit FinishedWriteReactor(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_FINISHED_WRITE_REACTOR_H_
