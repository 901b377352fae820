#include "bench/baseline/noop_service.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace backinstock::bench {
namespace {

class HeaderReadingInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      // Kept, so that the read cannot be optimised away.
      found_ = methods->GetRecvInitialMetadata()->count("authorization") > 0;
    }
    methods->Proceed();
  }

 private:
  bool found_ = false;
};

class HeaderReadingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new HeaderReadingInterceptor();
  }
};

}  // namespace

grpc::ServerUnaryReactor* NoopService::Noop(grpc::CallbackServerContext* context,
                                            const baseline::v1::NoopRequest* request,
                                            baseline::v1::NoopResponse* response) {
  if (request->answer_bytes() > 1) {
    // The answer serializes to answer_bytes: the padding's tag and length
    // prefix count too.
    constexpr uint32_t kMaxAnswerBytes = 1 << 20;
    const uint32_t answer =
        std::min(static_cast<uint32_t>(request->answer_bytes()), kMaxAnswerBytes);
    uint32_t padding = answer - 1;
    while (padding > 0 &&
           padding + google::protobuf::io::CodedOutputStream::VarintSize32(padding) > answer - 1) {
      --padding;
    }
    response->mutable_padding()->assign(padding, 'x');
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

void AddHeaderReadingInterceptor(grpc::ServerBuilder& builder) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<HeaderReadingInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(factories));
}

}  // namespace backinstock::bench
