// ArenaMessageAllocator hands out fresh, empty messages every time, including
// from a holder it reused, whatever size the last call's messages grew to and
// whichever thread released them.
#include "server/api/arena_message_allocator.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::api {
namespace {

using CountRequest = v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest;
using CountResponse = v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse;
using Allocator = ArenaMessageAllocator<CountRequest, CountResponse>;

void Fill(CountRequest* request, CountResponse* response, int references) {
  for (int i = 0; i < references; ++i) {
    v1::CatalogReference* reference = request->add_catalog_references();
    reference->set_catalog_item_id(std::string(36, 'a' + i % 26));
    reference->set_app_id("1380b703-ce81-ff05-f115-39571d94dfcd");
    auto* count = response->add_counts_per_catalog_reference();
    *count->mutable_catalog_reference() = *reference;
    count->set_count(i);
  }
}

TEST(ArenaMessageAllocator, MessagesAreEmptyAndOnAnArena) {
  Allocator allocator;
  grpc::MessageHolder<CountRequest, CountResponse>* holder = allocator.AllocateMessages();
  EXPECT_EQ(holder->request()->catalog_references_size(), 0);
  EXPECT_EQ(holder->response()->counts_per_catalog_reference_size(), 0);
  EXPECT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  holder->Release();
}

TEST(ArenaMessageAllocator, ReusedHoldersStartEmpty) {
  Allocator allocator;
  // Small, then far larger than the first block, then small again.
  for (int references : {3, 1000, 2, 0, 500}) {
    grpc::MessageHolder<CountRequest, CountResponse>* holder = allocator.AllocateMessages();
    ASSERT_EQ(holder->request()->catalog_references_size(), 0) << references;
    ASSERT_EQ(holder->response()->counts_per_catalog_reference_size(), 0) << references;
    Fill(holder->request(), holder->response(), references);
    EXPECT_EQ(holder->response()->counts_per_catalog_reference_size(), references);
    if (references > 0) {
      EXPECT_EQ(holder->response()->counts_per_catalog_reference(references - 1).count(),
                references - 1);
    }
    holder->Release();
  }
}

// A call may end on another thread than it started on (a work queue's).
TEST(ArenaMessageAllocator, ReleasedOnAnotherThread) {
  Allocator allocator;
  for (int round = 0; round < 100; ++round) {
    grpc::MessageHolder<CountRequest, CountResponse>* holder = allocator.AllocateMessages();
    ASSERT_EQ(holder->request()->catalog_references_size(), 0);
    Fill(holder->request(), holder->response(), round % 7);
    std::thread([holder] { holder->Release(); }).join();
  }
  grpc::MessageHolder<CountRequest, CountResponse>* holder = allocator.AllocateMessages();
  EXPECT_EQ(holder->request()->catalog_references_size(), 0);
  holder->Release();
}

}  // namespace
}  // namespace backinstock::api
