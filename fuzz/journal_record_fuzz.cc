// The journal's record decoder and file scanner, and the store value decoders
// replay hands records to: the input is a whole segment or snapshot file, as
// a crash or a bad disk could leave it.
// Properties: a decoded record re-encodes to exactly the bytes it came from;
// a scan never reports more valid bytes than the file has; torn tails are
// only ever reported under the torn-tail policy.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.h"
#include "server/store/durable_notification_request_store.h"
#include "server/store/durable_settings_store.h"
#include "server/store/journal/file_scan.h"
#include "server/store/journal/record.h"

namespace {

namespace journal = backinstock::store::journal;

void CheckRecordAt(absl::string_view bytes) {
  const journal::Decoded decoded = journal::DecodeRecord(bytes);
  if (decoded.status != journal::DecodeStatus::kOk) return;
  if (decoded.size > bytes.size()) std::abort();
  std::string encoded;
  journal::EncodeRecord(decoded.record.type, decoded.record.key, decoded.record.value, &encoded);
  if (encoded != bytes.substr(0, decoded.size)) std::abort();
}

absl::Status DecodeValues(const journal::RecordView& record) {
  using backinstock::store::DurableNotificationRequestStore;
  using backinstock::store::DurableSettingsStore;
  (void)DurableSettingsStore::DecodeValue(record.value);
  (void)DurableNotificationRequestStore::DecodeKey(record.key);
  (void)DurableNotificationRequestStore::DecodeValue(record.value);
  return absl::OkStatus();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  backinstock::fuzz::FuzzInput input(data, size);
  const uint8_t mode = input.Byte();
  const absl::string_view file = input.Rest();
  CheckRecordAt(file);
  const auto kind = (mode & 1) ? journal::FileKind::kSnapshot : journal::FileKind::kSegment;
  const auto policy =
      (mode & 2) ? journal::TailPolicy::kAllowTornTail : journal::TailPolicy::kStrict;
  const uint64_t number = (mode >> 2) & 3;
  auto scanned = journal::ScanFile("fuzz", file, kind, number, policy, DecodeValues);
  if (scanned.ok()) {
    if (scanned->valid_end + scanned->torn_bytes > file.size()) std::abort();
    if (scanned->torn_bytes > 0 && policy != journal::TailPolicy::kAllowTornTail) std::abort();
  }
  return 0;
}
