// EmailTemplateManager over the memory store: defaults, field masks, revision
// checks, no-op updates, validation errors renamed onto `template.<field>`, and
// the compare-and-swap retry when another writer wins a race.
#include "server/domain/email_template_manager.h"

#include <gtest/gtest.h>

#include "backinstock/errors/error.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/email/email_template.h"
#include "server/store/memory_email_template_store.h"

namespace backinstock::domain {
namespace {

using google::protobuf::util::MessageDifferencer;

EmailTemplateUpdate Update(std::initializer_list<const char*> paths, v1::EmailTemplate values,
                           int64_t expected_revision = 0) {
  EmailTemplateUpdate update;
  update.email_template = std::move(values);
  for (const char* path : paths) update.update_mask.add_paths(path);
  update.expected_revision = expected_revision;
  return update;
}

v1::EmailTemplate Subject(const std::string& subject) {
  v1::EmailTemplate t;
  t.set_subject(subject);
  return t;
}

std::string ViolationField(const absl::Status& status) {
  auto bad_request = errors::BadRequestOf(status);
  if (!bad_request || bad_request->field_violations().empty()) return "";
  return bad_request->field_violations(0).field();
}

class EmailTemplateManagerTest : public ::testing::Test {
 protected:
  store::MemoryEmailTemplateStore store_;
  EmailTemplateManager manager_{&store_};
};

TEST_F(EmailTemplateManagerTest, ASiteThatNeverChangedItGetsTheDefaultAtRevisionZero) {
  absl::StatusOr<v1::EmailTemplate> got = manager_.Get("site");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*got, email::DefaultEmailTemplate()));
  EXPECT_EQ(got->revision(), 0);
  EXPECT_EQ(store_.SiteCount(), 0u) << "reading stores nothing";
}

TEST_F(EmailTemplateManagerTest, OnlyTheMaskedFieldsChange) {
  v1::EmailTemplate values;
  values.set_subject("New {{item.name}}");
  values.set_heading("ignored: not in the mask");
  absl::StatusOr<v1::EmailTemplate> updated = manager_.Update("site", Update({"subject"}, values));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->subject(), "New {{item.name}}");
  EXPECT_EQ(updated->heading(), email::DefaultEmailTemplate().heading());
  EXPECT_EQ(updated->body(), email::DefaultEmailTemplate().body());
  EXPECT_EQ(updated->revision(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(*manager_.Get("site"), *updated));
}

TEST_F(EmailTemplateManagerTest, MaskPathsAreProtoOrJsonNames) {
  v1::EmailTemplate values;
  values.set_sender_name("Acme Store");
  values.set_button_text("Buy it");
  values.set_brand_color("#112233");
  absl::StatusOr<v1::EmailTemplate> updated =
      manager_.Update("site", Update({"sender_name", "buttonText", "brandColor"}, values));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->sender_name(), "Acme Store");
  EXPECT_EQ(updated->button_text(), "Buy it");
  EXPECT_EQ(updated->brand_color(), "#112233");
  EXPECT_EQ(updated->revision(), 1) << "one update, one revision";
}

TEST_F(EmailTemplateManagerTest, BadMasksAreInvalidArgumentOnUpdateMask) {
  for (auto paths : std::vector<std::vector<const char*>>{{},
                                                          {"revision"},
                                                          {"subject", "revision"},
                                                          {"no_such_field"},
                                                          {"template.subject"},
                                                          {"Subject"},
                                                          {"sender_Name"},
                                                          {""},
                                                          {"*"}}) {
    EmailTemplateUpdate update;
    for (const char* path : paths) update.update_mask.add_paths(path);
    update.email_template.set_subject("x");
    absl::StatusOr<v1::EmailTemplate> updated = manager_.Update("site", update);
    EXPECT_EQ(updated.status().code(), absl::StatusCode::kInvalidArgument)
        << (paths.empty() ? "(empty)" : paths.back());
    EXPECT_EQ(ViolationField(updated.status()), "update_mask");
  }
  EXPECT_EQ(manager_.Get("site")->revision(), 0) << "nothing was stored";
}

