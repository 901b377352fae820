// The cache's state without etcd: key-values built by hand, as a watch or a
// full read would deliver them, and exactly what each one changes.
#include "server/store/etcd/cache_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/store/catalog_key.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/email_template_codec.h"
#include "server/store/etcd/keys.h"
#include "tests/server/store/etcd/request_records.h"

namespace backinstock::store::etcd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using Request = v1::BackInStockNotificationRequest;
using Type = RequestEvent::Type;

constexpr char kSite[] = "shop-state";
constexpr char kOther[] = "shop-other";

mvccpb::KeyValue Put(std::string key, std::string value, int64_t mod_revision) {
  mvccpb::KeyValue kv;
  kv.set_key(std::move(key));
  kv.set_value(std::move(value));
  kv.set_mod_revision(mod_revision);
  return kv;
}

// etcd's delete events carry the key and the revision of the delete.
mvccpb::KeyValue Gone(std::string key, int64_t mod_revision) {
  mvccpb::KeyValue kv;
  kv.set_key(std::move(key));
  kv.set_mod_revision(mod_revision);
  return kv;
}

NotificationRequestRecord Record(const std::string& id, Request::Status status,
                                 int64_t revision = 1) {
  NotificationRequestRecord record = backinstock::testing::NewRecord(id, id + "@example.com");
  record.revision = revision;
  record.request.set_status(status);
  return record;
}

mvccpb::KeyValue PutRequest(const std::string& site, const NotificationRequestRecord& record,
                            int64_t mod_revision, const std::string& writer = "") {
  return Put(RequestKey(site, record.request.id()), EncodeRequest(record, writer), mod_revision);
}

std::string ItemKey() {
  return CatalogKey(Record("x", Request::RECEIVED).request.catalog_reference());
}

// A request change as "<site> <type> <id> r<record revision> <status>".
std::string Describe(const CacheState::RequestChange& change) {
  static const char* kNames[] = {"created", "updated", "deleted"};
  return absl::StrCat(change.site, " ", kNames[static_cast<int>(change.type)], " ",
                      change.record->request.id(), " r", change.record->revision, " ",
                      Request::Status_Name(change.record->request.status()));
}

std::vector<std::string> Describe(const std::vector<CacheState::RequestChange>& changes) {
  std::vector<std::string> out;
  for (const CacheState::RequestChange& change : changes) out.push_back(Describe(change));
  return out;
}

std::vector<std::string> Describe(const std::vector<CacheState::WriterSeen>& writers) {
  std::vector<std::string> out;
  for (const CacheState::WriterSeen& seen : writers) {
    out.push_back(absl::StrCat(seen.writer, "@", seen.revision));
  }
  return out;
}

std::vector<std::string> OrphanIds(const CacheState& state) {
  std::vector<std::string> ids;
  for (const CacheState::Orphan& orphan : state.Orphans()) {
    ids.push_back(absl::StrCat(orphan.site, "/", orphan.entry.record->request.id(), "@",
                               orphan.entry.mod_revision));
  }
  return ids;
}

