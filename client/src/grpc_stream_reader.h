// StreamReader over a synchronous grpc::ClientReader, owning the call's
// context so that Cancel() and the destructor can end the call.
#ifndef BACKINSTOCK_CLIENT_SRC_GRPC_STREAM_READER_H_
#define BACKINSTOCK_CLIENT_SRC_GRPC_STREAM_READER_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <memory>
#include <utility>

#include "backinstock/client/options.h"
#include "backinstock/client/stream_reader.h"
#include "backinstock/errors/grpc_status.h"
#include "client/src/call_context.h"

namespace backinstock::client::internal {

template <typename Response>
class GrpcStreamReader final : public StreamReader<Response> {
 public:
  // `start(grpc::ClientContext*) -> std::unique_ptr<grpc::ClientReader<Response>>`
  // starts the call on the stub.
  template <typename Start>
  GrpcStreamReader(const ConnectionOptions& connection, const CallOptions& call, Start&& start)
      : context_(std::make_unique<grpc::ClientContext>()) {
    PrepareContext(*context_, connection, call, CallKind::kStream);
    reader_ = std::forward<Start>(start)(context_.get());
  }

  // A stream dropped before its end is cancelled and drained, so the call's
  // resources go back to gRPC.
  ~GrpcStreamReader() override {
    if (finished_) return;
    context_->TryCancel();
    Response ignored;
    while (reader_->Read(&ignored)) {
    }
    reader_->Finish();
  }

  void WaitUntilStarted() override {
    if (!finished_) reader_->WaitForInitialMetadata();
  }

  bool Read(Response* response) override { return !finished_ && reader_->Read(response); }

  absl::Status Finish() override {
    if (!finished_) {
      status_ = errors::FromGrpcStatus(reader_->Finish());
      finished_ = true;
    }
    return status_;
  }

  void Cancel() override { context_->TryCancel(); }

 private:
  std::unique_ptr<grpc::ClientContext> context_;  // outlives reader_
  std::unique_ptr<grpc::ClientReader<Response>> reader_;
  bool finished_ = false;
  absl::Status status_;
};

}  // namespace backinstock::client::internal

#endif  // BACKINSTOCK_CLIENT_SRC_GRPC_STREAM_READER_H_
