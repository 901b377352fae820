#include "server/store/durable_notification_request_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/logging/log.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store {
namespace {

using Request = v1::BackInStockNotificationRequest;

constexpr size_t kRevisionBytes = 8;
// Set in the revision's last byte when a queued email follows the request
// (revisions never come near 2^63).
constexpr char kQueuedEmailFlag = static_cast<char>(0x80);
// Set in the revision's last byte when the record's settled time follows the
// revision (8 bytes little endian, Unix microseconds).
constexpr char kSettledTimeFlag = static_cast<char>(0x40);
constexpr size_t kTimeBytes = 8;

void AppendLittleEndian(uint64_t value, std::string& out) {
  for (size_t i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadLittleEndian(absl::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return value;
}

}  // namespace

std::string DurableNotificationRequestStore::EncodeKey(absl::string_view site,
                                                       absl::string_view id) {
  return absl::StrCat(site, "/", id);
}

absl::StatusOr<std::pair<std::string, std::string>> DurableNotificationRequestStore::DecodeKey(
    absl::string_view key) {
  const size_t slash = key.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == key.size()) {
    return absl::DataLossError("request key is not <site>/<id>");
  }
  return std::make_pair(std::string(key.substr(0, slash)), std::string(key.substr(slash + 1)));
}

std::string DurableNotificationRequestStore::EncodeValue(const NotificationRequestRecord& record) {
  std::string value;
  AppendLittleEndian(static_cast<uint64_t>(record.revision), value);
  if (record.settled_time != absl::InfinitePast()) {
    value[kRevisionBytes - 1] = static_cast<char>(value[kRevisionBytes - 1] | kSettledTimeFlag);
    AppendLittleEndian(static_cast<uint64_t>(absl::ToUnixMicros(record.settled_time)), value);
  }
  if (record.delivery == nullptr) {
    record.request.AppendToString(&value);
    return value;
  }
  value[kRevisionBytes - 1] = static_cast<char>(value[kRevisionBytes - 1] | kQueuedEmailFlag);
  const std::string request = record.request.SerializeAsString();
  {
    google::protobuf::io::StringOutputStream out(&value);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.WriteVarint32(static_cast<uint32_t>(request.size()));
  }
  value += request;
  record.delivery->AppendToString(&value);
  return value;
}

absl::StatusOr<NotificationRequestRecord> DurableNotificationRequestStore::DecodeValue(
    absl::string_view value) {
  if (value.size() < kRevisionBytes) return absl::DataLossError("request record is too short");
  const auto flags = static_cast<unsigned char>(value[kRevisionBytes - 1]);
  const bool queued_email = (flags & static_cast<unsigned char>(kQueuedEmailFlag)) != 0;
  const bool settled_time = (flags & static_cast<unsigned char>(kSettledTimeFlag)) != 0;
  const uint64_t flag_bits = uint64_t{static_cast<unsigned char>(kQueuedEmailFlag) |
                                      static_cast<unsigned char>(kSettledTimeFlag)}
                             << (8 * (kRevisionBytes - 1));
  NotificationRequestRecord record;
  record.revision = static_cast<int64_t>(ReadLittleEndian(value) & ~flag_bits);
  if (record.revision < 1) return absl::DataLossError("request record has no revision");
  value.remove_prefix(kRevisionBytes);
  if (settled_time) {
    if (value.size() < kTimeBytes)
      return absl::DataLossError("request record's settled time is cut");
    record.settled_time = absl::FromUnixMicros(static_cast<int64_t>(ReadLittleEndian(value)));
    value.remove_prefix(kTimeBytes);
  }
  absl::string_view request = value;
  if (queued_email) {
    google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(value.data()),
                                              static_cast<int>(value.size()));
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return absl::DataLossError("request record has no length");
    const auto header = static_cast<size_t>(in.CurrentPosition());
    if (length > value.size() - header) {
      return absl::DataLossError("request record is shorter than its length");
    }
    request = value.substr(header, length);
    auto delivery = std::make_shared<QueuedEmail>();
    const absl::string_view rest = value.substr(header + length);
    if (!delivery->ParseFromArray(rest.data(), static_cast<int>(rest.size()))) {
      return absl::DataLossError("request record's queued email does not parse");
    }
    record.delivery = std::move(delivery);
  }
  if (!record.request.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
    return absl::DataLossError("request record does not parse");
  }
  if (record.request.id().empty()) return absl::DataLossError("request record has no id");
  return record;
}