TEST(CacheStateTest, ARequestPutThenUpdatedThenDeletedGivesItsEventsAndOpenCounts) {
  CacheState state;
  CacheState::Changes created =
      state.Apply(PutRequest(kSite, Record("r1", Request::RECEIVED, 1), 5, "replica-a.1"), false);
  EXPECT_THAT(Describe(created.requests), ElementsAre("shop-state created r1 r1 RECEIVED"));
  EXPECT_THAT(Describe(created.writers), ElementsAre("replica-a.1@5"));
  EXPECT_THAT(created.settings, IsEmpty());
  EXPECT_FALSE(created.orphans);
  EXPECT_THAT(state.CountOpen(kSite, {ItemKey(), "other-item"}), ElementsAre(1, 0));
  EXPECT_THAT(state.OpenIds(kSite, ItemKey()), ElementsAre("r1"));
  ASSERT_TRUE(state.Request(kSite, "r1").has_value());
  EXPECT_EQ(state.Request(kSite, "r1")->mod_revision, 5);
  EXPECT_EQ(state.Request(kSite, "r1")->record->request.email(), "r1@example.com");
  EXPECT_EQ(state.request_sites(), 1u);

  CacheState::Changes updated = state.Apply(
      PutRequest(kSite, Record("r1", Request::NOTIFICATION_SENT, 2), 6, "replica-a.2"), false);
  EXPECT_THAT(Describe(updated.requests),
              ElementsAre("shop-state updated r1 r2 NOTIFICATION_SENT"));
  EXPECT_THAT(Describe(updated.writers), ElementsAre("replica-a.2@6"));
  EXPECT_THAT(state.CountOpen(kSite, {ItemKey()}), ElementsAre(0));
  EXPECT_THAT(state.OpenIds(kSite, ItemKey()), IsEmpty());
  ASSERT_EQ(state.Requests(kSite)->size(), 1u);
  EXPECT_EQ((*state.Requests(kSite))[0]->revision, 2);
  EXPECT_EQ(state.Request(kSite, "r1")->mod_revision, 6);

  CacheState::Changes deleted = state.Apply(Gone(RequestKey(kSite, "r1"), 7), true);
  // The deleted record is the one that was there.
  EXPECT_THAT(Describe(deleted.requests),
              ElementsAre("shop-state deleted r1 r2 NOTIFICATION_SENT"));
  EXPECT_THAT(deleted.writers, IsEmpty());
  EXPECT_FALSE(state.Request(kSite, "r1").has_value());
  EXPECT_THAT(*state.Requests(kSite), IsEmpty());
  // The site held nothing else, so it is gone.
  EXPECT_EQ(state.request_sites(), 0u);

  // Deleting what is not there changes nothing.
  CacheState::Changes again = state.Apply(Gone(RequestKey(kSite, "r1"), 8), true);
  EXPECT_THAT(again.requests, IsEmpty());
}

TEST(CacheStateTest, DeletingAnOpenRequestTakesItOutOfTheOpenCount) {
  CacheState state;
  state.Apply(PutRequest(kSite, Record("r1", Request::RECEIVED), 3), false);
  state.Apply(PutRequest(kSite, Record("r2", Request::PROCESSING), 4), false);
  state.Apply(PutRequest(kOther, Record("r3", Request::RECEIVED), 5), false);
  EXPECT_THAT(state.CountOpen(kSite, {ItemKey()}), ElementsAre(2));
  EXPECT_THAT(state.OpenIds(kSite, ItemKey()), UnorderedElementsAre("r1", "r2"));

  state.Apply(Gone(RequestKey(kSite, "r1"), 6), true);
  EXPECT_THAT(state.CountOpen(kSite, {ItemKey()}), ElementsAre(1));
  EXPECT_THAT(state.OpenIds(kSite, ItemKey()), ElementsAre("r2"));
  // Sites are apart.
  EXPECT_THAT(state.CountOpen(kOther, {ItemKey()}), ElementsAre(1));
  EXPECT_EQ(state.request_sites(), 2u);
}

TEST(CacheStateTest, ASettingsPutGivesTheSettingsChange) {
  CacheState state;
  SettingsRecord record;
  record.revision = 3;
  record.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", true});
  CacheState::Changes put =
      state.Apply(Put(SettingsKey(kSite), EncodeSettings(record, "replica-b.7"), 10), false);
  ASSERT_EQ(put.settings.size(), 1u);
  EXPECT_EQ(put.settings[0].site, kSite);
  EXPECT_EQ(put.settings[0].record, record);
  EXPECT_THAT(Describe(put.writers), ElementsAre("replica-b.7@10"));
  EXPECT_THAT(put.requests, IsEmpty());
  ASSERT_TRUE(state.Settings(kSite).has_value());
  EXPECT_EQ(state.Settings(kSite)->record, record);
  EXPECT_EQ(state.Settings(kSite)->mod_revision, 10);
  EXPECT_FALSE(state.Settings(kOther).has_value());

  // A delete is not published; the site reads as never written.
  CacheState::Changes deleted = state.Apply(Gone(SettingsKey(kSite), 11), true);
  EXPECT_THAT(deleted.settings, IsEmpty());
  EXPECT_FALSE(state.Settings(kSite).has_value());
}

