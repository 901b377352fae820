// The call registry keeps a call's decision for as long as any interceptor
// that reads it holds the call, whichever lets go first: gRPC destroys a
// call's interceptors in an order of its own, and the call log writes the
// line of a call that ended without a status from its destructor.
#include "server/auth/call_registry.h"

#include <gtest/gtest.h>

namespace backinstock::auth {
namespace {

TEST(CallRegistry, TheDecisionOutlivesTheInterceptorThatRecordedIt) {
  CallRegistry registry;
  int call = 0;
  auto decision = std::make_shared<Decision>();
  decision->identity = IdentityClaims{"sub", "the-site", Role::kVisitor, 1, 2, "kid"};
  registry.Hold(&call);  // the auth interceptor
  registry.Hold(&call);  // the call log
  registry.Put(&call, decision);
  registry.Release(&call);  // the auth interceptor is destroyed first
  std::shared_ptr<const Decision> found = registry.Find(&call);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->identity->site, "the-site");
  registry.Release(&call);  // the call log goes too: nothing is kept
  EXPECT_EQ(registry.Find(&call), nullptr);
}

TEST(CallRegistry, CallsAreKeptApart) {
  CallRegistry registry;
  int a = 0, b = 0;
  registry.Hold(&a);
  registry.Hold(&b);
  registry.Put(&a, std::make_shared<Decision>());
  EXPECT_NE(registry.Find(&a), nullptr);
  EXPECT_EQ(registry.Find(&b), nullptr);
  registry.Release(&a);
  registry.Release(&b);
  EXPECT_EQ(registry.Find(&a), nullptr);
}

}  // namespace
}  // namespace backinstock::auth
