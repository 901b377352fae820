#include "server/http/grpc_forwarder.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

namespace backinstock::http {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

void AddMetadata(grpc::ClientContext* context, const CallMetadata& metadata) {
  for (const auto& [name, value] : metadata) context->AddMetadata(name, value);
}

struct UnaryCall {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
};

// A server-streaming call through the generic (bidirectional) API: one
// request written, then messages read one at a time, each only once the
// observer asked for the next, so a slow HTTP client slows the stream (and the
// server's watch coalesces or ends it) instead of filling memory here.
class StreamCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                         public StreamHandle,
                         public std::enable_shared_from_this<StreamCall> {
 public:
  StreamCall(GrpcForwarder* forwarder, StreamObserver* observer)
      : forwarder_(forwarder), observer_(observer) {}

  void Start(grpc::GenericStub* stub, const std::string& method_path, const CallMetadata& metadata,
             const std::string& request) {
    self_ = shared_from_this();
    AddMetadata(&context_, metadata);
    request_ = ToBuffer(request);
    stub->PrepareBidiStreamingCall(&context_, method_path, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }

  void Cancel() override { context_.TryCancel(); }

  void OnReadInitialMetadataDone(bool ok) override {
    if (ok) observer_->OnStarted();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    AddHold();
    observer_->OnMessage(FromBuffer(response_), [self = shared_from_this()] {
      self->StartRead(&self->response_);
      self->RemoveHold();
    });
  }

  void OnDone(const grpc::Status& status) override {
    observer_->OnFinished(status);
    forwarder_->End();
    self_.reset();  // may destroy this
  }

 private:
  GrpcForwarder* forwarder_;
  StreamObserver* observer_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::shared_ptr<StreamCall> self_;  // alive until OnDone
};

}  // namespace

GrpcForwarder::GrpcForwarder(std::shared_ptr<grpc::Channel> channel) : stub_(std::move(channel)) {}

void GrpcForwarder::Begin() {
  absl::MutexLock lock(&mu_);
  ++in_flight_;
}

void GrpcForwarder::End() {
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

void GrpcForwarder::WaitIdle() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* in_flight) { return *in_flight == 0; }, &in_flight_));
}

void GrpcForwarder::Unary(const std::string& method_path, const CallMetadata& metadata,
                          const std::string& request,
                          std::function<void(const grpc::Status&, std::string)> done) {
  Begin();
  auto call = std::make_shared<UnaryCall>();
  AddMetadata(&call->context, metadata);
  call->request = ToBuffer(request);
  stub_.UnaryCall(&call->context, method_path, grpc::StubOptions(), &call->request, &call->response,
                  [this, call, done = std::move(done)](grpc::Status status) {
                    done(status, status.ok() ? FromBuffer(call->response) : std::string());
                    End();
                  });
}

std::shared_ptr<StreamHandle> GrpcForwarder::ServerStream(const std::string& method_path,
                                                          const CallMetadata& metadata,
                                                          const std::string& request,
                                                          StreamObserver* observer) {
  Begin();
  auto call = std::make_shared<StreamCall>(this, observer);
  call->Start(&stub_, method_path, metadata, request);
  return call;
}

}  // namespace backinstock::http