TEST(CacheStateTest, UndecodableValuesAndForeignKeysChangeNothing) {
  CacheState state;
  CacheState::Changes settings = state.Apply(Put(SettingsKey(kSite), "\xff\xff", 4), false);
  CacheState::Changes request = state.Apply(Put(RequestKey(kSite, "r1"), "\xff\xff", 5), false);
  CacheState::Changes open = state.Apply(Put(OpenIndexKey(kSite, "k"), "r1", 6), false);
  CacheState::Changes foreign = state.Apply(Put("/elsewhere/key", "x", 7), false);
  for (const CacheState::Changes* changes : {&settings, &request, &open, &foreign}) {
    EXPECT_THAT(changes->settings, IsEmpty());
    EXPECT_THAT(changes->requests, IsEmpty());
    EXPECT_THAT(changes->writers, IsEmpty());
    EXPECT_FALSE(changes->orphans);
  }
  EXPECT_FALSE(state.Settings(kSite).has_value());
  EXPECT_FALSE(state.Request(kSite, "r1").has_value());
  EXPECT_EQ(state.request_sites(), 0u);
}

TEST(CacheStateTest, TheCounterAndTheEmailTemplateAreReadButNeverPublished) {
  CacheState state;
  CacheState::Changes counter =
      state.Apply(Put(CounterKey(kSite), CounterValue(3, "replica-c.1"), 12), false);
  EXPECT_THAT(counter.requests, IsEmpty());
  EXPECT_THAT(Describe(counter.writers), ElementsAre("replica-c.1@12"));
  EXPECT_EQ(state.Counter(kSite).count, 3);
  EXPECT_EQ(state.Counter(kSite).mod_revision, 12);
  EXPECT_EQ(state.request_sites(), 1u);

  // A count of zero keeps nothing: it reads as an absent key.
  state.Apply(Put(CounterKey(kSite), CounterValue(0, "replica-c.2"), 13), false);
  EXPECT_EQ(state.Counter(kSite).count, 0);
  EXPECT_EQ(state.Counter(kSite).mod_revision, 0);
  EXPECT_EQ(state.request_sites(), 0u);

  state.Apply(Put(CounterKey(kSite), CounterValue(2, "replica-c.3"), 14), false);
  state.Apply(Gone(CounterKey(kSite), 15), true);
  EXPECT_EQ(state.Counter(kSite).count, 0);
  EXPECT_EQ(state.Counter(kSite).mod_revision, 0);

  EmailTemplateRecord email_template;
  email_template.revision = 4;
  email_template.email_template.set_subject("Back in stock");
  CacheState::Changes put = state.Apply(
      Put(EmailTemplateKey(kSite), EncodeEmailTemplate(email_template, "replica-c.4"), 16), false);
  EXPECT_THAT(put.settings, IsEmpty());
  EXPECT_THAT(put.requests, IsEmpty());
  EXPECT_THAT(Describe(put.writers), ElementsAre("replica-c.4@16"));
  ASSERT_TRUE(state.EmailTemplate(kSite).has_value());
  EXPECT_EQ(state.EmailTemplate(kSite)->record.revision, 4);
  EXPECT_EQ(state.EmailTemplate(kSite)->record.email_template.subject(), "Back in stock");
  EXPECT_EQ(state.EmailTemplate(kSite)->mod_revision, 16);
  state.Apply(Gone(EmailTemplateKey(kSite), 17), true);
  EXPECT_FALSE(state.EmailTemplate(kSite).has_value());
}

