#include "server/store/etcd/codec.h"

#include "server/store/etcd/records.pb.h"

namespace backinstock::store::etcd {

std::string EncodeSettings(const SettingsRecord& record, absl::string_view writer) {
  StoredSettings stored;
  stored.set_revision(record.revision);
  for (const AppCollectionState& state : record.states) {
    StoredSettings::AppState* out = stored.add_states();
    out->set_app_id(state.app_id);
    out->set_collecting(state.collecting);
  }
  stored.set_writer(std::string(writer));
  return stored.SerializeAsString();
}

std::string EncodeRequest(const NotificationRequestRecord& record, absl::string_view writer) {
  StoredRequest stored;
  stored.set_revision(record.revision);
  *stored.mutable_request() = record.request;
  stored.set_writer(std::string(writer));
  if (record.delivery != nullptr) *stored.mutable_delivery() = *record.delivery;
  if (record.settled_time != absl::InfinitePast()) {
    stored.set_settled_unix_micros(absl::ToUnixMicros(record.settled_time));
  }
  return stored.SerializeAsString();
}

absl::StatusOr<SettingsRecord> DecodeSettings(absl::string_view value, std::string* writer) {
  StoredSettings stored;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("etcd: undecodable settings value");
  }
  SettingsRecord record;
  record.revision = stored.revision();
  for (const StoredSettings::AppState& state : stored.states()) {
    record.states.push_back({state.app_id(), state.collecting()});
  }
  if (writer != nullptr) *writer = stored.writer();
  return record;
}

absl::StatusOr<NotificationRequestRecord> DecodeRequest(absl::string_view value,
                                                        std::string* writer) {
  StoredRequest stored;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("etcd: undecodable request value");
  }
  NotificationRequestRecord record;
  record.revision = stored.revision();
  record.request = std::move(*stored.mutable_request());
  if (stored.has_delivery()) {
    record.delivery = std::make_shared<QueuedEmail>(std::move(*stored.mutable_delivery()));
  }
  if (stored.settled_unix_micros() != 0) {
    record.settled_time = absl::FromUnixMicros(stored.settled_unix_micros());
  }
  if (writer != nullptr) *writer = stored.writer();
  return record;
}

}  // namespace backinstock::store::etcd