absl::StatusOr<std::unique_ptr<DurableNotificationRequestStore>>
DurableNotificationRequestStore::Open(const std::string& dir, DurableRequestStoreOptions options) {
  std::unique_ptr<DurableNotificationRequestStore> store(new DurableNotificationRequestStore());
  DurableNotificationRequestStore* self = store.get();
  absl::StatusOr<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(
      dir, std::move(options.journal),
      [self](const journal::RecordView& record) { return self->Replay(record); });
  if (!journal.ok()) return journal.status();
  store->journal_ = *std::move(journal);
  return store;
}

// Replay runs before anyone can read or watch: records are set directly, and
// the memory store checks that the history adds up.
absl::Status DurableNotificationRequestStore::Replay(const journal::RecordView& record) {
  absl::StatusOr<std::pair<std::string, std::string>> key = DecodeKey(record.key);
  if (!key.ok()) return key.status();
  const auto& [site, id] = *key;
  if (record.type == journal::RecordType::kDelete) {
    if (absl::Status s = memory_.RestoreDeletion(site, id); !s.ok()) return s;
    absl::MutexLock lock(&resume_mu_);
    processing_.erase(record.key);
    --restored_records_;
    return absl::OkStatus();
  }
  absl::StatusOr<NotificationRequestRecord> decoded = DecodeValue(record.value);
  if (!decoded.ok()) return decoded.status();
  if (decoded->request.id() != id) {
    return absl::DataLossError(
        absl::StrCat("record under key ", record.key, " has id ", decoded->request.id()));
  }
  const bool is_new = absl::IsNotFound(memory_.Get(site, id).status());
  if (absl::Status s = memory_.Restore(site, *decoded); !s.ok()) return s;
  if (is_new) ++restored_records_;
  absl::MutexLock lock(&resume_mu_);
  if (decoded->request.status() == Request::PROCESSING) {
    processing_.insert(std::string(record.key));
  } else {
    processing_.erase(record.key);
  }
  return absl::OkStatus();
}

absl::Status DurableNotificationRequestStore::ResumeDeliveries(ResumeHandler resume) {
  absl::flat_hash_set<std::string> processing;
  {
    absl::MutexLock lock(&resume_mu_);
    processing.swap(processing_);
  }
  for (const std::string& key : processing) {
    absl::StatusOr<std::pair<std::string, std::string>> decoded = DecodeKey(key);
    if (!decoded.ok()) return decoded.status();
    const auto& [site, id] = *decoded;
    absl::StatusOr<RecordPtr> current = memory_.Get(site, id);
    if (absl::IsNotFound(current.status())) continue;
    if (!current.ok()) return current.status();
    if ((*current)->request.status() != Request::PROCESSING) continue;
    if ((*current)->delivery != nullptr) {
      resume(site, *current);
      continue;
    }
    // Nothing says what to send: settled as a report of old did after a crash.
    NotificationRequestRecord next = **current;
    next.revision = (*current)->revision + 1;
    SetStatus(next, Request::FAILED, absl::Now());
    next.request.mutable_auto_notified()->set_value(true);
    if (absl::Status s = Release(site, (*current)->revision, next); !s.ok()) return s;
    ++failed_interrupted_;
    logging::Warning(
        "notification request was PROCESSING without a queued email when the server stopped; "
        "marked FAILED",
        {{"site", site}, {"request_id", id}});
  }
  return absl::OkStatus();
}

absl::Mutex& DurableNotificationRequestStore::SiteLock(absl::string_view site) {
  return site_locks_[absl::Hash<absl::string_view>{}(site) % kSiteLocks];
}

absl::Mutex& DurableNotificationRequestStore::RecordLock(absl::string_view site,
                                                         absl::string_view id) {
  return record_locks_[absl::Hash<std::pair<absl::string_view, absl::string_view>>{}(
                           std::make_pair(site, id)) %
                       kRecordLocks];
}

absl::StatusOr<CreateResult> DurableNotificationRequestStore::Create(
    absl::string_view site, const NotificationRequestRecord& record, int64_t max_requests) {
  absl::MutexLock site_lock(&SiteLock(site));
  absl::StatusOr<CreateResult> checked = memory_.CheckCreate(site, record, max_requests);
  if (!checked.ok() || checked->outcome != CreateResult::Outcome::kCreated) return checked;
  if (absl::Status durable =
          journal_->Put(EncodeKey(site, record.request.id()), EncodeValue(record));
      !durable.ok()) {
    return StorageUnavailable(durable);
  }
  // Cannot be refused: only writes holding the site lock we hold can add a
  // record or an open request.
  return memory_.Create(site, record, max_requests);
}

