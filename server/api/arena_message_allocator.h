// A gRPC message allocator that puts a call's request and response on one
// protobuf arena, freed in one go when the call ends. For methods whose
// messages hold many messages and strings (a page of notification requests, a
// count of 100 catalog references): parsing the request and building the
// response are then bumps of the arena rather than an allocation per message,
// and destroying them is free.
//
// The arenas themselves are reused: each thread keeps a few released holders
// (arena reset, first block kept), so that a call whose messages fit the first
// block allocates nothing at all.
#ifndef BACKINSTOCK_SERVER_API_ARENA_MESSAGE_ALLOCATOR_H_
#define BACKINSTOCK_SERVER_API_ARENA_MESSAGE_ALLOCATOR_H_

#include <grpcpp/support/message_allocator.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "google/protobuf/arena.h"

namespace backinstock::api {

template <typename Request, typename Response>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    std::vector<std::unique_ptr<Holder>>& spare = Spare();
    std::unique_ptr<Holder> holder;
    if (spare.empty()) {
      holder = std::make_unique<Holder>();
    } else {
      holder = std::move(spare.back());
      spare.pop_back();
    }
    holder->CreateMessages();
    return holder.release();
  }

 private:
  // The first block of each arena, part of the holder: enough for a count of
  // a few dozen references and its response; larger calls add blocks, which
  // the reset gives back.
  static constexpr size_t kFirstBlockBytes = 8192;
  // Released holders each thread keeps for reuse. Calls may end on another
  // thread than they started on (a work queue's), so the lists may drift
  // apart; past this many a released holder is freed instead.
  static constexpr size_t kMaxSparePerThread = 64;

  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options(first_block_)) {}

    void CreateMessages() {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }

    void Release() override {
      std::unique_ptr<Holder> self(this);
      // Runs the messages' destructors and frees every block but the first.
      arena_.Reset();
      std::vector<std::unique_ptr<Holder>>& spare = Spare();
      if (spare.size() < kMaxSparePerThread) spare.push_back(std::move(self));
    }

   private:
    static google::protobuf::ArenaOptions Options(char* first_block) {
      google::protobuf::ArenaOptions options;
      options.initial_block = first_block;
      options.initial_block_size = kFirstBlockBytes;
      return options;
    }

    // Declared before the arena, which uses it from construction to
    // destruction.
    alignas(std::max_align_t) char first_block_[kFirstBlockBytes];
    google::protobuf::Arena arena_;
  };

  static std::vector<std::unique_ptr<Holder>>& Spare() {
    static thread_local std::vector<std::unique_ptr<Holder>> spare;
    return spare;
  }
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_ARENA_MESSAGE_ALLOCATOR_H_
