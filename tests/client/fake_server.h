// A tiny gRPC server on a free loopback port hosting test-only services (a
// service that never answers, one that fails on purpose), for client
// behaviour the real service cannot be made to show on demand.
#ifndef BACKINSTOCK_TESTS_CLIENT_FAKE_SERVER_H_
#define BACKINSTOCK_TESTS_CLIENT_FAKE_SERVER_H_

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace backinstock::testing {

class FakeServer {
 public:
  // `services` must outlive the server.
  explicit FakeServer(std::initializer_list<grpc::Service*> services) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    for (grpc::Service* service : services) builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) throw std::runtime_error("fake server did not start");
  }
  // Calls still open after a moment are cancelled rather than waited for.
  ~FakeServer() { server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1)); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_CLIENT_FAKE_SERVER_H_