absl::StatusOr<RecordPtr> DurableNotificationRequestStore::Get(absl::string_view site,
                                                               absl::string_view id) const {
  return memory_.Get(site, id);
}

absl::Status DurableNotificationRequestStore::CompareAndSwapLocked(
    absl::string_view site, int64_t expected_revision, const NotificationRequestRecord& next,
    ClaimChange change) {
  if (absl::Status checked = memory_.CheckCompareAndSwap(site, expected_revision, next, change);
      !checked.ok()) {
    return checked;
  }
  if (absl::Status durable = journal_->Put(EncodeKey(site, next.request.id()), EncodeValue(next));
      !durable.ok()) {
    return StorageUnavailable(durable);
  }
  return memory_.Write(change, site, expected_revision, next);
}

absl::Status DurableNotificationRequestStore::DoCompareAndSwap(
    absl::string_view site, int64_t expected_revision, const NotificationRequestRecord& next,
    ClaimChange change) {
  const std::string& id = next.request.id();
  {
    absl::MutexLock record_lock(&RecordLock(site, id));
    absl::StatusOr<RecordPtr> current = memory_.Get(site, id);
    // A reopening write (closed -> open) needs the site lock too, taken first.
    const bool reopens =
        current.ok() && !IsOpen((*current)->request.status()) && IsOpen(next.request.status());
    if (!reopens) return CompareAndSwapLocked(site, expected_revision, next, change);
  }
  absl::MutexLock site_lock(&SiteLock(site));
  absl::MutexLock record_lock(&RecordLock(site, id));
  return CompareAndSwapLocked(site, expected_revision, next, change);
}

absl::Status DurableNotificationRequestStore::Delete(absl::string_view site, absl::string_view id,
                                                     int64_t expected_revision) {
  absl::MutexLock record_lock(&RecordLock(site, id));
  if (absl::Status checked = memory_.CheckDelete(site, id, expected_revision); !checked.ok()) {
    return checked;
  }
  if (absl::Status durable = journal_->Delete(EncodeKey(site, id)); !durable.ok()) {
    return StorageUnavailable(durable);
  }
  return memory_.Delete(site, id, expected_revision);
}

absl::StatusOr<RecordList> DurableNotificationRequestStore::List(absl::string_view site) const {
  return memory_.List(site);
}

absl::StatusOr<std::vector<int64_t>> DurableNotificationRequestStore::CountOpen(
    absl::string_view site, const std::vector<std::string>& catalog_keys) const {
  return memory_.CountOpen(site, catalog_keys);
}

absl::StatusOr<std::vector<std::string>> DurableNotificationRequestStore::OpenIds(
    absl::string_view site, absl::string_view catalog_key) const {
  return memory_.OpenIds(site, catalog_key);
}

absl::StatusOr<std::vector<ExpiredRequest>> DurableNotificationRequestStore::ExpiredRequests(
    absl::Time received_before, absl::Time settled_before, size_t limit) const {
  return memory_.ExpiredRequests(received_before, settled_before, limit);
}

std::unique_ptr<Subscription> DurableNotificationRequestStore::Watch(
    absl::string_view site, std::function<void(const RequestEvent&)> on_event) {
  return memory_.Watch(site, std::move(on_event));
}

absl::Status DurableNotificationRequestStore::PurgeDeleted() {
  // Every delete the caller saw acknowledged is in the active segment or an
  // earlier one. Rotating closes the active segment, so compaction then
  // folds all of them (and the older snapshot) into a snapshot that holds
  // only live records, and removes the files it replaces. Writes go on
  // meanwhile: rotation and compaction already run under live traffic, the
  // new snapshot covers only closed segments, and everything written after
  // the rotation stays in the new active segment, which no erased record can
  // reach (its Delete happened before, and a later write to it is NOT_FOUND).
  if (absl::Status rotated = journal_->Rotate(); !rotated.ok()) return StorageUnavailable(rotated);
  if (absl::Status compacted = journal_->Compact(); !compacted.ok()) {
    return StorageUnavailable(compacted);
  }
  return absl::OkStatus();
}

}  // namespace backinstock::store
