#include "tests/support/raw_call.h"

#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "backinstock/errors/grpc_status.h"

namespace backinstock::testing {

absl::Status CallRaw(grpc::GenericStub& stub, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& metadata) {
  grpc::ClientContext context;
  // Only bounds a test whose server hangs; nothing asserts on the time taken.
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status result;
  stub.UnaryCall(&context, path, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(s);
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  return errors::FromGrpcStatus(result);
}

}  // namespace backinstock::testing
