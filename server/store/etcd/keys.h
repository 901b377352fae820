// The key layout of --store=etcd (docs/operations.md, "etcd store"). Every key
// lives under one prefix so that one watch sees every change:
//   /backinstock/v1/sites/<site>/settings          StoredSettings
//   /backinstock/v1/sites/<site>/requests/<id>     StoredRequest
//   /backinstock/v1/sites/<site>/open/<sha256 hex>  id of the open request
//   /backinstock/v1/sites/<site>/claims/<id>       writer; on the claiming
//                                                  replica's lease
//   /backinstock/v1/sites/<site>/count             "<count> <writer>"
//   /backinstock/v1/sites/<site>/email_template    StoredEmailTemplate
//   /backinstock/v1/fence                          empty; written only for
//                                                  its revision (WriteFence)
// Site names are 1-64 of [A-Za-z0-9._-] (IsValidSiteId, server/auth), ids are GUIDs and open keys
// hex digests (of the open request key, whose email may hold '/' and is
// personal data), so no part can contain the '/' separator.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_KEYS_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::store::etcd {

inline constexpr absl::string_view kRootPrefix = "/backinstock/v1/";

// The first key after every key that starts with `prefix` (etcd's range_end
// for a prefix range).
std::string PrefixEnd(absl::string_view prefix);

std::string SettingsKey(absl::string_view site);
std::string RequestKey(absl::string_view site, absl::string_view id);
// `open_request_key` is store::OpenRequestKey's; the key holds its SHA-256.
std::string OpenIndexKey(absl::string_view site, absl::string_view open_request_key);
// Exists while a live replica has request `id` PROCESSING (see ReplicaLease).
std::string ClaimKey(absl::string_view site, absl::string_view id);
std::string CounterKey(absl::string_view site);
std::string EmailTemplateKey(absl::string_view site);
// One key for every replica: each write of it is a change under the prefix
// that the writer's watch is sure to deliver (see EtcdClient::WriteFence).
std::string FenceKey();

// What a key under kRootPrefix names.
struct ParsedKey {
  enum class Kind { kUnknown, kSettings, kRequest, kOpenIndex, kClaim, kCounter, kEmailTemplate };
  Kind kind = Kind::kUnknown;
  std::string site;
  std::string id;  // kRequest, kClaim: the request id
};
ParsedKey ParseKey(absl::string_view key);

// The per-site request counter's value: the count (zero-padded, so values sort
// like numbers) and the nonce of the write that set it.
std::string CounterValue(int64_t count, absl::string_view writer);
// The count in a counter value, or -1 when it is malformed.
int64_t CounterCount(absl::string_view value);
absl::string_view CounterWriter(absl::string_view value);

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_KEYS_H_
