#include "server/domain/settings_manager.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "backinstock/errors/error.h"
#include "server/domain/guid.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::domain {
namespace {

constexpr char kStores[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";
constexpr char kOther[] = "1380b703-ce81-ff05-f115-39571d94dfcd";

class SettingsManagerTest : public ::testing::Test {
 protected:
  store::MemorySettingsStore store_;
  SettingsManager manager_{&store_, {kStores, kOther}};
};

TEST(Guid, Normalizes) {
  EXPECT_EQ(NormalizeGuid("215238EB-22A5-4C36-9E7B-E7C08025E04E"), std::string(kStores));
  EXPECT_EQ(NormalizeGuid(kStores), std::string(kStores));
  for (const char* bad :
       {"", "215238eb22a54c369e7be7c08025e04e", "215238eb-22a5-4c36-9e7b-e7c08025e04",
        "215238eb-22a5-4c36-9e7b-e7c08025e04ee", "215238eb_22a5-4c36-9e7b-e7c08025e04e",
        "g15238eb-22a5-4c36-9e7b-e7c08025e04e", " 215238eb-22a5-4c36-9e7b-e7c08025e04",
        "{215238eb-22a5-4c36-9e7b-e7c08025e0}"}) {
    EXPECT_FALSE(NormalizeGuid(bad).has_value()) << bad;
  }
}

TEST(ParseSupportedAppIds, Rules) {
  EXPECT_EQ(*ParseSupportedAppIds(" 215238EB-22A5-4C36-9E7B-E7C08025E04E , " + std::string(kOther)),
            (std::vector<std::string>{kStores, kOther}));
  EXPECT_FALSE(ParseSupportedAppIds("").ok());
  EXPECT_FALSE(ParseSupportedAppIds("nope").ok());
  EXPECT_FALSE(ParseSupportedAppIds(std::string(kStores) + "," + kStores).ok());
}

TEST_F(SettingsManagerTest, UntouchedSiteHasDefaultsInConfiguredOrder) {
  v1::BackInStockSettings settings = *manager_.Get("s");
  ASSERT_EQ(settings.collection_states_size(), 2);
  EXPECT_EQ(settings.collection_states(0).app_id(), kStores);
  EXPECT_EQ(settings.collection_states(1).app_id(), kOther);
  EXPECT_FALSE(settings.collection_states(0).collecting_requests());
  EXPECT_FALSE(settings.collection_states(1).collecting_requests());
  EXPECT_EQ(settings.revision(), 0);
}

TEST_F(SettingsManagerTest, StartAndStopAreIdempotentAndCountRealChanges) {
  EXPECT_EQ(manager_.SetCollecting("s", kStores, false)->revision(), 0);  // already off
  v1::BackInStockSettings after = *manager_.SetCollecting("s", kStores, true);
  EXPECT_TRUE(after.collection_states(0).collecting_requests());
  EXPECT_FALSE(after.collection_states(1).collecting_requests());
  EXPECT_EQ(after.revision(), 1);
  EXPECT_EQ(manager_.SetCollecting("s", kStores, true)->revision(), 1);
  EXPECT_EQ(manager_.SetCollecting("s", kOther, true)->revision(), 2);
  EXPECT_EQ(manager_.SetCollecting("s", kStores, false)->revision(), 3);
  v1::BackInStockSettings now = *manager_.Get("s");
  EXPECT_FALSE(now.collection_states(0).collecting_requests());
  EXPECT_TRUE(now.collection_states(1).collecting_requests());
  EXPECT_EQ(manager_.Get("another")->revision(), 0);
}

TEST_F(SettingsManagerTest, AppIdIsCaseInsensitiveAndStoredLowerCase) {
  v1::BackInStockSettings after =
      *manager_.SetCollecting("s", "215238EB-22A5-4C36-9E7B-E7C08025E04E", true);
  EXPECT_EQ(after.collection_states(0).app_id(), kStores);
  EXPECT_TRUE(after.collection_states(0).collecting_requests());
}

TEST_F(SettingsManagerTest, InvalidAppIdNamesTheField) {
  for (const char* bad : {"", "not-a-guid", "215238eb-22a5-4c36-9e7b"}) {
    absl::Status status = manager_.SetCollecting("s", bad, true).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    auto bad_request = errors::BadRequestOf(status);
    ASSERT_TRUE(bad_request.has_value()) << bad;
    ASSERT_EQ(bad_request->field_violations_size(), 1);
    EXPECT_EQ(bad_request->field_violations(0).field(), "app_id");
  }
  EXPECT_EQ(manager_.Get("s")->revision(), 0);
}

TEST_F(SettingsManagerTest, UnsupportedAppIsFailedPrecondition) {
  for (bool collecting : {true, false}) {
    absl::Status status =
        manager_.SetCollecting("s", "00000000-0000-0000-0000-000000000000", collecting).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(errors::ReasonOf(status), "NOT_SUPPORTED_APP_DEF_ID");
  }
  EXPECT_EQ(manager_.Get("s")->revision(), 0);
}

// The service answers these on gRPC's thread; only the nullopt case (a real
// change) goes on to SetCollecting and the store.
TEST_F(SettingsManagerTest, AnswerWithoutWritingAnswersOnlyWhatNeedsNoWrite) {
  // Already off: answered, the current settings.
  std::optional<absl::StatusOr<v1::BackInStockSettings>> answer =
      manager_.AnswerWithoutWriting("s", kStores, false);
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(answer->ok());
  EXPECT_EQ((*answer)->revision(), 0);
  // A real change: not answered, and nothing written.
  EXPECT_FALSE(manager_.AnswerWithoutWriting("s", kStores, true).has_value());
  EXPECT_EQ(manager_.Get("s")->revision(), 0);
  ASSERT_TRUE(manager_.SetCollecting("s", kStores, true).ok());
  // Now on (any case of the id): answered with what SetCollecting gave.
  answer = manager_.AnswerWithoutWriting("s", "215238EB-22A5-4C36-9E7B-E7C08025E04E", true);
  ASSERT_TRUE(answer.has_value() && answer->ok());
  EXPECT_EQ((*answer)->revision(), 1);
  EXPECT_TRUE((*answer)->collection_states(0).collecting_requests());
  // Invalid and unsupported app ids: the same errors as SetCollecting.
  answer = manager_.AnswerWithoutWriting("s", "not-a-guid", true);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status().code(), absl::StatusCode::kInvalidArgument);
  answer = manager_.AnswerWithoutWriting("s", "00000000-0000-0000-0000-000000000000", false);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(errors::ReasonOf(answer->status()), "NOT_SUPPORTED_APP_DEF_ID");
  EXPECT_EQ(manager_.Get("s")->revision(), 1);
}

TEST_F(SettingsManagerTest, IsCollecting) {
  EXPECT_FALSE(*manager_.IsCollecting("s", kStores));
  ASSERT_TRUE(manager_.SetCollecting("s", kStores, true).ok());
  EXPECT_TRUE(*manager_.IsCollecting("s", "215238EB-22A5-4C36-9E7B-E7C08025E04E"));
  EXPECT_FALSE(*manager_.IsCollecting("s", kOther));
  EXPECT_FALSE(*manager_.IsCollecting("s", "00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(*manager_.IsCollecting("s", "junk"));
  EXPECT_FALSE(*manager_.IsCollecting("other-site", kStores));
}

// A replica's view of a shared store: Get answers from a snapshot that only
// CatchUp refreshes (or, with `reachable` false, cannot refresh).
class LaggingStore : public store::SettingsStore {
 public:
  std::unique_ptr<store::Subscription> Watch(
      absl::string_view site,
      std::function<void(const store::SettingsRecord&)> on_change) override {
    return latest_.Watch(site, std::move(on_change));
  }
  absl::StatusOr<store::SettingsRecord> Get(absl::string_view site) const override {
    auto it = seen_.find(std::string(site));
    return it == seen_.end() ? store::SettingsRecord{} : it->second;
  }
  absl::Status CatchUp() const override {
    ++catch_ups;
    if (!reachable) return absl::UnavailableError("no quorum");
    for (const std::string site : {"s", "other-site"}) {
      absl::StatusOr<store::SettingsRecord> latest = latest_.Get(site);
      if (latest.ok()) seen_[site] = *latest;
    }
    return absl::OkStatus();
  }
  bool reachable = true;
  mutable int catch_ups = 0;

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const store::SettingsRecord& next) override {
    return latest_.CompareAndSwap(site, expected_revision, next);
  }

  store::MemorySettingsStore latest_;
  mutable std::map<std::string, store::SettingsRecord> seen_;
};

TEST(SettingsManagerCatchUp, ARefusalIsConfirmedAgainstTheLatestState) {
  LaggingStore store;
  SettingsManager manager(&store, {kStores, kOther});
  // Started "through another replica": the store has it, this view does not.
  store::SettingsRecord started;
  started.revision = 1;
  started.states.push_back({kStores, true});
  ASSERT_TRUE(store.CompareAndSwap("s", 0, started).ok());

  store.reachable = false;
  EXPECT_EQ(manager.IsCollecting("s", kStores).status().code(), absl::StatusCode::kUnavailable)
      << "a refusal that cannot be confirmed is not given";
  store.reachable = true;
  EXPECT_TRUE(*manager.IsCollecting("s", kStores));
  const int catch_ups = store.catch_ups;
  EXPECT_TRUE(*manager.IsCollecting("s", kStores));
  EXPECT_EQ(store.catch_ups, catch_ups) << "a yes needs no confirmation";
  EXPECT_FALSE(*manager.IsCollecting("s", "junk"));
  EXPECT_EQ(store.catch_ups, catch_ups) << "nor does an app that is not supported";
  EXPECT_FALSE(*manager.IsCollecting("s", kOther));
  EXPECT_EQ(store.catch_ups, catch_ups + 1);
}

TEST_F(SettingsManagerTest, RemovedAppsDisappearFromTheView) {
  ASSERT_TRUE(manager_.SetCollecting("s", kOther, true).ok());
  SettingsManager narrower(&store_, {kStores});
  v1::BackInStockSettings settings = *narrower.Get("s");
  ASSERT_EQ(settings.collection_states_size(), 1);
  EXPECT_EQ(settings.collection_states(0).app_id(), kStores);
  EXPECT_EQ(settings.revision(), 1);
}

}  // namespace
}  // namespace backinstock::domain