TEST(CacheStateTest, AProcessingRequestWithoutItsClaimIsAnOrphan) {
  CacheState state;
  // Claimed in the same revision as the record moves to PROCESSING (the
  // claim key first): never an orphan.
  EXPECT_FALSE(state.Apply(Put(ClaimKey(kSite, "r1"), "replica-a", 20), false).orphans);
  EXPECT_FALSE(
      state.Apply(PutRequest(kSite, Record("r1", Request::PROCESSING), 20), false).orphans);
  EXPECT_TRUE(state.HasClaim(kSite, "r1"));
  EXPECT_THAT(state.Orphans(), IsEmpty());

  // The claiming replica's lease expired: its claim key went away.
  CacheState::Changes lost = state.Apply(Gone(ClaimKey(kSite, "r1"), 21), true);
  EXPECT_TRUE(lost.orphans);
  EXPECT_FALSE(state.HasClaim(kSite, "r1"));
  EXPECT_THAT(OrphanIds(state), ElementsAre("shop-state/r1@20"));

  // Claimed again (adopted): no longer an orphan.
  EXPECT_FALSE(state.Apply(Put(ClaimKey(kSite, "r1"), "replica-b", 22), false).orphans);
  EXPECT_THAT(state.Orphans(), IsEmpty());

  // A PROCESSING request that arrives without a claim is one at once.
  CacheState::Changes unclaimed =
      state.Apply(PutRequest(kSite, Record("r2", Request::PROCESSING), 23), false);
  EXPECT_TRUE(unclaimed.orphans);
  EXPECT_THAT(OrphanIds(state), ElementsAre("shop-state/r2@23"));
  // Seen again, it is not a new orphan.
  EXPECT_FALSE(
      state.Apply(PutRequest(kSite, Record("r2", Request::PROCESSING, 2), 24), false).orphans);
  EXPECT_THAT(OrphanIds(state), ElementsAre("shop-state/r2@24"));

  // Settled, it is no orphan, claim or not.
  EXPECT_FALSE(
      state.Apply(PutRequest(kSite, Record("r2", Request::NOTIFICATION_SENT, 3), 25), false)
          .orphans);
  EXPECT_THAT(state.Orphans(), IsEmpty());

  // A RECEIVED request losing a claim is no orphan either.
  state.Apply(PutRequest(kSite, Record("r3", Request::RECEIVED), 26), false);
  state.Apply(Put(ClaimKey(kSite, "r3"), "replica-a", 27), false);
  EXPECT_FALSE(state.Apply(Gone(ClaimKey(kSite, "r3"), 28), true).orphans);
  EXPECT_THAT(state.Orphans(), IsEmpty());

  // A deleted orphan is gone from the orphans.
  state.Apply(PutRequest(kSite, Record("r4", Request::PROCESSING), 29), false);
  EXPECT_THAT(OrphanIds(state), ElementsAre("shop-state/r4@29"));
  state.Apply(Gone(RequestKey(kSite, "r4"), 30), true);
  EXPECT_THAT(state.Orphans(), IsEmpty());
}

TEST(CacheStateTest, AClaimAloneKeepsItsSiteUntilItGoes) {
  CacheState state;
  state.Apply(Put(ClaimKey(kSite, "r9"), "replica-a", 3), false);
  EXPECT_TRUE(state.HasClaim(kSite, "r9"));
  EXPECT_EQ(state.request_sites(), 1u);
  EXPECT_THAT(state.Orphans(), IsEmpty());
  state.Apply(Gone(ClaimKey(kSite, "r9"), 4), true);
  EXPECT_FALSE(state.HasClaim(kSite, "r9"));
  EXPECT_EQ(state.request_sites(), 0u);
}

