// Calls the server's own gRPC methods in process (grpc::Server's in-process
// channel, a generic stub, serialized messages), so that a REST call passes
// the same interceptors, gate, audit and call log as a gRPC call. The front
// has no authorization of its own: it forwards the credential headers.
#ifndef BACKINSTOCK_SERVER_HTTP_GRPC_FORWARDER_H_
#define BACKINSTOCK_SERVER_HTTP_GRPC_FORWARDER_H_

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace backinstock::http {

using CallMetadata = std::vector<std::pair<std::string, std::string>>;

// What a server stream reports, in order: OnStarted (the server accepted the
// call), OnMessage any number of times, OnFinished once.
class StreamObserver {
 public:
  virtual ~StreamObserver() = default;
  virtual void OnStarted() = 0;
  // `next` must be called (from any thread) once the message is dealt with;
  // the next message is read only then.
  virtual void OnMessage(std::string bytes, std::function<void()> next) = 0;
  virtual void OnFinished(const grpc::Status& status) = 0;
};

// Lets the owner of a stream cancel it (the HTTP client went away).
class StreamHandle {
 public:
  virtual ~StreamHandle() = default;
  virtual void Cancel() = 0;
};

class GrpcForwarder {
 public:
  explicit GrpcForwarder(std::shared_ptr<grpc::Channel> channel);

  // Runs `done` (on a gRPC thread) with the status and the serialized answer.
  void Unary(const std::string& method_path, const CallMetadata& metadata,
             const std::string& request,
             std::function<void(const grpc::Status&, std::string response)> done);

  // Starts a server-streaming call; `observer` must stay alive until its
  // OnFinished has returned.
  std::shared_ptr<StreamHandle> ServerStream(const std::string& method_path,
                                             const CallMetadata& metadata,
                                             const std::string& request, StreamObserver* observer);

  // Blocks until every call started so far has finished and reported.
  void WaitIdle();

  // For the calls: one more in flight / one fewer.
  void Begin();
  void End();

 private:
  grpc::GenericStub stub_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace backinstock::http

#endif  // BACKINSTOCK_SERVER_HTTP_GRPC_FORWARDER_H_
