// A gRPC message allocator that puts a call's request and response on one
// protobuf arena, freed in one go when the call ends. For methods whose
// responses hold many messages (a page of notification requests): copying
// them in is then a bump of the arena rather than an allocation per string,
// and the response's destruction is free.
#ifndef BACKINSTOCK_SERVER_API_ARENA_MESSAGE_ALLOCATOR_H_
#define BACKINSTOCK_SERVER_API_ARENA_MESSAGE_ALLOCATOR_H_

#include <grpcpp/support/message_allocator.h>

#include "google/protobuf/arena.h"

namespace backinstock::api {

template <typename Request, typename Response>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder(); }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    google::protobuf::Arena arena_;
  };
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_ARENA_MESSAGE_ALLOCATOR_H_
