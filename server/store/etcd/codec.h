// Our records as etcd values (records.proto), with the nonce of the write.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_CODEC_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/notification_request_store.h"
#include "server/store/settings_store.h"

namespace backinstock::store::etcd {

std::string EncodeSettings(const SettingsRecord& record, absl::string_view writer);
std::string EncodeRequest(const NotificationRequestRecord& record, absl::string_view writer);

// Decoders return the writer nonce through `writer` when it is not null.
absl::StatusOr<SettingsRecord> DecodeSettings(absl::string_view value, std::string* writer);
absl::StatusOr<NotificationRequestRecord> DecodeRequest(absl::string_view value,
                                                        std::string* writer);

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_CODEC_H_
