#include "bench/baseline/noop_service.h"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "bench/baseline/padding.h"

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
  if (request->answer_bytes() > 0) {
    constexpr size_t kMaxAnswerBytes = 1 << 20;
    const size_t answer = std::min(static_cast<size_t>(request->answer_bytes()), kMaxAnswerBytes);
    response->mutable_padding()->assign(PaddingFor(answer, 0), 'x');
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
