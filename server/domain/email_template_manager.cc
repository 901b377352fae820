#include "server/domain/email_template_manager.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/domain/write_retry.h"
#include "server/email/email_template.h"

namespace backinstock::domain {
namespace {

v1::EmailTemplate WithRevision(v1::EmailTemplate email_template, int64_t revision) {
  email_template.set_revision(revision);
  return email_template;
}

// The template a record stands for: the stored one, or the default.
v1::EmailTemplate TemplateOf(const store::EmailTemplateRecord& record) {
  if (record.revision == 0) return email::DefaultEmailTemplate();
  return WithRevision(record.email_template, record.revision);
}

// `target` with the fields numbered `fields` copied from `source`. Every
// updatable field of EmailTemplate is a string.
v1::EmailTemplate Merge(v1::EmailTemplate target, const v1::EmailTemplate& source,
                        const std::vector<int>& fields) {
  const google::protobuf::Descriptor* descriptor = v1::EmailTemplate::descriptor();
  const google::protobuf::Reflection* reflection = v1::EmailTemplate::GetReflection();
  for (int number : fields) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByNumber(number);
    reflection->SetString(&target, field, reflection->GetString(source, field));
  }
  return target;
}

bool SameContent(v1::EmailTemplate a, v1::EmailTemplate b) {
  a.clear_revision();
  b.clear_revision();
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

absl::Status InvalidMask(absl::string_view description) {
  return errors::InvalidField("update_mask", description);
}

}  // namespace

absl::StatusOr<std::vector<int>> ParseEmailTemplateMask(const google::protobuf::FieldMask& mask) {
  if (mask.paths().empty()) {
    return InvalidMask("update_mask is required: name the template fields to change");
  }
  const google::protobuf::Descriptor* descriptor = v1::EmailTemplate::descriptor();
  std::vector<int> fields;
  for (const std::string& path : mask.paths()) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(path);
    if (field == nullptr) field = descriptor->FindFieldByCamelcaseName(path);
    if (field != nullptr && field->json_name() != path && field->name() != path) field = nullptr;
    if (field == nullptr) {
      return InvalidMask(absl::StrCat(errors::Quoted(path), " is not a field of EmailTemplate"));
    }
    if (field->number() == v1::EmailTemplate::kRevisionFieldNumber) {
      return InvalidMask("revision is output only and cannot be updated");
    }
    if (std::find(fields.begin(), fields.end(), field->number()) == fields.end()) {
      fields.push_back(field->number());
    }
  }
  return fields;
}

absl::Status PrefixFieldViolations(absl::Status status, absl::string_view prefix) {
  std::optional<google::rpc::BadRequest> bad_request = errors::BadRequestOf(status);
  if (!bad_request) return status;
  std::string message(status.message());
  for (auto& violation : *bad_request->mutable_field_violations()) {
    const std::string field = violation.field();
    if (absl::StartsWith(message, absl::StrCat(field, ":"))) {
      message = absl::StrCat(prefix, ".", message);
    }
    violation.set_field(absl::StrCat(prefix, ".", field));
  }
  absl::Status renamed(status.code(), message);
  status.ForEachPayload([&renamed](absl::string_view url, const absl::Cord& payload) {
    renamed.SetPayload(url, payload);
  });
  renamed.SetPayload(errors::kBadRequestUrl, absl::Cord(bad_request->SerializeAsString()));
  if (std::optional<google::rpc::ErrorInfo> info = errors::ErrorInfoOf(status)) {
    auto& metadata = *info->mutable_metadata();
    if (auto field = metadata.find("field"); field != metadata.end()) {
      field->second = absl::StrCat(prefix, ".", field->second);
    }
    renamed.SetPayload(errors::kErrorInfoUrl, absl::Cord(info->SerializeAsString()));
  }
  return renamed;
}

absl::StatusOr<v1::EmailTemplate> EmailTemplateManager::Get(absl::string_view site) const {
  absl::StatusOr<store::EmailTemplateRecord> record = store_->Get(site);
  if (!record.ok()) return record.status();
  return TemplateOf(*record);
}

absl::StatusOr<v1::EmailTemplate> EmailTemplateManager::Update(absl::string_view site,
                                                               const EmailTemplateUpdate& update) {
  absl::StatusOr<std::vector<int>> fields = ParseEmailTemplateMask(update.update_mask);
  if (!fields.ok()) return fields.status();

  // A replica may not have seen the revision the caller read elsewhere yet:
  // catch up once before calling it a mismatch.
  bool caught_up = false;
  return RetryLostRaces<v1::EmailTemplate>(
      [&]() -> WriteAttempt<v1::EmailTemplate> {
        absl::StatusOr<store::EmailTemplateRecord> record = store_->Get(site);
        if (!record.ok()) return record.status();
        const v1::EmailTemplate current = TemplateOf(*record);
        const v1::EmailTemplate next = Merge(current, update.email_template, *fields);
        if (absl::Status valid = email::ValidateEmailTemplate(next); !valid.ok()) {
          return PrefixFieldViolations(valid, "template");
        }
        if (update.expected_revision != 0 && update.expected_revision != record->revision) {
          if (!caught_up && update.expected_revision > record->revision) {
            if (absl::Status caught = store_->CatchUp(); !caught.ok()) return caught;
            caught_up = true;
            return std::nullopt;  // read again, now that this replica caught up
          }
          return errors::Error(
              absl::StatusCode::kAborted, "REVISION_MISMATCH",
              absl::StrCat("the email template is at revision ", record->revision, ", not ",
                           update.expected_revision, "; read it again and reapply the change"),
              {{"expected_revision", absl::StrCat(update.expected_revision)},
               {"revision", absl::StrCat(record->revision)}});
        }
        if (SameContent(current, next)) return current;

        store::EmailTemplateRecord stored;
        stored.revision = record->revision + 1;
        stored.email_template = WithRevision(next, stored.revision);
        return AnswerTo(store_->CompareAndSwap(site, record->revision, stored),
                        stored.email_template);
      },
      [&] { return KeptChanging(absl::StrCat("the email template of site ", site)); });
}

}  // namespace backinstock::domain