TEST(CacheStateTest, ReplaceReportsTheDifferenceAndTakesTheNewState) {
  SettingsRecord kept;
  kept.revision = 1;
  SettingsRecord moved = kept;
  moved.revision = 2;
  moved.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", false});

  CacheState state;
  state.Apply(Put(SettingsKey(kSite), EncodeSettings(kept, "w"), 3), false);
  state.Apply(Put(SettingsKey(kOther), EncodeSettings(kept, "w"), 4), false);
  state.Apply(PutRequest(kSite, Record("same", Request::RECEIVED), 5), false);
  state.Apply(PutRequest(kSite, Record("changed", Request::RECEIVED), 6), false);
  state.Apply(PutRequest(kSite, Record("removed", Request::RECEIVED), 7), false);
  state.Apply(PutRequest(kOther, Record("site-gone", Request::RECEIVED), 8), false);

  CacheState next;
  next.Apply(Put(SettingsKey(kSite), EncodeSettings(kept, "w"), 3), false);
  next.Apply(Put(SettingsKey(kOther), EncodeSettings(moved, "w"), 20), false);
  next.Apply(PutRequest(kSite, Record("same", Request::RECEIVED), 5), false);
  next.Apply(PutRequest(kSite, Record("changed", Request::PROCESSING, 2), 21), false);
  next.Apply(PutRequest(kSite, Record("added", Request::RECEIVED), 22), false);
  next.Apply(Put(CounterKey(kSite), CounterValue(3, "w"), 23), false);

  CacheState::Changes changes = state.Replace(std::move(next));
  ASSERT_EQ(changes.settings.size(), 1u);
  EXPECT_EQ(changes.settings[0].site, kOther);
  EXPECT_EQ(changes.settings[0].record, moved);
  // Deletions come first; the order within each part is the maps'.
  ASSERT_EQ(changes.requests.size(), 4u);
  const std::vector<std::string> events = Describe(changes.requests);
  EXPECT_THAT(std::vector<std::string>(events.begin(), events.begin() + 2),
              UnorderedElementsAre("shop-state deleted removed r1 RECEIVED",
                                   "shop-other deleted site-gone r1 RECEIVED"));
  EXPECT_THAT(std::vector<std::string>(events.begin() + 2, events.end()),
              UnorderedElementsAre("shop-state created added r1 RECEIVED",
                                   "shop-state updated changed r2 PROCESSING"));
  EXPECT_THAT(changes.writers, IsEmpty());
  // The new state holds an unclaimed PROCESSING request.
  EXPECT_TRUE(changes.orphans);

  EXPECT_THAT(OrphanIds(state), ElementsAre("shop-state/changed@21"));
  EXPECT_FALSE(state.Request(kSite, "removed").has_value());
  EXPECT_FALSE(state.Request(kOther, "site-gone").has_value());
  EXPECT_EQ(state.Request(kSite, "changed")->mod_revision, 21);
  EXPECT_EQ(state.Settings(kOther)->mod_revision, 20);
  EXPECT_EQ(state.Counter(kSite).count, 3);
  EXPECT_THAT(state.CountOpen(kSite, {ItemKey()}), ElementsAre(3));
  EXPECT_EQ(state.request_sites(), 1u);

  // The same state again is no change.
  CacheState same;
  same.Apply(Put(SettingsKey(kSite), EncodeSettings(kept, "w"), 3), false);
  same.Apply(Put(SettingsKey(kOther), EncodeSettings(moved, "w"), 20), false);
  same.Apply(PutRequest(kSite, Record("same", Request::RECEIVED), 5), false);
  same.Apply(PutRequest(kSite, Record("changed", Request::PROCESSING, 2), 21), false);
  same.Apply(PutRequest(kSite, Record("added", Request::RECEIVED), 22), false);
  same.Apply(Put(ClaimKey(kSite, "changed"), "replica-a", 24), false);
  CacheState::Changes none = state.Replace(std::move(same));
  EXPECT_THAT(none.settings, IsEmpty());
  EXPECT_THAT(none.requests, IsEmpty());
  EXPECT_FALSE(none.orphans);  // claimed now
}

TEST(CacheStateTest, ExpiredRequestsComeFromTheRetentionIndex) {
  CacheState state;
  const absl::Time now = absl::Now();
  NotificationRequestRecord settled = Record("old", Request::NOTIFICATION_SENT);
  settled.settled_time = now - absl::Hours(240);
  state.Apply(PutRequest(kSite, settled, 3), false);
  NotificationRequestRecord recent = Record("recent", Request::NOTIFICATION_SENT);
  recent.settled_time = now - absl::Hours(1);
  state.Apply(PutRequest(kSite, recent, 4), false);

  std::vector<ExpiredRequest> expired =
      state.ExpiredRequests(absl::InfinitePast(), now - absl::Hours(24), 10);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].site, kSite);
  EXPECT_EQ(expired[0].id, "old");
  // Settle times are kept to the microsecond, as is the cutoff.
  EXPECT_EQ(expired[0].overdue, absl::Hours(216));

  state.Apply(Gone(RequestKey(kSite, "old"), 5), true);
  EXPECT_THAT(state.ExpiredRequests(absl::InfinitePast(), now - absl::Hours(24), 10), IsEmpty());
}

}  // namespace
}  // namespace backinstock::store::etcd