TEST_F(EmailTemplateManagerTest, AnUpdateThatChangesNothingKeepsTheRevision) {
  ASSERT_TRUE(manager_.Update("site", Update({"subject"}, Subject("Hello"))).ok());
  absl::StatusOr<v1::EmailTemplate> again =
      manager_.Update("site", Update({"subject"}, Subject("Hello")));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->revision(), 1);
  EXPECT_EQ(store_.Get("site")->revision, 1);

  // Setting the default's own text on a fresh site stores nothing either.
  absl::StatusOr<v1::EmailTemplate> unchanged = manager_.Update(
      "fresh", Update({"subject"}, Subject(email::DefaultEmailTemplate().subject())));
  ASSERT_TRUE(unchanged.ok()) << unchanged.status();
  EXPECT_EQ(unchanged->revision(), 0);
  EXPECT_EQ(store_.Get("fresh")->revision, 0);
}

TEST_F(EmailTemplateManagerTest, ExpectedRevisionMustMatchWhenGiven) {
  ASSERT_TRUE(manager_.Update("site", Update({"subject"}, Subject("one"))).ok());
  absl::StatusOr<v1::EmailTemplate> stale =
      manager_.Update("site", Update({"subject"}, Subject("x"), 7));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(errors::ReasonOf(stale.status()), "REVISION_MISMATCH");
  EXPECT_EQ(errors::ErrorInfoOf(stale.status())->metadata().at("revision"), "1");
  EXPECT_EQ(manager_.Get("site")->subject(), "one");

  absl::StatusOr<v1::EmailTemplate> current =
      manager_.Update("site", Update({"subject"}, Subject("two"), 1));
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->revision(), 2);
  absl::StatusOr<v1::EmailTemplate> unchecked =
      manager_.Update("site", Update({"subject"}, Subject("three"), 0));
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_EQ(unchecked->revision(), 3);
}

TEST_F(EmailTemplateManagerTest, ValidationErrorsNameTheTemplateField) {
  absl::StatusOr<v1::EmailTemplate> too_long =
      manager_.Update("site", Update({"subject"}, Subject(std::string(201, 'x'))));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolationField(too_long.status()), "template.subject");

  absl::StatusOr<v1::EmailTemplate> placeholder =
      manager_.Update("site", Update({"subject"}, Subject("{{item.nope}}")));
  EXPECT_EQ(placeholder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(placeholder.status()), "INVALID_TEMPLATE");
  EXPECT_EQ(ViolationField(placeholder.status()), "template.subject");
  EXPECT_EQ(errors::ErrorInfoOf(placeholder.status())->metadata().at("field"), "template.subject");
  EXPECT_EQ(manager_.Get("site")->revision(), 0);
}

// A store whose first compare-and-swap finds that another writer got there
// first (it makes that write itself, then refuses).
class RacingStore final : public store::EmailTemplateStore {
 public:
  absl::StatusOr<store::EmailTemplateRecord> Get(absl::string_view site) const override {
    return inner_.Get(site);
  }

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const store::EmailTemplateRecord& next) override {
    if (!raced_) {
      raced_ = true;
      store::EmailTemplateRecord other;
      other.revision = expected_revision + 1;
      other.email_template = email::DefaultEmailTemplate();
      other.email_template.set_heading("the other writer's heading");
      EXPECT_TRUE(inner_.CompareAndSwap(site, expected_revision, other).ok());
    }
    return inner_.CompareAndSwap(site, expected_revision, next);
  }

  store::MemoryEmailTemplateStore inner_;
  bool raced_ = false;
};

TEST(EmailTemplateManagerRaceTest, ALostRaceIsRetriedOnTopOfTheWinner) {
  RacingStore store;
  EmailTemplateManager manager(&store);
  absl::StatusOr<v1::EmailTemplate> updated =
      manager.Update("site", Update({"subject"}, Subject("mine")));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_EQ(updated->subject(), "mine");
  EXPECT_EQ(updated->heading(), "the other writer's heading") << "the winner's change is kept";
}

TEST(EmailTemplateManagerRaceTest, ALostRaceWithAnExpectedRevisionIsAMismatch) {
  RacingStore store;
  EmailTemplateManager manager(&store);
  absl::StatusOr<v1::EmailTemplate> first =
      manager.Update("site", Update({"subject"}, Subject("a")));
  ASSERT_TRUE(first.ok()) << first.status();  // raced: now at revision 2
  absl::StatusOr<v1::EmailTemplate> stale =
      manager.Update("site", Update({"subject"}, Subject("b"), 1));
  EXPECT_EQ(errors::ReasonOf(stale.status()), "REVISION_MISMATCH");
}

}  // namespace
}  // namespace backinstock::domain
